// The key property of a push parser (style habit 7): the same bytes cut at any
// point give exactly the same messages, with the same frames and offsets.
import { describe, expect, it } from 'vitest';
import { Http1Parser } from '../../src/http/http1-parser.js';
import type { HttpEvent } from '../../src/http/http1-parser.js';
import { bytesOf, directionStream, feed, FIXTURES, loadFixture, messages, spansFor } from './helpers.js';

/** Bodies as hex, so comparing thousands of runs stays quick (deep-equal on typed arrays is slow). */
function plain(events: HttpEvent[]): unknown[] {
  return events.map((e) =>
    e.kind === 'message' && e.message.body ? { ...e, message: { ...e.message, body: Buffer.from(e.message.body).toString('hex') } } : e,
  );
}

function parseBoth(name: string, cutsFor: (len: number) => number[][]) {
  const chunks = loadFixture(name);
  const req = directionStream(chunks, 'c2s');
  const resp = directionStream(chunks, 's2c');
  const methods = messages(feed(new Http1Parser('request'), req.bytes, req.spans, [])).map((m) => (m.type === 'request' ? m.method : ''));
  const run = (role: 'request' | 'response', s: { bytes: Uint8Array; spans: typeof req.spans }, cuts: number[]) => {
    const p = new Http1Parser(role, { keepBodies: true });
    if (role === 'response') for (const m of methods) p.expectResponseTo(m);
    return plain(feed(p, s.bytes, s.spans, cuts));
  };
  return { req, resp, run, cutsFor };
}

describe('split invariance over recorded fixtures', () => {
  for (const name of FIXTURES) {
    it(`${name}: every split point and 1-byte pieces give the one-push messages`, () => {
      const { req, resp, run } = parseBoth(name, () => []);
      for (const [role, s] of [['request', req], ['response', resp]] as const) {
        const whole = run(role, s, []);
        expect(whole.some((e) => (e as HttpEvent).kind === 'message')).toBe(true);
        for (let cut = 1; cut < s.bytes.length; cut++) {
          expect(run(role, s, [cut])).toEqual(whole);
        }
        const ones = Array.from({ length: s.bytes.length }, (_, i) => i);
        expect(run(role, s, ones)).toEqual(whole);
      }
    });
  }
});

describe('split invariance over malformed input', () => {
  const cases: Record<string, string> = {
    'te-and-cl': 'POST /a HTTP/1.1\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nT: v\r\n\r\nGET /b HTTP/1.1\r\n\r\n',
    'conflicting-cl': 'POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: x\r\n\r\n',
    'huge-chunk': 'POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nxx\r\nGET /b HTTP/1.1\r\n\r\n',
    'bad-start': 'garbage here\r\nmore garbage GET /b HTTP/1.1\r\nHost: y\r\n\r\n',
    'leading-crlf': '\r\n\r\nGET /a HTTP/1.1\r\n\r\n\r\nGET /b HTTP/1.1\r\n\r\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`${name}: every split point and 1-byte pieces`, () => {
      const bytes = bytesOf(text);
      const spans = spansFor([bytes]);
      const run = (cuts: number[]) => feed(new Http1Parser('request', { keepBodies: true }), bytes, spans, cuts);
      const whole = run([]);
      for (let cut = 1; cut < bytes.length; cut++) expect(run([cut])).toEqual(whole);
      expect(run(Array.from({ length: bytes.length }, (_, i) => i))).toEqual(whole);
      expect(messages(whole).some((m) => m.type === 'request' && m.uri === '/b')).toBe(true);
    });
  }

  it('a head over the cap is cut at the same byte whatever the split', () => {
    const text = `GET /a HTTP/1.1\r\nX-Big: ${'a'.repeat(300)}\r\n\r\nGET /b HTTP/1.1\r\n\r\n`;
    const bytes = bytesOf(text);
    const spans = spansFor([bytes]);
    const run = (cuts: number[]) => feed(new Http1Parser('request', { maxHeadBytes: 128 }), bytes, spans, cuts);
    const whole = run([]);
    expect(whole[0]).toMatchObject({ kind: 'error', error: { code: 'http.head-too-large', offset: 128 } });
    for (let cut = 1; cut < bytes.length; cut++) expect(run([cut])).toEqual(whole);
  });
});
