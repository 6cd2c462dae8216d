// A closed flow is packed into text some closes after its own, and unpacked
// if a segment of it comes after all (tcp-reassembler.ts PACK_CLOSED_AFTER).
// Packed at once or never, every capture of the project must give the same
// events and statistics; and a direction's state comes back field for field.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { FrameDecoder } from '../../src/net/frame-decoder.js';
import { HalfStream } from '../../src/reassembly/half-stream.js';
import { emptyStats } from '../../src/reassembly/reassembly-stats.js';
import { EventSink } from '../../src/reassembly/event-sink.js';
import type { FlowInfo } from '../../src/reassembly/stream-event.js';
import { TcpReassembler } from '../../src/reassembly/tcp-reassembler.js';

const ROOT = fileURLToPath(new URL('../../captures/', import.meta.url));
const CAPTURES = ['', 'derived/'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f))
    .map((f) => dir + f),
);

/** Every event and the statistics, as text: flows by index, bytes by digest. */
async function reassembled(name: string, packClosedAfter: number): Promise<string> {
  const r = new TcpReassembler({ packClosedAfter, closedTimeoutNs: 60_000_000_000n, idleTimeoutNs: 3_600_000_000_000n });
  const dec = new FrameDecoder();
  const out: string[] = [];
  const text = (e: unknown): string =>
    JSON.stringify(e, (k, v: unknown) =>
      typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? createHash('sha256').update(v).digest('hex') : k === 'flow' ? (v as FlowInfo).index : v,
    );
  try {
    const src = await openCapture(join(ROOT, name));
    for await (const batch of src.batches()) {
      for (const rec of batch) for (const e of r.push(dec.decode(rec))) out.push(text(e));
    }
  } catch (err) {
    out.push(`error ${String(err)}`);
  }
  for (const e of r.flush('eof', 0n)) out.push(text(e));
  out.push(text(r.stats));
  return out.join('\n');
}

describe('closed flows packed into text', () => {
  it(`give the same events and statistics as flows kept whole, on all ${CAPTURES.length} captures`, async () => {
    expect(CAPTURES.length).toBeGreaterThan(100);
    const unpacked = vi.spyOn(HalfStream, 'fromState');
    try {
      for (const name of CAPTURES) expect(await reassembled(name, 0), name).toBe(await reassembled(name, Number.MAX_SAFE_INTEGER));
      // Segments came for packed flows (trailing ACKs, resent FINs, reused ports): the unpacking ran.
      expect(unpacked.mock.calls.length).toBeGreaterThan(50);
    } finally {
      unpacked.mockRestore();
    }
  });

  it('bring a direction back field for field', () => {
    const info: FlowInfo = { index: 3, client: { ip: '10.0.0.2', port: 40000 }, server: { ip: '10.0.0.1', port: 80 }, firstFrame: 1, sawSyn: true };
    const limits = { maxBuffered: 1 << 20, maxHeldSegments: 64, tailBytes: 0 };
    const stats = emptyStats();
    const h = new HalfStream(info, 'c2s', limits, stats);
    const sink = new EventSink();
    const seg = (seq: number, length: number, frame: number, flags: { syn?: boolean; fin?: boolean } = {}) =>
      h.segment({ seq, syn: flags.syn ?? false, fin: flags.fin ?? false, payload: new Uint8Array(length), length, frame, timestampNs: 1_700_000_000_123_456_789n + BigInt(frame) * 1000n }, sink);
    const base = 1_700_000_000_000_000_000n;
    expect(h.toState(base)).toBeUndefined();
    seg(4_294_967_000, 0, 1, { syn: true });
    seg(4_294_967_001, 500, 2);
    h.ack(4_294_967_001, 3, sink, { pure: true, window: 500, timestampNs: 5n });
    h.ack(4_294_967_001, 4, sink, { pure: true, window: 500, timestampNs: 6n });
    seg(4_294_967_501, 100, 5, { fin: true });
    h.end('fin', 6, 7n, sink);
    const state = h.toState(base)!;
    // Times near the flow's start go as short numbers; one far from it (no FIN time yet would be 0) as text.
    expect(JSON.stringify(state).length).toBeLessThan(200);
    const back = HalfStream.fromState(JSON.parse(JSON.stringify(state)) as typeof state, base, info, 'c2s', limits, stats);
    expect(back).toEqual(h);
    expect(back.toState(base)).toEqual(state);
    const far = HalfStream.fromState(JSON.parse(JSON.stringify(h.toState(0n))) as typeof state, 0n, info, 'c2s', limits, stats);
    expect(far).toEqual(h);
    // And they take what comes next alike.
    const later = (x: HalfStream) => {
      const s = new EventSink();
      x.segment({ seq: 4_294_967_501, syn: false, fin: true, payload: new Uint8Array(100), length: 100, frame: 9, timestampNs: 9n }, s);
      return s.take();
    };
    expect(later(back)).toEqual(later(h));
  });
});
