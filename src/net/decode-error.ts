// Errors are values, never exceptions (style habit 3): every decoder reports
// what stopped it with a layer, a stable code and an absolute byte offset, so a
// person can find the bad byte. A `throw` anywhere below the CLI is an upxray bug.

/** The stage or protocol layer that raised a DecodeError. */
export type Layer =
  | 'capture'
  | 'link'
  | 'vlan'
  | 'ipv4'
  | 'ipv6'
  | 'ip-defrag'
  | 'tcp'
  | 'udp'
  | 'dns'
  | 'dhcp'
  | 'reassembly'
  | 'http'
  | 'upx';

/** A decoding problem: what layer, which code (`tcp.header-too-short`), where. */
export interface DecodeError {
  layer: Layer;
  /** Stable, namespaced by layer: `pcap.truncated-record`, `http.te-and-length`. */
  code: string;
  /** Absolute offset: in the file (capture), the frame (net) or the stream (http). */
  offset: number;
  /** Bytes the decoder needed, when a length ran out. */
  required?: number;
  /** Bytes that were there. */
  available?: number;
  /** What limited the parse: 'slice', 'ipv4.total-length', 'pcap.incl_len'... */
  lenSource?: string;
  /** The 1-based frame the problem was seen in, when known. */
  frame?: number;
  /** One human sentence. */
  detail?: string;
}

/** A decoder's result: the value, or the error that stopped it. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

export function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: DecodeError): Decoded<T> {
  return { ok: false, error };
}

export function decodeError(
  layer: Layer,
  code: string,
  offset: number,
  extra: Omit<DecodeError, 'layer' | 'code' | 'offset'> = {},
): DecodeError {
  return { layer, code, offset, ...extra };
}

/** Rebase an error found inside a sub-slice to the enclosing buffer's offsets. */
export function addOffset(e: DecodeError, delta: number): DecodeError {
  return { ...e, offset: e.offset + delta };
}

/** One line for a person: `pcap.truncated-record at byte 1234: ...`. */
export function formatDecodeError(e: DecodeError): string {
  const where = e.frame !== undefined ? `frame ${e.frame}` : `offset ${e.offset}`;
  return `${e.code} at ${where}${e.detail ? `: ${e.detail}` : ''}`;
}
