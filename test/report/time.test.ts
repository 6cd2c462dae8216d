// isoNs takes a fast path (digits split, one Date per second); the general
// path must agree with it everywhere the fast path is taken, edges included.
import { describe, expect, it } from 'vitest';
import { isoNs, isoNsSlow } from '../../src/report/time.js';

describe('isoNs', () => {
  it('agrees with the general path at the edges and on random timestamps', () => {
    const edges = [
      0n, 1n, 999_999_999n, 1_000_000_000n, 1_000_000_001n, 1_236_359_239_000_175_000n, 1_236_359_239_999_999_999n,
      1_236_359_240_000_000_000n, 253_402_300_799_999_999_999n, 253_402_300_800_000_000_000n,
      8_640_000_000_000n * 1_000_000_000n, 8_640_000_000_000n * 1_000_000_000n + 1n, 8_640_000_000_001n * 1_000_000_000n,
      -1n, -1_000_000_000n, -1_000_000_001n, 2n ** 64n,
    ];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const random = Array.from({ length: 2000 }, () => BigInt(Math.floor(rnd() * 2 ** 31)) * 1_000_000_000n + BigInt(Math.floor(rnd() * 1e9)));
    for (const ns of [...edges, ...random, ...edges]) expect(isoNs(ns)).toBe(isoNsSlow(ns));
  });

  it('prints nine fractional digits', () => {
    expect(isoNs(1_236_359_239_000_175_000n)).toBe('2009-03-06T17:07:19.000175000Z');
    expect(isoNs(-1n)).toBe('1969-12-31T23:59:59.999999999Z');
  });
});
