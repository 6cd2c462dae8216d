import { describe, expect, it } from 'vitest';
import { TupleTable } from '../../src/reassembly/tuple-table.js';

/** The string key the reassembler used before: the reference the table must agree with. */
function flowKey(srcIp: string, srcPort: number, dstIp: string, dstPort: number): string {
  if (srcIp < dstIp || (srcIp === dstIp && srcPort <= dstPort)) return `${srcIp} ${srcPort} ${dstIp} ${dstPort}`;
  return `${dstIp} ${dstPort} ${srcIp} ${srcPort}`;
}

describe('TupleTable', () => {
  it('is the same in both directions', () => {
    const t = new TupleTable<string>();
    t.set('10.0.0.1', 50000, '10.0.0.2', 80, 'a');
    t.set('fe80::1', 51000, '2001:db8::1', 443, 'b');
    expect(t.get('10.0.0.2', 80, '10.0.0.1', 50000)).toBe('a');
    expect(t.get('2001:db8::1', 443, 'fe80::1', 51000)).toBe('b');
    expect(t.size).toBe(2);
  });

  it('orders by port when the addresses are equal (loopback), and takes a tuple with itself', () => {
    const t = new TupleTable<string>();
    t.set('127.0.0.1', 9000, '127.0.0.1', 80, 'x');
    t.set('127.0.0.1', 7, '127.0.0.1', 7, 'self');
    expect(t.get('127.0.0.1', 80, '127.0.0.1', 9000)).toBe('x');
    expect(t.get('127.0.0.1', 7, '127.0.0.1', 7)).toBe('self');
    expect(t.delete('127.0.0.1', 7, '127.0.0.1', 7)).toBe(true);
    expect(t.get('127.0.0.1', 9000, '127.0.0.1', 80)).toBe('x');
  });

  it('tells different 4-tuples apart, including ones that would collide if joined naively', () => {
    const t = new TupleTable<number>();
    const tuples: Array<[string, number, string, number]> = [
      ['10.0.0.1', 50000, '10.0.0.2', 80],
      ['10.0.0.1', 50001, '10.0.0.2', 80],
      ['10.0.0.1', 50000, '10.0.0.3', 80],
      ['10.0.0.1', 5, '10.0.0.2', 180],
      ['10.0.0.1', 51, '10.0.0.2', 80],
      ['2001:db8::1', 80, '2001:db8::2', 80],
      ['10.0.0.1', 80, '10.0.0.2', 50000],
      ['10.0.0.1', 0, '10.0.0.2', 65535],
      ['10.0.0.1', 65535, '10.0.0.2', 0],
    ];
    tuples.forEach(([a, p, b, q], i) => t.set(a, p, b, q, i));
    expect(t.size).toBe(tuples.length);
    tuples.forEach(([a, p, b, q], i) => expect(t.get(b, q, a, p)).toBe(i));
  });

  it('agrees with a string-keyed Map through many sets and deletes, and frees what it forgets', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const t = new TupleTable<number>();
    const ref = new Map<string, number>();
    // Few addresses and ports, so tuples repeat, collide and leave long probe runs behind.
    const ip = (): string => (rnd(5) === 0 ? `fe80::${rnd(3)}` : `10.0.0.${rnd(6)}`);
    for (let step = 0; step < 20000; step++) {
      const a = ip();
      const p = rnd(4) * 1000;
      const b = ip();
      const q = rnd(4);
      const k = flowKey(a, p, b, q);
      const op = rnd(3);
      if (op === 0) {
        t.set(a, p, b, q, step);
        ref.set(k, step);
      } else if (op === 1) {
        expect(t.delete(b, q, a, p)).toBe(ref.delete(k));
      }
      expect(t.get(b, q, a, p)).toBe(ref.get(k));
      expect(t.size).toBe(ref.size);
    }
    expect([...t.allValues()].sort((x, y) => x - y)).toEqual([...ref.values()].sort((x, y) => x - y));
    // Emptied, it holds no address any more (ids are released with the last entry).
    for (const v of [...ref.keys()]) {
      const [a, p, b, q] = v.split(' ');
      expect(t.delete(a, Number(p), b, Number(q))).toBe(true);
    }
    expect(t.size).toBe(0);
    expect((t as unknown as { ids: Map<string, number> }).ids.size).toBe(0);
  });

  it('never answers from its recent-tuple cache what the table no longer holds', () => {
    const t = new TupleTable<string>();
    // Same ports, other addresses: the same cache slot, told apart by the addresses.
    t.set('10.0.0.1', 50000, '10.0.0.9', 80, 'one');
    t.set('10.0.0.2', 50000, '10.0.0.9', 80, 'two');
    t.set('10.0.0.2', 80, '10.0.0.9', 50000, 'swapped ports');
    for (let i = 0; i < 2; i++) {
      // Found twice: the second time from the cache, in either direction, with equal but not identical strings.
      expect(t.get('10.0.0.1', 50000, '10.0.0.9', 80)).toBe('one');
      expect(t.get(['10.0.0', '9'].join('.'), 80, '10.0.0.1', 50000)).toBe('one');
      expect(t.get('10.0.0.2', 50000, '10.0.0.9', 80)).toBe('two');
      expect(t.get('10.0.0.9', 50000, '10.0.0.2', 80)).toBe('swapped ports');
      expect(t.get('10.0.0.3', 50000, '10.0.0.9', 80)).toBeUndefined();
    }
    t.get('10.0.0.1', 50000, '10.0.0.9', 80);
    t.set('10.0.0.9', 80, '10.0.0.1', 50000, 'replaced');
    expect(t.get('10.0.0.1', 50000, '10.0.0.9', 80)).toBe('replaced');
    expect(t.delete('10.0.0.1', 50000, '10.0.0.9', 80)).toBe(true);
    expect(t.get('10.0.0.1', 50000, '10.0.0.9', 80)).toBeUndefined();
    expect(t.get('10.0.0.9', 80, '10.0.0.1', 50000)).toBeUndefined();
    expect(t.get('10.0.0.2', 50000, '10.0.0.9', 80)).toBe('two');
  });
});
