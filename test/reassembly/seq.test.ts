import { describe, expect, it } from 'vitest';
import { offsetToSeq, seqAdd, seqDiff, seqGeq, seqGt, seqLeq, seqLt, unwrapSeq } from '../../src/reassembly/seq.js';

describe('sequence arithmetic mod 2^32', () => {
  it.each([
    // a, b, a - b
    [10, 5, 5],
    [5, 10, -5],
    [0, 0xffffffff, 1],
    [0xffffffff, 0, -1],
    [0x10, 0xfffffff0, 0x20],
    [0x80000000, 0, -0x80000000], // exactly half way: the RFC 1982 undefined case lands negative
    [0x7fffffff, 0, 0x7fffffff],
  ])('seqDiff(%i, %i) = %i', (a, b, d) => {
    expect(seqDiff(a, b)).toBe(d);
  });

  it('compares across the wrap', () => {
    expect(seqLt(0xfffffff0, 0x10)).toBe(true);
    expect(seqGt(0x10, 0xfffffff0)).toBe(true);
    expect(seqLeq(7, 7)).toBe(true);
    expect(seqGeq(7, 7)).toBe(true);
    expect(seqLt(7, 7)).toBe(false);
  });

  it.each([
    [0xffffffff, 1, 0],
    [0xffffff00, 0x200, 0x100],
    [5, -10, 0xfffffffb],
    [1, 2 ** 32 * 3 + 4, 5],
    [0, -(2 ** 32) - 1, 0xffffffff],
  ])('seqAdd(%i, %i) = %i', (s, n, r) => {
    expect(seqAdd(s, n)).toBe(r);
  });
});

describe('unwrapSeq', () => {
  it('keeps growing across the 2^32 wrap', () => {
    const base = 0xffffff01;
    expect(unwrapSeq(0xffffff01, base, 0)).toBe(0);
    expect(unwrapSeq(0x00000001, base, 0xf0)).toBe(0x100);
    // Slightly behind the reference: a retransmission, still a small offset.
    expect(unwrapSeq(0xfffffff0, base, 0x100)).toBe(0xef);
  });

  it('gives offsets beyond 4 GiB when the reference is there', () => {
    const base = 1000;
    const near = 5 * 2 ** 32 + 123;
    const seq = offsetToSeq(near + 500, base);
    expect(unwrapSeq(seq, base, near)).toBe(near + 500);
    expect(unwrapSeq(offsetToSeq(near - 500, base), base, near)).toBe(near - 500);
  });

  it('round-trips with offsetToSeq within 2^31 of the reference', () => {
    for (const base of [0, 1, 0x7fffffff, 0xfffffffe]) {
      for (const off of [0, 1, 2 ** 31 - 1, 2 ** 32, 2 ** 40 + 17]) {
        expect(unwrapSeq(offsetToSeq(off, base), base, off)).toBe(off);
        expect(unwrapSeq(offsetToSeq(off, base), base, off + 1000)).toBe(off);
      }
    }
  });

  it('seqAdd: the fast path agrees with the remainder formula', () => {
    const slow = (seq: number, n: number): number => {
      const r = (seq + (n % 2 ** 32)) % 2 ** 32;
      return r < 0 ? r + 2 ** 32 : r;
    };
    const edges = [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, -1, -(2 ** 32), 2 ** 40];
    let seed = 99;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const values = [...edges];
    for (let i = 0; i < 200; i++) values.push(rnd(), rnd() * 2 ** 12 + rnd());
    for (const a of values) for (const b of edges.concat(values.slice(0, 40))) expect(seqAdd(a, b)).toBe(slow(a, b));
  });
});
