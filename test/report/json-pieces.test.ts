// The pieces must join to exactly JSON.stringify(doc, null, 2), whatever the doc.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinObjects, LazyJsonArray, prettyAt, PrettyJson, prettyJsonPieces, writeJsonPieces, writeJsonPiecesPaced } from '../../src/report/json-pieces.js';

function joined(doc: Record<string, unknown>): string {
  return [...prettyJsonPieces(doc)].join('');
}

describe('prettyJsonPieces', () => {
  it('joins to JSON.stringify(doc, null, 2) on hand-picked documents', () => {
    const docs: Array<Record<string, unknown>> = [
      {},
      { a: undefined, f: () => 1 },
      { schema: 1, list: [], obj: {}, nested: { x: [1, { y: 'a\nb' }] } },
      { exchanges: [{ id: '1.1', notes: [] }, undefined, null, () => 2, 'text "quoted"', [[]]], last: [0] },
      { date: new Date(0), s: Symbol('x'), n: null, big: [1e21, -0, NaN] },
      // toJSON answering undefined, null or text, as a member and in a list; strings with escapes and indentation-like text.
      { gone: { toJSON: () => undefined }, nil: { toJSON: () => null }, list: [{ toJSON: () => undefined }, { toJSON: () => 'x' }, [{ deep: [[], {}] }]] },
      { text: ['[\n  [', '\n  ]\n]', '\u001b[31m'], obj: { '': { '\n': [null] } } },
    ];
    for (const d of docs) expect(joined(d)).toBe(JSON.stringify(d, null, 2));
  });

  it('joins to JSON.stringify(doc, null, 2) on random JSON documents', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (d) => {
        expect(joined(d)).toBe(JSON.stringify(d, null, 2));
      }),
      { numRuns: 500 },
    );
  });

  it('writes a LazyJsonArray as the array it yields, making each element only when it is written', () => {
    for (const items of [[], [1], [{ a: [1, 2] }, undefined, 'x', null], Array.from({ length: 50 }, (_, i) => ({ i }))]) {
      let made = 0;
      const lazy = new LazyJsonArray(function* () {
        for (const x of items) {
          made++;
          yield x;
        }
      });
      const doc = { before: 1, list: lazy, after: [2] };
      const plain = { before: 1, list: items, after: [2] };
      const pieces = prettyJsonPieces(doc);
      expect(made).toBe(0);
      expect([...pieces].join('')).toBe(JSON.stringify(plain, null, 2));
      expect(made).toBe(items.length);
      // JSON.stringify sees a plain array too.
      expect(JSON.stringify(doc, null, 2)).toBe(JSON.stringify(plain, null, 2));
    }
  });

  it('writes runs that add up to the document and a final newline', () => {
    const doc = { items: Array.from({ length: 500 }, (_, i) => ({ i, text: 'x'.repeat(i % 50) })) };
    const runs: string[] = [];
    writeJsonPieces(doc, (t) => runs.push(t), 1024);
    expect(runs.length).toBeGreaterThan(5);
    expect(runs.join('')).toBe(JSON.stringify(doc, null, 2) + '\n');
  });
});

describe('writeJsonPiecesPaced', () => {
  it('writes the same runs as writeJsonPieces, waiting for room after each before making the next', async () => {
    const doc = { schema: 1, exchanges: Array.from({ length: 200 }, (_, i) => ({ id: `${i}.1`, text: 'x'.repeat(50) })) };
    const expected: string[] = [];
    writeJsonPieces(doc, (t) => expected.push(t), 1024);
    const got: string[] = [];
    let waiting: (() => void) | undefined;
    const done = writeJsonPiecesPaced(
      doc,
      (t) => got.push(t),
      () => new Promise<void>((r) => (waiting = r)),
      1024,
    );
    // Each write waits for room: nothing more is written until it is given.
    for (let i = 1; i <= expected.length; i++) {
      await new Promise((r) => setImmediate(r));
      expect(got.length).toBe(i);
      waiting!();
    }
    await done;
    expect(got).toEqual(expected);
    expect(got.join('')).toBe(JSON.stringify(doc, null, 2) + '\n');
  });
});

describe('PrettyJson and joinObjects', () => {
  it('writes text made earlier by prettyAt as JSON.stringify would write the value', () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 5 }), (items) => {
        const lazy = new LazyJsonArray(() => items.map((x) => new PrettyJson(prettyAt(x, 2)!, 2)));
        expect(joined({ head: 1, exchanges: lazy })).toBe(JSON.stringify({ head: 1, exchanges: items }, null, 2));
        // Seen by JSON.stringify itself, the text stands for its value.
        expect(JSON.stringify(lazy)).toBe(JSON.stringify(items));
      }),
      { numRuns: 300 },
    );
  });

  it('joins two objects made at the same depth into the object with the members of both', () => {
    // Keys that are not array indices: JavaScript puts those first in any object, whatever the order of writing.
    const key = fc.string().filter((k) => !/^(0|[1-9]\d*)$/.test(k));
    fc.assert(
      fc.property(fc.dictionary(key, fc.jsonValue()), fc.dictionary(key, fc.jsonValue()), fc.integer({ min: 0, max: 4 }), (a, b, depth) => {
        const onlyB = Object.fromEntries(Object.entries(b).filter(([k]) => !(k in a)));
        expect(joinObjects(prettyAt(a, depth)!, prettyAt(onlyB, depth)!, depth)).toBe(prettyAt({ ...a, ...onlyB }, depth));
      }),
      { numRuns: 500 },
    );
  });
});
