// The reassembler on arbitrary segments (any flags, sequence numbers, ports,
// lengths, timestamps): it never throws, and what it delivers for each
// direction is one contiguous stream of data and gaps, ending at most once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecodedFrame } from '../../src/net/packet.js';
import { TcpReassembler } from '../../src/reassembly/tcp-reassembler.js';
import type { StreamEvent } from '../../src/reassembly/stream-event.js';

const HOSTS = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
const PORTS = [80, 443, 50000, 50001];
const BASES = [0, 1000, 0xfffff000, 0x7fffffff];

const segment = fc.record({
  src: fc.constantFrom(...HOSTS),
  dst: fc.constantFrom(...HOSTS),
  sport: fc.constantFrom(...PORTS),
  dport: fc.constantFrom(...PORTS),
  // Near a few bases (so segments of one flow meet, overlap and wrap) or anywhere.
  seq: fc.oneof(fc.tuple(fc.constantFrom(...BASES), fc.integer({ min: -100, max: 3000 })).map(([b, d]) => (b + d) >>> 0), fc.nat({ max: 0xffffffff })),
  ack: fc.oneof(fc.constantFrom(0, 1001, 0xfffff001), fc.nat({ max: 0xffffffff })),
  flags: fc.nat({ max: 0x3f }),
  payload: fc.uint8Array({ maxLength: 64 }),
  // The length the IP header claims may differ from what was captured.
  extra: fc.constantFrom(0, 0, 0, 1, 100, 70000),
  dt: fc.constantFrom(0n, 1n, 1_000_000n, 400_000_000_000n),
});

type Seg = typeof segment extends fc.Arbitrary<infer T> ? T : never;

function frames(segs: Seg[]): DecodedFrame[] {
  let ts = 1_000_000_000n;
  return segs.map((s, i) => {
    ts += s.dt;
    const payloadLength = s.payload.length + s.extra;
    return {
      frame: i + 1,
      timestampNs: ts,
      linkType: 101,
      capLen: 40 + s.payload.length,
      origLen: 40 + payloadLength,
      vlans: [],
      ip: { version: 4, src: s.src, dst: s.dst, protocol: 6, ttl: 64, headerLength: 20, payloadLength: 20 + payloadLength },
      tcp: { srcPort: s.sport, dstPort: s.dport, seq: s.seq, ack: s.ack, flags: s.flags, window: 1000, headerLength: 20, options: {}, payload: s.payload, payloadLength },
      payload: s.payload,
      notes: [],
    };
  });
}

/** Per flow and direction, data and gaps must tile the stream from its first offset, and end once. */
function checkStreams(events: StreamEvent[]): void {
  const next = new Map<string, number>();
  const ended = new Set<string>();
  for (const e of events) {
    if (e.kind === 'open' || e.kind === 'anomaly') continue;
    const key = `${e.flow.index}/${e.dir}`;
    if (e.kind === 'end') {
      expect(ended.has(key), `${key} ended twice`).toBe(false);
      ended.add(key);
      continue;
    }
    expect(ended.has(key), `${key} delivered after its end`).toBe(false);
    const length = e.kind === 'data' ? e.bytes.length : e.length;
    expect(length).toBeGreaterThan(0);
    const at = next.get(key);
    if (at !== undefined) expect(e.offset, `${key} ${e.kind} offset`).toBe(at);
    next.set(key, e.offset + length);
    if (e.kind === 'data') {
      // Spans say which frames carried the bytes, and cover them.
      expect(e.spans.reduce((n, s) => n + s.length, 0)).toBeGreaterThanOrEqual(e.bytes.length);
    }
  }
}

describe('TCP reassembly on arbitrary segments', () => {
  it('never throws, and each direction is one contiguous stream of data and gaps', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 60 }), fc.constantFrom(64, 4096), (segs, maxBuffered) => {
        const r = new TcpReassembler({ maxBufferedPerDirection: maxBuffered, maxHeldSegmentsPerDirection: 8, idleTimeoutNs: 300_000_000_000n });
        const events: StreamEvent[] = [];
        const fs = frames(segs);
        fs.forEach((f, i) => {
          events.push(...r.push(f));
          if (i % 10 === 9) events.push(...r.flush('timeout', f.timestampNs));
        });
        events.push(...r.flush('eof', fs.length ? fs[fs.length - 1].timestampNs : 0n));
        checkStreams(events);
        expect(r.openFlows).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});
