// The HTTP/1.x parser on arbitrary bytes never throws, and on HTTP-shaped
// streams (valid, odd and broken messages mixed) gives the same messages and
// errors whatever the points where TCP split the stream.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Http1Parser, type HttpEvent, type Http1ParserOptions } from '../../src/http/http1-parser.js';

const START = [
  'GET / HTTP/1.1', 'HEAD /x HTTP/1.1', 'POST /RequestHandler/ucdevice.upx HTTP/1.1', 'CONNECT h:443 HTTP/1.1', 'GET / HTTP/1.0',
  'HTTP/1.1 200 OK', 'HTTP/1.1 100 Continue', 'HTTP/1.1 204 No Content', 'HTTP/1.1 304 Not Modified', 'HTTP/1.0 200 OK',
  'HTTP/1.1 101 Switching Protocols', 'HTTP/1.1 999 X', 'BAD LINE', '',
];
const FIELDS = [
  'Host: a', 'Content-Length: 0', 'Content-Length: 3', 'Content-Length: 10', 'Content-Length: 3, 3', 'Content-Length: 3, 4', 'Content-Length: -1',
  'Content-Length: 18446744073709551616', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip', 'Connection: close', 'Expect: 100-continue',
  ' folded', 'no colon', 'Trailer: X', 'X-Esc: \u001b[2J',
];
const CHUNKS = ['3\r\nabc\r\n', '0\r\nno colon\r\n\r\n', '0\r\n\r\n', '0\r\nX: 1\r\n\r\n', 'ffffffffffffffff\r\n', '-1\r\n', '1;e=1\r\nz\r\n', 'g\r\n', '2\r\nab', '\r\n'];
const EOL = ['\r\n', '\r\n', '\r\n', '\n'];

const message = fc
  .tuple(
    fc.constantFrom(...START),
    fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.constantFrom(...EOL)), { maxLength: 5 }),
    fc.constantFrom(...EOL),
    fc.oneof(fc.constant(''), fc.string({ maxLength: 12 }), fc.array(fc.constantFrom(...CHUNKS), { maxLength: 4 }).map((c) => c.join(''))),
  )
  .map(([start, fields, end, body]) => `${start}\r\n${fields.map(([f, e]) => f + e).join('')}${end}${body}`);

const stream = fc
  .tuple(fc.array(fc.oneof({ weight: 4, arbitrary: message }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), { maxLength: 5 }))
  .map(([parts]) => new Uint8Array(Buffer.from(parts.join(''), 'latin1')));

/** Everything about the events that must not depend on the split (frames do). */
function summary(events: HttpEvent[]): unknown[] {
  return events.map((e) =>
    e.kind === 'error'
      ? ['error', e.error.code, e.error.offset, e.resumable]
      : [
          e.message.type === 'request' ? [e.message.method, e.message.uri] : [e.message.status, e.message.reason],
          e.message.version, e.message.headers, e.message.trailers, e.message.bodySize, e.message.bodySha256,
          e.message.body && Buffer.from(e.message.body).toString('latin1'),
          e.message.complete, e.message.streamStart, e.message.streamEnd, e.message.notes.map((n) => [n.code, n.offset]),
        ],
  );
}

function run(role: 'request' | 'response', b: Uint8Array, cuts: number[], opts: Http1ParserOptions): HttpEvent[] {
  const p = new Http1Parser(role, { keepBodies: true, ...opts });
  if (role === 'response') for (const m of ['GET', 'HEAD', 'GET', 'CONNECT', 'GET', 'GET']) p.expectResponseTo(m);
  const points = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const events: HttpEvent[] = [];
  let from = 0;
  [...points, b.length].forEach((to, k) => {
    if (to < from) return;
    events.push(...p.push(b.subarray(from, to), [{ frame: k + 1, timestampNs: BigInt(k), streamOffset: from, length: to - from }]));
    from = to;
  });
  events.push(...p.end('fin', { frame: 999, timestampNs: 0n }));
  return events;
}

const options = fc.constantFrom<Http1ParserOptions>({}, { maxHeadBytes: 40 }, { maxBodyBytes: 4 }, { maxHeaders: 2 }, { resync: true });

describe('HTTP/1.x parser', () => {
  it('never throws on arbitrary bytes, in either role, split anywhere, with gaps', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 8 }), options, fc.nat(50), (b, cuts, opts, gapAt) => {
        for (const role of ['request', 'response'] as const) {
          run(role, b, cuts, opts);
          const p = new Http1Parser(role, opts);
          p.push(b.subarray(0, gapAt), []);
          p.gap(gapAt + 1, 2);
          p.push(b.subarray(gapAt), []);
          p.end('rst');
        }
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same messages and errors whatever the split points', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 12 }), options, fc.constantFrom('request', 'response'), (b, cuts, opts, role) => {
        expect(summary(run(role as 'request' | 'response', b, cuts, opts))).toEqual(summary(run(role as 'request' | 'response', b, [], opts)));
      }),
      { numRuns: 1000 },
    );
  });

  it('splitting into single bytes changes nothing either', () => {
    fc.assert(
      fc.property(stream, options, (b, opts) => {
        const every = Array.from({ length: b.length }, (_, i) => i);
        for (const role of ['request', 'response'] as const) expect(summary(run(role, b, every, opts))).toEqual(summary(run(role, b, [], opts)));
      }),
      { numRuns: 200 },
    );
  });
});
