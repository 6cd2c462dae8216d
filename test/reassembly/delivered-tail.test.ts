import { describe, expect, it } from 'vitest';
import { DeliveredTail, TailPool } from '../../src/reassembly/delivered-tail.js';

function fill(n: number, from: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (from + i) * 7 & 0xff;
  return b;
}

describe('DeliveredTail', () => {
  it('compares a resend with the delivered bytes, across ring wrap and growth', () => {
    const t = new DeliveredTail(16384);
    let off = 0;
    for (const n of [1000, 3000, 5000, 9000]) {
      t.write(off, fill(n, off));
      off += n;
    }
    // The last 16384 bytes are kept; an identical resend does not differ.
    expect(t.differs(off - 16384, fill(16384, off - 16384))).toBe(false);
    const changed = fill(100, off - 50);
    changed[10] ^= 1;
    expect(t.differs(off - 50, changed)).toBe(true);
    // Bytes that fell out of the tail cannot be judged: no claim of difference.
    const old = fill(100, 0);
    old[0] ^= 1;
    expect(t.differs(0, old)).toBe(false);
  });

  it('forgets bytes before a reset (a gap) and before a non-contiguous write', () => {
    const t = new DeliveredTail(4096);
    t.write(0, fill(100, 0));
    t.reset(150);
    expect(t.differs(0, new Uint8Array(100))).toBe(false);
    t.write(150, fill(10, 150));
    expect(t.differs(150, new Uint8Array(10))).toBe(true);
    t.write(500, fill(10, 500));
    expect(t.differs(150, new Uint8Array(10))).toBe(false);
    expect(t.differs(500, new Uint8Array(10))).toBe(true);
  });

  it('keeps only the last capacity bytes of one large write', () => {
    const t = new DeliveredTail(4096);
    t.write(0, fill(10000, 0));
    expect(t.differs(10000 - 4096, fill(4096, 10000 - 4096))).toBe(false);
    expect(t.differs(9999, new Uint8Array([0xff ^ fill(1, 9999)[0]]))).toBe(true);
  });

  it('agrees with a plain record of every delivered byte through growth, wrap, resets and jumps', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (const cap of [4096, 16384, 65536]) {
      const t = new DeliveredTail(cap);
      // known[o] is the byte delivered at stream offset o, or undefined before a reset.
      let known = new Map<number, number>();
      let end = 0;
      for (let step = 0; step < 400; step++) {
        const op = rnd(20);
        if (op === 0) {
          end += rnd(3000);
          t.reset(end);
          known = new Map();
          continue;
        }
        // Mostly contiguous writes (as delivery makes them), now and then one elsewhere.
        const at = op === 1 ? end + 1 + rnd(5000) : end;
        if (at !== end) known = new Map();
        const n = rnd(8) === 0 ? rnd(3 * cap) : 1 + rnd(2000);
        const bytes = fill(n, at + step);
        t.write(at, bytes);
        for (let i = 0; i < n; i++) known.set(at + i, bytes[i]);
        end = at + n;
        // Probe a range around the end: any known byte (within the last cap) changed must be seen.
        const lo = Math.max(0, end - rnd(cap + 2000));
        const probe = new Uint8Array(end - lo + rnd(50));
        for (let i = 0; i < probe.length; i++) probe[i] = known.get(lo + i) ?? rnd(256);
        expect(t.differs(lo, probe)).toBe(false);
        const flip = lo + rnd(probe.length);
        probe[flip - lo] ^= 0x55;
        const judged = known.has(flip) && flip >= end - cap;
        expect(t.differs(lo, probe)).toBe(judged);
      }
    }
  });

  it('a ring from the pool carries old bytes that are never taken for delivered ones', () => {
    const pool = new TailPool();
    const a = new DeliveredTail(8192, pool);
    a.write(0, fill(8192, 0)); // grows 4096 -> 8192; the 4096 ring goes to the pool
    a.release();
    const b = new DeliveredTail(8192, pool);
    b.write(100, fill(10, 100));
    // Only [100, 110) is known to b, whatever the reused ring held before.
    expect(b.differs(0, new Uint8Array(100))).toBe(false);
    expect(b.differs(100, fill(10, 100))).toBe(false);
    expect(b.differs(100, new Uint8Array(10))).toBe(true);
    b.write(110, fill(5000, 110)); // grows into the 8192 ring a gave back
    expect(b.differs(100, fill(5010, 100))).toBe(false);
    const changed = fill(5010, 100);
    changed[4000] ^= 1;
    expect(b.differs(100, changed)).toBe(true);
    expect(b.differs(5110, new Uint8Array(3000))).toBe(false);
  });
});
