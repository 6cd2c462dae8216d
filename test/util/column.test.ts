// The tables analysis-parts.ts keeps a big capture's facts in: a column holds
// what was set in each row, across its chunks, at the precision of its kind;
// with a store, it keeps only its newest chunk in memory while rows are added.
import { describe, expect, it } from 'vitest';
import { ExchangeSpool } from '../../src/report/exchange-spool.js';
import { Column, CHUNK_ROWS, Numbered, type ChunkPlace, type ChunkStore } from '../../src/util/column.js';

/** A store that counts what goes in and comes out, over a real spool file. */
function countingStore(): ChunkStore & { puts: number; reads: number; spool: ExchangeSpool } {
  const spool = new ExchangeSpool();
  const store = {
    puts: 0,
    reads: 0,
    spool,
    appendBytes(bytes: Uint8Array): ChunkPlace {
      store.puts++;
      return spool.appendBytes(bytes);
    },
    readBytes(place: ChunkPlace): Uint8Array {
      store.reads++;
      return spool.readBytes(place);
    },
  };
  return store;
}

describe('Column', () => {
  it('gives back each row as set, across chunks of 4096 rows', () => {
    const offsets = new Column(Float64Array);
    const ids = new Column(Int32Array);
    const rows = 3 * 4096 + 17;
    for (let r = 0; r < rows; r++) {
      offsets.set(r, 2 ** 40 + r * 4099.5);
      ids.set(r, r % 7 === 0 ? -1 : r);
    }
    for (let r = rows - 1; r >= 0; r -= 13) {
      expect(offsets.get(r)).toBe(2 ** 40 + r * 4099.5);
      expect(ids.get(r)).toBe(r % 7 === 0 ? -1 : r);
    }
    // A row set again keeps the last value.
    ids.set(4096, 5);
    expect(ids.get(4096)).toBe(5);
    expect(ids.get(4097)).toBe(4097);
  });

  it('with a store, keeps only the chunk rows are being added to, and reads the others back when asked', () => {
    const store = countingStore();
    const offsets = new Column(Float64Array, store);
    const ids = new Column(Int32Array, store);
    const rows = 5 * CHUNK_ROWS + 3;
    for (let r = 0; r < rows; r++) {
      offsets.set(r, 2 ** 40 + r * 4099.5);
      ids.set(r, r % 7 === 0 ? -1 : r);
      expect(offsets.chunksInMemory).toBe(1);
    }
    expect(ids.chunksInMemory).toBe(1);
    expect(store.puts).toBe(2 * 5);
    expect(store.reads).toBe(0);
    // Read back in any order, the same values; a chunk read back stays.
    for (let r = rows - 1; r >= 0; r -= 7) {
      expect(offsets.get(r)).toBe(2 ** 40 + r * 4099.5);
      expect(ids.get(r)).toBe(r % 7 === 0 ? -1 : r);
    }
    expect(store.reads).toBe(2 * 5);
    expect(offsets.chunksInMemory).toBe(6);
    // A row set again after its chunk was put aside: read back once, then changed in memory.
    const other = new Column(Int32Array, store);
    for (let r = 0; r < 2 * CHUNK_ROWS; r++) other.set(r, r);
    const reads = store.reads;
    other.set(5, -1);
    expect(store.reads).toBe(reads + 1);
    expect([other.get(4), other.get(5), other.get(CHUNK_ROWS + 5)]).toEqual([4, -1, CHUNK_ROWS + 5]);
    expect(store.reads).toBe(reads + 1);
    store.spool.close();
  });
});

describe('Numbered', () => {
  it('numbers each distinct value from 0, in order of first sight, after the ones it starts with', () => {
    const names = new Numbered<string>();
    expect(['10.0.0.2', '10.0.0.1', '10.0.0.2', 'x'].map((n) => names.id(n))).toEqual([0, 1, 0, 2]);
    expect(names.list).toEqual(['10.0.0.2', '10.0.0.1', 'x']);
    const body = {};
    const shared = new Numbered<unknown>([undefined]);
    expect([shared.id(body), shared.id(undefined), shared.id(body)]).toEqual([1, 0, 1]);
    expect(shared.at(1)).toBe(body);
  });
});
