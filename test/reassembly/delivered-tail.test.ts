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

describe('DeliveredTail with lent read buffers', () => {
  /** Read buffers in turn, as ByteQueue.lend keeps them: a piece is a view into the current one. */
  function lender(count: number, size: number, pool: TailPool) {
    const buffers = Array.from({ length: count }, () => new Uint8Array(new SharedArrayBuffer(size)));
    let current = 0;
    let used = 0;
    return {
      /** A view holding `bytes` in a lent buffer; moving to the next buffer says so first and scribbles on it. */
      lend(bytes: Uint8Array): Uint8Array {
        if (used + bytes.length > size) {
          current = (current + 1) % count;
          used = 0;
          pool.beforeReuse(buffers[current].buffer);
          buffers[current].fill(0xee);
        }
        const view = buffers[current].subarray(used, used + bytes.length);
        view.set(bytes);
        used += bytes.length;
        return view;
      },
    };
  }

  it('gives the same answers as a tail that copies at once, whatever the read buffers are overwritten with', () => {
    let seed = 11;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (const cap of [4096, 65536]) {
      const pool = new TailPool();
      pool.lends = true;
      const lent = new DeliveredTail(cap, pool);
      const plain = new DeliveredTail(cap);
      const buffers = lender(3, 3 * 1448 + 100, pool);
      let end = 0;
      for (let step = 0; step < 3000; step++) {
        const op = rnd(40);
        if (op === 0) {
          end += rnd(3000);
          lent.reset(end);
          plain.reset(end);
          continue;
        }
        const at = op === 1 ? end + 1 + rnd(5000) : end;
        const n = 1 + rnd(1448);
        const bytes = fill(n, at + step);
        // Now and then an owned copy (a reordered piece) between lent ones.
        lent.write(at, rnd(10) === 0 ? bytes : buffers.lend(bytes));
        plain.write(at, bytes);
        end = at + n;
        if (rnd(25) === 0) {
          const lo = Math.max(0, end - rnd(cap + 2000));
          const probe = fill(end - lo, lo);
          for (let i = 0; i < probe.length; i += 1 + rnd(200)) probe[i] ^= rnd(2);
          expect(lent.differs(lo, probe)).toBe(plain.differs(lo, probe));
        }
      }
    }
  });

  it('copies a piece when its buffer is about to be reused, and never one that left the window first', () => {
    const pool = new TailPool();
    pool.lends = true;
    const t = new DeliveredTail(4096, pool);
    const a = new Uint8Array(new SharedArrayBuffer(8192));
    a.set(fill(1000, 0));
    t.write(0, a.subarray(0, 1000));
    pool.beforeReuse(a.buffer);
    a.fill(0); // the reader writes over it: the tail has its copy
    expect(t.differs(0, fill(1000, 0))).toBe(false);
    expect(t.differs(0, new Uint8Array(1000))).toBe(true);

    // Bytes that leave the window are dropped unread: scribbling on them changes no answer.
    const b = new Uint8Array(new SharedArrayBuffer(8192));
    b.set(fill(8192, 1000));
    t.write(1000, b.subarray(0, 8192));
    b.subarray(0, 8192 - 4096).fill(0);
    expect(t.differs(1000 + 8192 - 4096, fill(4096, 1000 + 8192 - 4096))).toBe(false);
  });
});
