// The exchange JSON written straight to text must be the text prettyAt makes
// of exchangeJson's object, whatever the exchange holds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HttpExchange } from '../../src/http/exchanges.js';
import { exchangeJson } from '../../src/report/flows-json.js';
import { exchangeJsonText } from '../../src/report/exchange-text.js';
import { prettyAt } from '../../src/report/json-pieces.js';
import { exchange } from '../diagnose/rules/builders.js';

describe('exchangeJsonText', () => {
  it('writes what prettyAt writes of exchangeJson, at any depth', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const header = fc.record({ name: text, value: text });
    const note = fc.record({ code: text, layer: text, offset: fc.nat(), frame: fc.option(fc.nat(), { nil: undefined }), detail: fc.option(text, { nil: undefined }) });
    fc.assert(
      fc.property(
        fc.record({
          id: text,
          uri: text,
          rawTarget: fc.option(text, { nil: undefined }),
          method: text,
          reason: text,
          status: fc.integer({ min: 100, max: 999 }),
          headers: fc.array(header, { maxLength: 3 }),
          notes: fc.array(note, { maxLength: 2 }),
          noRequest: fc.boolean(),
          noResponse: fc.boolean(),
          interim: fc.boolean(),
          sha: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 64 }),
          at: fc.bigInt({ min: 0n, max: 4_000_000_000_000_000_000n }),
          depth: fc.integer({ min: 0, max: 20 }),
        }),
        (o) => {
          const x: HttpExchange = exchange({ id: o.id, method: o.method, uri: o.uri, rawTarget: o.rawTarget, reqFrame: 7, status: o.status, reason: o.reason, headers: o.headers }).http;
          x.request!.endNs = o.at;
          x.request!.bodySha256 = o.sha;
          x.request!.headers = o.headers;
          x.notes = o.notes;
          if (o.interim) x.interim = [{ ...x.response!, status: 100, reason: o.reason }];
          if (o.noRequest) x.request = null;
          if (o.noResponse) x.response = null;
          expect(exchangeJsonText(x, o.depth)).toBe(prettyAt(exchangeJson(x), o.depth));
        },
      ),
      { numRuns: 400 },
    );
  });
});
