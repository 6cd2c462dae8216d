// The tables analysis-parts.ts keeps a big capture's facts in: a column holds
// what was set in each row, across its chunks, at the precision of its kind.
import { describe, expect, it } from 'vitest';
import { Column, Numbered } from '../../src/util/column.js';

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
