// The queue the connection log keeps closed connections in: first in, first
// out across its compactions, and nothing kept once handed out.
import { describe, expect, it } from 'vitest';
import { Fifo } from '../../src/util/fifo.js';
import { aliveAfterCollecting, countAlive } from '../helpers/collected.js';

describe('Fifo', () => {
  it('hands items out in the order they came, across the copies that drop the taken ones', () => {
    const q = new Fifo<number>();
    expect(q.shift()).toBeUndefined();
    let next = 0;
    let taken = 0;
    // Interleaved: three in, two out, past several compactions.
    for (let round = 0; round < 10_000; round++) {
      for (let k = 0; k < 3; k++) q.push(next++);
      for (let k = 0; k < 2; k++) {
        expect(q.peek()).toBe(taken);
        expect(q.shift()).toBe(taken++);
      }
      expect(q.size).toBe(next - taken);
    }
    while (q.size > 0) expect(q.shift()).toBe(taken++);
    expect(taken).toBe(next);
    expect(q.peek()).toBeUndefined();
    expect(q.shift()).toBeUndefined();
  });

  it('lets go of an item once it is taken', async () => {
    const q = new Fifo<object>();
    let item: object | undefined = { n: 1 };
    const ref = new WeakRef(item);
    q.push(item);
    q.push({ n: 2 });
    expect(q.shift()).toBe(item);
    item = undefined;
    expect(await aliveAfterCollecting(() => countAlive([ref]))).toBe(0);
    expect(q.size).toBe(1);
  });
});
