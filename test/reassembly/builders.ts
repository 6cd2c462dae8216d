// Hand-built DecodedFrames and checks over the events they produce. The unit
// under test only reads ip and tcp, so the link fields are plain defaults.
import type { DecodedFrame } from '../../src/net/packet.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../src/net/packet.js';
import type { Direction, Endpoint, StreamEvent } from '../../src/reassembly/stream-event.js';
import { seqAdd, unwrapSeq } from '../../src/reassembly/seq.js';

export { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN };

export const CLIENT: Endpoint = { ip: '192.0.2.10', port: 50123 };
export const SERVER: Endpoint = { ip: '192.0.2.80', port: 443 };

export interface SegOpts {
  seq: number;
  ack?: number;
  flags?: number;
  /** Captured payload. */
  data?: string | Uint8Array;
  /** Sequence space the IP header claims, when it differs from the captured payload. */
  payloadLength?: number;
  ts?: bigint;
}

export function bytes(s: string | Uint8Array): Uint8Array {
  return typeof s === 'string' ? new TextEncoder().encode(s) : s;
}

export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/** Numbers frames 1, 2, 3... in the order they are made, as a capture file would. */
export class Capture {
  private n = 0;
  readonly frames = new Map<number, DecodedFrame>();

  seg(from: Endpoint, to: Endpoint, o: SegOpts): DecodedFrame {
    const frame = ++this.n;
    // Embed the payload in a bigger buffer, as a real frame would be, so views can be told from copies.
    const p = bytes(o.data ?? '');
    const record = new Uint8Array(54 + p.length);
    record.set(p, 54);
    const payload = record.subarray(54);
    const f: DecodedFrame = {
      frame,
      timestampNs: o.ts ?? BigInt(frame) * 1_000_000n,
      linkType: 1,
      capLen: record.length,
      origLen: record.length,
      vlans: [],
      ip: {
        version: 4,
        src: from.ip,
        dst: to.ip,
        protocol: 6,
        ttl: 64,
        headerLength: 20,
        payloadLength: 20 + (o.payloadLength ?? p.length),
      },
      tcp: {
        srcPort: from.port,
        dstPort: to.port,
        seq: o.seq >>> 0,
        ack: (o.ack ?? 0) >>> 0,
        flags: o.flags ?? TCP_ACK,
        window: 65535,
        headerLength: 20,
        options: {},
        payload,
        payloadLength: o.payloadLength ?? p.length,
      },
      payload,
      notes: [],
    };
    this.frames.set(frame, f);
    return f;
  }

  c(o: SegOpts): DecodedFrame {
    return this.seg(CLIENT, SERVER, o);
  }

  s(o: SegOpts): DecodedFrame {
    return this.seg(SERVER, CLIENT, o);
  }
}

/** What one direction of one flow received: bytes in order (gaps as `null` runs), in event order. */
export interface DirView {
  text: string;
  data: Uint8Array;
  gaps: Array<{ offset: number; length: number; frame: number }>;
  /** Content-view anomalies (tcp.analysis.* labels left out). */
  anomalies: Array<{ code: string; frame: number }>;
  ends: Array<{ reason: string; frame: number }>;
}

export function view(events: StreamEvent[], flow: number, dir: Direction): DirView {
  const chunks: Uint8Array[] = [];
  const v: DirView = { text: '', data: new Uint8Array(0), gaps: [], anomalies: [], ends: [] };
  for (const e of events) {
    if (e.kind === 'open' || e.flow.index !== flow || e.dir !== dir) continue;
    if (e.kind === 'data') chunks.push(e.bytes.slice());
    else if (e.kind === 'gap') v.gaps.push({ offset: e.offset, length: e.length, frame: e.frame });
    else if (e.kind === 'anomaly') {
      if (!e.code.startsWith('tcp.analysis.')) v.anomalies.push({ code: e.code, frame: e.frame });
    }
    else v.ends.push({ reason: e.reason, frame: e.frame });
  }
  v.data = concat(chunks);
  v.text = text(v.data);
  return v;
}

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Anomaly codes of the delivery logic (content view), in order. */
export function codes(events: StreamEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'anomaly' && !e.code.startsWith('tcp.analysis.') ? [e.code] : []));
}

/** Wireshark-style labels: `flag@frame`, e.g. `out_of_order@7`. */
export function labels(events: StreamEvent[]): string[] {
  return events.flatMap((e) =>
    e.kind === 'anomaly' && e.code.startsWith('tcp.analysis.') ? [`${e.code.slice(13)}@${e.frame}`] : [],
  );
}

/**
 * The checks every test runs: per direction, data and gap events tile the
 * stream from offset 0 with no overlap and no hole; spans tile each data event;
 * and every span's bytes are the bytes its frame carried at that sequence
 * number (`base` gives each direction's offset-0 sequence number), so no event
 * shows a byte no frame gave. Returns nothing; throws (fails) on a violation.
 */
export function checkInvariants(
  events: StreamEvent[],
  frames: Map<number, DecodedFrame>,
  base?: (flow: number, dir: Direction) => number | undefined,
): void {
  const next = new Map<string, number>();
  for (const e of events) {
    if (e.kind !== 'data' && e.kind !== 'gap') continue;
    const key = `${e.flow.index}/${e.dir}`;
    const expected = next.get(key);
    if (expected !== undefined && e.offset !== expected) {
      throw new Error(`${key}: event at ${e.offset}, expected ${expected}`);
    }
    if (expected === undefined && e.offset !== 0) throw new Error(`${key}: stream starts at ${e.offset}`);
    if (e.kind === 'gap') {
      if (!(e.length > 0)) throw new Error(`${key}: empty gap`);
      next.set(key, e.offset + e.length);
      continue;
    }
    if (e.bytes.length === 0) throw new Error(`${key}: empty data event`);
    let at = e.offset;
    for (const span of e.spans) {
      if (span.streamOffset !== at) throw new Error(`${key}: span at ${span.streamOffset}, expected ${at}`);
      const f = frames.get(span.frame);
      if (!f?.tcp) throw new Error(`${key}: span names unknown frame ${span.frame}`);
      if (span.timestampNs !== f.timestampNs) throw new Error(`${key}: span timestamp differs from frame ${span.frame}`);
      if (span.length > f.tcp.payload.length) throw new Error(`${key}: span longer than frame ${span.frame}'s payload`);
      const b = base?.(e.flow.index, e.dir);
      if (b !== undefined) {
        const syn = (f.tcp.flags & TCP_SYN) !== 0 ? 1 : 0;
        // The frame's offset is the one congruent to its sequence number nearest the span.
        const frameOffset = unwrapSeq(seqAdd(f.tcp.seq, syn), b, span.streamOffset);
        const within = span.streamOffset - frameOffset;
        for (let k = 0; k < span.length; k++) {
          if (e.bytes[span.streamOffset - e.offset + k] !== f.tcp.payload[within + k]) {
            throw new Error(`${key}: byte at ${span.streamOffset + k} is not frame ${span.frame}'s`);
          }
        }
      }
      at += span.length;
    }
    if (at !== e.offset + e.bytes.length) throw new Error(`${key}: spans cover ${at - e.offset} of ${e.bytes.length} bytes`);
    next.set(key, at);
  }
}

/** mulberry32: a small seeded PRNG, so property tests replay exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
