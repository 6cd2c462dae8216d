import { describe, expect, it } from 'vitest';
import { Memo, TwoKeyMemo } from '../../src/util/two-key-memo.js';

describe('TwoKeyMemo', () => {
  it('answers what was remembered for both keys, and nothing for another pair', () => {
    const m = new TwoKeyMemo<string, number, string>(10);
    expect(m.remember('a', 1, 'a1')).toBe('a1');
    m.remember('a', 2, 'a2');
    m.remember('b', 1, 'b1');
    expect([m.get('a', 1), m.get('a', 2), m.get('b', 1), m.get('b', 2), m.get('c', 1)]).toEqual(['a1', 'a2', 'b1', undefined, undefined]);
    expect(m.size).toBe(3);
  });

  it('starts over when full, and never holds more than its bound', () => {
    const m = new TwoKeyMemo<string, number, number>(4);
    for (let i = 0; i < 4; i++) m.remember('k', i, i);
    expect(m.get('k', 0)).toBe(0);
    m.remember('k', 4, 4);
    expect(m.size).toBe(1);
    expect(m.get('k', 0)).toBeUndefined();
    expect(m.get('k', 4)).toBe(4);
    for (let i = 0; i < 100; i++) {
      m.remember(`x${i}`, i, i);
      expect(m.size).toBeLessThanOrEqual(4);
    }
  });
});

describe('Memo', () => {
  it('makes each answer once, an undefined one included, and starts over when full', () => {
    const made: string[] = [];
    const m = new Memo<string, string | undefined>(3);
    const make = (k: string) => {
      made.push(k);
      return k === 'none' ? undefined : k.toUpperCase();
    };
    expect([m.of('a', make), m.of('none', make), m.of('a', make), m.of('none', make)]).toEqual(['A', undefined, 'A', undefined]);
    expect(made).toEqual(['a', 'none']);
    m.of('b', make);
    // Full (3 answers): the next new key forgets everything before it is remembered.
    m.of('c', make);
    m.of('a', make);
    expect(made).toEqual(['a', 'none', 'b', 'c', 'a']);
  });
});
