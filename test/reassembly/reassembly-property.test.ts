// Property-style checks with a seeded PRNG: whatever the order, duplication and
// re-segmentation of the segments of a byte string, reassembly gives back the
// string; and when segments are lost, the gaps are exactly the bytes no segment
// carried.
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/reassembly/stream-event.js';
import { TcpReassembler } from '../../src/reassembly/tcp-reassembler.js';
import { seqAdd } from '../../src/reassembly/seq.js';
import { Capture, TCP_ACK, TCP_FIN, TCP_SYN, checkInvariants, codes, prng, view } from './builders.js';

interface Piece {
  at: number;
  len: number;
}

function scenario(seed: number, lossy: boolean) {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const size = int(6000);
  const original = new Uint8Array(size).map(() => int(256));
  // A third of the runs start just below the wrap.
  const isn = rnd() < 0.33 ? 0xffffffff - int(3000) : int(2 ** 32);
  const cut: Piece[] = [];
  for (let at = 0; at < size; ) {
    const len = Math.min(size - at, 1 + int(400));
    cut.push({ at, len });
    at += len;
  }
  const lost = new Set<Piece>();
  if (lossy) for (const p of cut) if (rnd() < 0.15) lost.add(p);
  const sent: Piece[] = cut.filter((p) => !lost.has(p));
  // Duplicates, and resends with other boundaries (never of lost bytes' pieces, to keep the loss real).
  for (const p of [...sent]) {
    if (rnd() < 0.2) sent.push(p);
    if (rnd() < 0.1) {
      const from = p.at + int(p.len);
      sent.push({ at: from, len: 1 + int(p.at + p.len - from) });
    }
  }
  for (let i = sent.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [sent[i], sent[j]] = [sent[j], sent[i]];
  }
  return { original, isn, sent, cut, lost };
}

function play(seed: number, lossy: boolean) {
  const { original, isn, sent, lost, cut } = scenario(seed, lossy);
  const cap = new Capture();
  const r = new TcpReassembler();
  const events: StreamEvent[] = [];
  const push = (f: ReturnType<Capture['c']>) => events.push(...r.push(f));
  push(cap.c({ seq: isn, flags: TCP_SYN }));
  push(cap.s({ seq: 42, ack: seqAdd(isn, 1), flags: TCP_SYN | TCP_ACK }));
  const finAt = 1 + int0(sent.length, seed);
  sent.forEach((p, i) => {
    if (i === finAt) push(cap.c({ seq: seqAdd(isn, 1 + original.length), flags: TCP_ACK | TCP_FIN }));
    push(cap.c({ seq: seqAdd(isn, 1 + p.at), data: original.subarray(p.at, p.at + p.len) }));
  });
  if (finAt >= sent.length) push(cap.c({ seq: seqAdd(isn, 1 + original.length), flags: TCP_ACK | TCP_FIN }));
  const beforeFlush = events.length;
  events.push(...r.flush('eof', 0n));
  checkInvariants(events, cap.frames, (_f, d) => (d === 'c2s' ? seqAdd(isn, 1) : 43));
  return { events, beforeFlush, original, lost, cut, r };
}

function int0(n: number, seed: number): number {
  return Math.floor(prng(seed ^ 0x5bd1e995)() * (n + 1));
}

describe('reassembly properties', () => {
  it('any order and duplication of the segments gives back the bytes, with no gaps', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { events, beforeFlush, original, r } = play(seed, false);
      const v = view(events, 0, 'c2s');
      expect(v.gaps, `seed ${seed}`).toEqual([]);
      expect(Buffer.from(v.data).equals(Buffer.from(original)), `seed ${seed}`).toBe(true);
      // Everything arrived, so the FIN ends the direction before the flush does.
      expect(v.ends, `seed ${seed}`).toHaveLength(1);
      expect(v.ends[0].reason, `seed ${seed}`).toBe('fin');
      expect(events.slice(beforeFlush).filter((e) => e.kind === 'end' && e.dir === 'c2s'), `seed ${seed}`).toEqual([]);
      expect(codes(events), `seed ${seed}`).not.toContain('tcp.overlap-conflict');
      expect(r.stats.bytesDelivered).toBe(original.length);
    }
  });

  it('with lost segments, the gaps are exactly the bytes no segment carried', () => {
    let sawLoss = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { events, original, lost, cut } = play(seed, true);
      const v = view(events, 0, 'c2s');
      // Merge adjacent lost pieces into the ranges we expect as gaps.
      const expected: Array<{ offset: number; length: number }> = [];
      for (const p of cut) {
        if (!lost.has(p)) continue;
        const last = expected.at(-1);
        if (last && last.offset + last.length === p.at) last.length += p.len;
        else expected.push({ offset: p.at, length: p.len });
      }
      sawLoss += expected.length;
      expect(v.gaps.map(({ offset, length }) => ({ offset, length })), `seed ${seed}`).toEqual(expected);
      const kept = Buffer.concat(
        cut.filter((p) => !lost.has(p)).map((p) => Buffer.from(original.subarray(p.at, p.at + p.len))),
      );
      expect(Buffer.from(v.data).equals(kept), `seed ${seed}`).toBe(true);
      expect(v.ends.map((e) => e.reason), `seed ${seed}`).toEqual(['fin']);
    }
    expect(sawLoss).toBeGreaterThan(100);
  });
});
