import { describe, expect, it } from 'vitest';
import { DeliveredTail } from '../../src/reassembly/delivered-tail.js';

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
});
