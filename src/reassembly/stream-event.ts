// What TCP reassembly hands the layers above: ordered bytes per direction,
// and gaps and anomalies as events rather than silent drops (Zeek's
// Undelivered, gopacket's Reassembly.Skip). Every byte knows its frame.

/** An address and port; ip as printed by decodeIpv4/decodeIpv6. */
export interface Endpoint {
  ip: string;
  port: number;
}

/** Which way bytes travel: from the connection's client (SYN sender, or best guess) or to it. */
export type Direction = 'c2s' | 's2c';

/** One TCP connection. A 4-tuple reused by a new connection gets a new FlowInfo. */
export interface FlowInfo {
  /** 0-based in order of first appearance, as tshark's tcp.stream. */
  index: number;
  client: Endpoint;
  server: Endpoint;
  /** Frame of the first segment seen. */
  firstFrame: number;
  /** Whether the handshake (SYN) was in the capture; false for connections joined mid-stream. */
  sawSyn: boolean;
}

/** Which frame carried which bytes of a direction's stream. */
export interface FrameSpan {
  frame: number;
  timestampNs: bigint;
  /** Offset of the first byte in the direction's stream (0 = first byte after the SYN, or first byte seen). */
  streamOffset: number;
  length: number;
}

export type StreamEndReason = 'fin' | 'rst' | 'timeout' | 'eof';

export type StreamEvent =
  | { kind: 'open'; flow: FlowInfo; frame: number; timestampNs: bigint }
  /** In-order bytes. `bytes` is valid only during the call that delivers it: copy what you keep. */
  | { kind: 'data'; flow: FlowInfo; dir: Direction; offset: number; bytes: Uint8Array; spans: FrameSpan[] }
  /** `length` bytes at `offset` will never arrive (lost, or not captured). */
  | { kind: 'gap'; flow: FlowInfo; dir: Direction; offset: number; length: number; frame: number }
  /** Something odd, stated as a fact: 'tcp.retransmission', 'tcp.overlap-conflict', 'tcp.out-of-order'... */
  | { kind: 'anomaly'; flow: FlowInfo; dir: Direction; code: string; frame: number }
  | { kind: 'end'; flow: FlowInfo; dir: Direction; reason: StreamEndReason; frame: number; timestampNs: bigint };
