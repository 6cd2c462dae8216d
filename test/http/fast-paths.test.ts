// The parser's fast paths (a body piece inside a Content-Length body, a plain
// single Content-Length, a kept body grown in one buffer, the head read in one
// pass) against what the general code gives: same messages, same notes,
// wherever TCP split the bytes.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Http1Parser, parseFieldLines, type HttpEvent } from '../../src/http/http1-parser.js';
import type { HttpMessage } from '../../src/http/message.js';
import { bytesOf, messages } from './helpers.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Feed `b` in pieces of `size` bytes (one frame each), then a gap of `gapAt` if set, then end. */
function feedPieces(p: Http1Parser, b: Uint8Array, size: number): HttpEvent[] {
  const out: HttpEvent[] = [];
  for (let from = 0, k = 1; from < b.length; from += size, k++) {
    const to = Math.min(b.length, from + size);
    // A copy: the parser must not keep the lent bytes.
    out.push(...p.push(b.slice(from, to), [{ frame: k, timestampNs: BigInt(k), streamOffset: from, length: to - from }]));
  }
  out.push(...p.end('fin'));
  return out;
}

const summary = (m: HttpMessage) => ({
  ...m,
  body: m.body ? Buffer.from(m.body).toString('latin1') : undefined,
  notes: m.notes.map((n) => [n.code, n.offset, n.frame, n.detail]),
});

describe('Content-Length bodies', () => {
  const body = 'abcdefghij'.repeat(50);
  const variants = ['500', '0500', '500, 500', '500,500', ' 500 '];
  it.each(variants)('Content-Length "%s" frames the same body in any split', (cl) => {
    const text = `POST /x HTTP/1.1\r\nContent-Length: ${cl}\r\n\r\n${body}GET /next HTTP/1.1\r\n\r\n`;
    const results = [1, 7, 64, 1448, text.length].map((size) => {
      const ms = messages(feedPieces(new Http1Parser('request', { keepBodies: true }), bytesOf(text), size));
      expect(ms.map((m) => m.type === 'request' && m.uri)).toEqual(['/x', '/next']);
      expect(ms[0]).toMatchObject({ bodySize: 500, complete: true, body: bytesOf(body) });
      expect(ms[0].bodySha256).toBe(sha(bytesOf(body)));
      return ms.map((m) => ({ ...summary(m), firstFrame: 0, frame: 0, startNs: 0n, endNs: 0n }));
    });
    for (const r of results) expect(r).toEqual(results[0]);
  });

  it('two Content-Length headers with one value, and conflicting ones, as before', () => {
    const same = `POST /x HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\nabc`;
    expect(messages(feedPieces(new Http1Parser('request'), bytesOf(same), 5))[0]).toMatchObject({ bodySize: 3, complete: true });
    const conflict = `POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`;
    const m = messages(feedPieces(new Http1Parser('request'), bytesOf(conflict), 5))[0];
    expect(m.notes.map((n) => n.code)).toEqual(['http.conflicting-content-length']);
    const bad = `POST /x HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n`;
    expect(messages(feedPieces(new Http1Parser('request'), bytesOf(bad), 5))[0].notes.map((n) => n.code)).toEqual(['http.bad-content-length']);
  });

  it('a kept body grown over many pieces is exactly the body, and the cap still drops it at the same byte', () => {
    const big = new Uint8Array(10_000).map((_, i) => (i * 31) & 0xff);
    const head = bytesOf(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`);
    const all = new Uint8Array([...head, ...big]);
    for (const size of [1, 100, 1448, all.length]) {
      const p = new Http1Parser('response', { keepBodies: true });
      p.expectResponseTo('GET');
      const [m] = messages(feedPieces(p, all, size));
      expect(m.body).toEqual(big);
      expect(m.body!.buffer.byteLength).toBe(big.length);
      const capped = new Http1Parser('response', { keepBodies: true, maxBodyBytes: 4096 });
      capped.expectResponseTo('GET');
      const [c] = messages(feedPieces(capped, all, size));
      expect(c.body).toBeUndefined();
      expect(c.bodySha256).toBe(sha(big));
      expect(c.notes.map((n) => [n.code, n.offset])).toEqual([['http.body-not-kept', head.length + 4096]]);
    }
  });

  it('a body cut by a gap keeps the bytes that arrived', () => {
    const p = new Http1Parser('response', { keepBodies: true });
    p.expectResponseTo('GET');
    const head = bytesOf('HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n');
    p.push(new Uint8Array([...head, ...bytesOf('0123456789')]), [{ frame: 1, timestampNs: 1n, streamOffset: 0, length: head.length + 10 }]);
    p.gap(10, 2);
    const [m] = messages([...p.push(bytesOf('abcdefghij'), [{ frame: 3, timestampNs: 3n, streamOffset: head.length + 20, length: 10 }])]);
    expect(Buffer.from(m.body!).toString('latin1')).toBe('0123456789abcdefghij');
    expect(m).toMatchObject({ bodySize: 20, complete: false, frame: 3 });
  });
});

describe('heads read in one pass', () => {
  it('keep the field-line rules: bare LF, a CR doubled, obs-fold, space before colon, no colon', () => {
    const text =
      'GET /a HTTP/1.1\r\nHost:  h \t\r\nX-Two-Crs: v\r\r\nX-Fold: a\r\n  b\r\nBad Line\r\nSp :x\nY:\r\n\r\n';
    for (const size of [1, 3, text.length]) {
      const [m] = messages(feedPieces(new Http1Parser('request'), bytesOf(text), size));
      expect(m.headers).toEqual([
        { name: 'Host', value: 'h' },
        { name: 'X-Two-Crs', value: 'v' },
        { name: 'X-Fold', value: 'a b' },
        { name: 'Sp', value: 'x' },
        { name: 'Y', value: '' },
      ]);
      expect(m.notes.map((n) => n.code)).toEqual(['http.bare-lf', 'http.obs-fold', 'http.bad-header-line', 'http.space-before-colon']);
    }
  });

  it('parseFieldLines (trailers) gives the same fields as a head', () => {
    const notes: never[] = [];
    expect(parseFieldLines('A: 1\r\n\r\nB :  2 \r\n', notes, 0, true)).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
  });
});

describe('heads seen before (head-memo.ts)', () => {
  it('a head sent again parses to the same shared fields, and a head with notes keeps its own notes each time', async () => {
    const { knownHead } = await import('../../src/http/head-memo.js');
    const head = 'POST /RequestHandler/ucdevice.upx HTTP/1.1\r\nContent-Type: text/xml\r\nX-Memo-Test: a\r\nContent-Length: 3\r\n\r\n';
    const text = `${head}abc${head}abc`;
    const ms = messages(feedPieces(new Http1Parser('request'), bytesOf(text), 1448));
    expect(ms).toHaveLength(2);
    // Remembered by its text after the first, and the second message got that very list.
    expect(knownHead(head)?.headers).toBe(ms[0].headers);
    expect(ms[1].headers).toBe(ms[0].headers);
    expect(ms.map((m) => [m.streamStart, m.bodySize, m.notes.length])).toEqual([
      [0, 3, 0],
      [head.length + 3, 3, 0],
    ]);
    // A bare LF is noted where each message starts: such a head is never taken from the table.
    const bare = 'GET /bare HTTP/1.1\nX-Memo-Test: b\n\n';
    const two = messages(feedPieces(new Http1Parser('request'), bytesOf(bare + bare), 1448));
    expect(knownHead(bare)).toBeUndefined();
    expect(two.map((m) => m.notes.map((n) => [n.code, n.offset]))).toEqual([[['http.bare-lf', 0]], [['http.bare-lf', bare.length]]]);
    // Split anywhere, the head sent again gives the same message as the first time.
    const split = messages(feedPieces(new Http1Parser('request'), bytesOf(text), 5));
    expect(split.map((m) => summary({ ...m, firstFrame: 0, frame: 0, startNs: 0n, endNs: 0n }))).toEqual(
      ms.map((m) => summary({ ...m, firstFrame: 0, frame: 0, startNs: 0n, endNs: 0n })),
    );
  });
});
