import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Http1Parser, type HttpEvent } from '../../src/http/http1-parser.js';
import { headerValue, type HttpRequest, type HttpResponse } from '../../src/http/message.js';
import { bytesOf, directionStream, feed, loadFixture, messages, spansFor, ts } from './helpers.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

function parseFixture(name: string, keepBodies = true) {
  const chunks = loadFixture(name);
  const req = directionStream(chunks, 'c2s');
  const resp = directionStream(chunks, 's2c');
  const requests = messages(feed(new Http1Parser('request', { keepBodies }), req.bytes, req.spans, [])) as HttpRequest[];
  const rp = new Http1Parser('response', { keepBodies });
  for (const r of requests) rp.expectResponseTo(r.method);
  const responses = messages(feed(rp, resp.bytes, resp.spans, [])) as HttpResponse[];
  return { requests, responses, resp };
}

const text = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array()).toString('latin1');
const errors = (ev: HttpEvent[]) => ev.flatMap((e) => (e.kind === 'error' ? [e.error.code] : []));

describe('Content-Length (python3 http.server)', () => {
  it('parses request and response with frames, offsets, hash and headers in order and case', () => {
    const { requests, responses, resp } = parseFixture('python-get');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'GET', uri: '/firmware.txt', version: 'HTTP/1.1', firstFrame: 1, frame: 1, bodySize: 0 });
    expect(requests[0].bodySha256).toBe(sha(''));
    const r = responses[0];
    expect(r).toMatchObject({ status: 200, reason: 'OK', version: 'HTTP/1.0', bodySize: 620, complete: true, firstFrame: 2, frame: 2 });
    expect(r.startNs).toBe(ts(2));
    expect(r.streamStart).toBe(0);
    expect(r.streamEnd).toBe(resp.bytes.length);
    expect(r.headers.map((h) => h.name)).toEqual(['Server', 'Date', 'Content-type', 'Content-Length', 'Last-Modified']);
    expect(r.bodySha256).toBe(sha(r.body!));
    expect(text(r.body)).toMatch(/^UCUpdates firmware placeholder\n/);
    expect(r.notes).toEqual([]);
  });

  it('a message spread over frames names its first and last frame', () => {
    const body = 'x'.repeat(10);
    const pieces = [bytesOf('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n'), bytesOf('\r\nxxxx'), bytesOf('xxxxxx')];
    const all = new Uint8Array(Buffer.concat(pieces));
    const p = new Http1Parser('response');
    const spans = spansFor(pieces, 5, 1000);
    const ev = p.push(all, spans);
    expect(messages(ev)[0]).toMatchObject({ firstFrame: 5, frame: 7, streamStart: 1000, streamEnd: 1000 + all.length, startNs: ts(5), endNs: ts(7) });
    expect(messages(ev)[0].bodySha256).toBe(sha(body));
  });

  it('does not keep bodies unless asked, and drops them past maxBodyBytes while still hashing', () => {
    expect(parseFixture('python-get', false).responses[0].body).toBeUndefined();
    const p = new Http1Parser('response', { keepBodies: true, maxBodyBytes: 100 });
    p.expectResponseTo('GET');
    const { resp } = parseFixture('python-get');
    const m = messages(p.push(resp.bytes, resp.spans))[0];
    expect(m.body).toBeUndefined();
    expect(m.bodySize).toBe(620);
    expect(m.bodySha256).toBe(parseFixture('python-get').responses[0].bodySha256);
    expect(m.notes.map((n) => n.code)).toEqual(['http.body-not-kept']);
  });
});

describe('chunked', () => {
  it('keep-alive: Content-Length then chunked with a trailer (node http)', () => {
    const { requests, responses } = parseFixture('keepalive-chunked-trailers');
    expect(requests.map((r) => r.uri)).toEqual(['/hello', '/chunked']);
    expect(text(responses[0].body)).toBe('hello, world\n');
    expect(text(responses[1].body)).toBe('first chunk, second chunk, last chunk\n');
    expect(responses[1].bodySize).toBe(38);
    expect(responses[1].trailers).toEqual([{ name: 'X-Checksum', value: 'abc123' }]);
    expect(responses[1]).toMatchObject({ firstFrame: 4, frame: 4, complete: true });
  });

  it('chunk extensions are skipped and trailers kept', () => {
    const { responses } = parseFixture('chunk-extensions');
    expect(text(responses[0].body)).toBe('hello, world');
    expect(responses[0].trailers).toEqual([{ name: 'X-Trailer', value: 'done' }]);
  });

  it('Transfer-Encoding wins over Content-Length, with a note', () => {
    const p = new Http1Parser('request', { keepBodies: true });
    const ev = p.push(bytesOf('POST /a HTTP/1.1\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /b HTTP/1.1\r\n\r\n'), []);
    const ms = messages(ev);
    expect(ms).toHaveLength(2);
    expect(text(ms[0].body)).toBe('hello');
    expect(ms[0].notes.map((n) => n.code)).toEqual(['http.te-and-length']);
    expect(ms[1]).toMatchObject({ uri: '/b' });
  });

  it.each([
    ['64-bit', 'ffffffffffffffff', 'http.chunk-size-too-large'],
    ['negative', '-1', 'http.bad-chunk-size'],
    ['empty', '', 'http.bad-chunk-size'],
  ])('a %s chunk size is an error, then the parser finds the next request', (_n, size, code) => {
    const p = new Http1Parser('request', { keepBodies: true });
    const ev = p.push(bytesOf(`POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\nxx\r\nGET /b HTTP/1.1\r\n\r\n`), []);
    const ms = messages(ev);
    expect(ms[0]).toMatchObject({ uri: '/a', complete: false, bodySize: 0 });
    expect(ms[0].notes.map((n) => n.code)).toEqual([code]);
    expect(ms[1]).toMatchObject({ uri: '/b', complete: true });
  });

  it('leading zeros do not count towards the size cap', () => {
    const p = new Http1Parser('request', { keepBodies: true });
    const ms = messages(p.push(bytesOf('POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0000000000000000005\r\nhello\r\n0\r\n\r\n'), []));
    expect(text(ms[0].body)).toBe('hello');
  });
});

describe('Content-Length problems', () => {
  it('conflicting values: the head is delivered incomplete with a note, then resync', () => {
    const p = new Http1Parser('request');
    const ms = messages(p.push(bytesOf('POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhelloGET /b HTTP/1.1\r\n\r\n'), []));
    expect(ms[0].notes.map((n) => n.code)).toEqual(['http.conflicting-content-length']);
    expect(ms[0].complete).toBe(false);
    expect(ms[1]).toMatchObject({ uri: '/b' });
  });

  it('equal duplicates are one length', () => {
    const p = new Http1Parser('request', { keepBodies: true });
    const ms = messages(p.push(bytesOf('POST /a HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello'), []));
    expect(ms[0]).toMatchObject({ complete: true, bodySize: 5, notes: [] });
  });

  it('a sign or a 20-digit length is bad, not a huge allocation', () => {
    for (const v of ['-5', '99999999999999999999']) {
      const p = new Http1Parser('request');
      const ms = messages(p.push(bytesOf(`POST /a HTTP/1.1\r\nContent-Length: ${v}\r\n\r\n`), []));
      expect(ms[0].notes[0].code).toBe('http.bad-content-length');
    }
  });
});

describe('bodies that depend on the request or status', () => {
  it('close-delimited response ends at FIN', () => {
    const chunks = loadFixture('close-delimited');
    const resp = directionStream(chunks, 's2c');
    const p = new Http1Parser('response', { keepBodies: true });
    p.expectResponseTo('GET');
    expect(p.push(resp.bytes, resp.spans)).toEqual([]);
    const m = messages(p.end('fin'))[0];
    expect(m).toMatchObject({ status: 200, complete: true, bodySize: 147, frame: 2 });
    expect(text(m.body)).toMatch(/ends when the server closes/);
  });

  it('close-delimited response cut by RST is flagged', () => {
    const resp = directionStream(loadFixture('close-delimited'), 's2c');
    const p = new Http1Parser('response');
    p.push(resp.bytes, resp.spans);
    const m = messages(p.end('rst'))[0];
    expect(m.complete).toBe(false);
    expect(m.notes[0].code).toBe('http.close-delimited-unconfirmed');
  });

  it('HEAD response has no body despite Content-Length', () => {
    const { requests, responses } = parseFixture('head');
    expect(requests[0].method).toBe('HEAD');
    expect(headerValue(responses[0].headers, 'content-length')).toBe('13');
    expect(responses[0]).toMatchObject({ bodySize: 0, complete: true });
  });

  it('a response parser without the HEAD method would wait for 13 body bytes', () => {
    const resp = directionStream(loadFixture('head'), 's2c');
    const p = new Http1Parser('response');
    p.expectResponseTo('GET');
    expect(p.push(resp.bytes, resp.spans)).toEqual([]);
  });

  it('100 Continue then 200 (curl and node http)', () => {
    const { requests, responses } = parseFixture('continue');
    expect(requests[0]).toMatchObject({ method: 'POST', bodySize: 3000, firstFrame: 1, frame: 3 });
    expect(responses.map((r) => r.status)).toEqual([100, 200]);
    expect(responses[0]).toMatchObject({ frame: 2, bodySize: 0 });
    expect(text(responses[1].body)).toBe('got 3000 bytes\n');
  });

  it('204 and 304 have no body', () => {
    const { responses } = parseFixture('no-content-not-modified');
    expect(responses.map((r) => [r.status, r.bodySize, r.complete])).toEqual([
      [204, 0, true],
      [304, 0, true],
    ]);
  });

  it('101 Switching Protocols stops HTTP parsing', () => {
    const p = new Http1Parser('response');
    p.expectResponseTo('GET');
    const ev = p.push(bytesOf('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello HTTP/1.1 200 OK\r\n\r\n'), []);
    expect(messages(ev).map((m) => (m as HttpResponse).status)).toEqual([101]);
    expect(p.tunneled).toBe(true);
  });

  it('CONNECT 200 opens a tunnel', () => {
    const p = new Http1Parser('response');
    p.expectResponseTo('CONNECT');
    const ev = p.push(bytesOf('HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01\x00\x05hello'), []);
    expect(messages(ev)).toHaveLength(1);
    expect(p.tunneled).toBe(true);
    expect(p.end('fin')).toEqual([]);
  });

  it('three pipelined requests in one write, answered in order (node http)', () => {
    const { requests, responses } = parseFixture('pipelined');
    expect(requests.map((r) => [r.uri, r.firstFrame, r.frame])).toEqual([
      ['/p1', 1, 1],
      ['/p2', 1, 1],
      ['/p3', 1, 1],
    ]);
    expect(requests[1].streamStart).toBe(requests[0].streamEnd);
    expect(responses.map((r) => text(r.body))).toEqual(['/p1\n', '/p2\n', '/p3\n']);
  });
});

describe('tolerance', () => {
  it('bare LF line ends and obs-fold (python3 http.server answered it)', () => {
    const { requests, responses } = parseFixture('bare-lf-obs-fold');
    const r = requests[0];
    expect(r).toMatchObject({ method: 'GET', uri: '/firmware.txt', version: 'HTTP/1.0' });
    expect(headerValue(r.headers, 'x-folded')).toBe('first part second part');
    expect(r.headers.map((h) => h.name)).toEqual(['Host', 'X-Folded', 'User-Agent']);
    expect(r.notes.map((n) => n.code).sort()).toEqual(['http.bare-lf', 'http.obs-fold']);
    expect(responses[0]).toMatchObject({ status: 200, bodySize: 620 });
  });

  it('latin1 header values are kept byte for byte', () => {
    const p = new Http1Parser('request');
    const m = messages(p.push(bytesOf('GET / HTTP/1.1\r\nX-Name: caf\xe9\r\n\r\n'), []))[0];
    expect(m.headers[0].value).toBe('caf\u00e9');
  });
});

describe('limits and resynchronisation', () => {
  it('a megabyte header line is http.head-too-large, then the next request is found', () => {
    const p = new Http1Parser('request');
    const big = `GET /a HTTP/1.1\r\nX-Big: ${'a'.repeat(1 << 20)}\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n`;
    const ev = p.push(bytesOf(big), []);
    expect(errors(ev)).toEqual(['http.head-too-large']);
    expect(ev[0]).toMatchObject({ kind: 'error', resumable: true, error: { offset: 64 * 1024 } });
    expect(messages(ev).map((m) => (m as HttpRequest).uri)).toEqual(['/after']);
  });

  it('too many header lines is an error', () => {
    const p = new Http1Parser('request', { maxHeaders: 10 });
    const ev = p.push(bytesOf(`GET /a HTTP/1.1\r\n${'X: y\r\n'.repeat(11)}\r\nGET /b HTTP/1.1\r\n\r\n`), []);
    expect(errors(ev)).toEqual(['http.too-many-headers']);
    expect(messages(ev).map((m) => (m as HttpRequest).uri)).toEqual(['/b']);
  });

  it('a gap inside a Content-Length body is survived; the next response still parses', () => {
    const resp = directionStream(loadFixture('keepalive-chunked-trailers'), 's2c');
    const p = new Http1Parser('response', { keepBodies: true });
    p.expectResponseTo('GET');
    p.expectResponseTo('GET');
    // Lose 5 bytes in the middle of "hello, world\n" (the first body).
    const headLen = resp.bytes.indexOf(0x68, 140); // 'h' of hello
    const cut = headLen + 3;
    const ev = [
      ...p.push(resp.bytes.slice(0, cut), [{ frame: 2, timestampNs: ts(2), streamOffset: 0, length: cut }]),
      ...p.gap(5, 3),
      ...p.push(resp.bytes.slice(cut + 5), [{ frame: 4, timestampNs: ts(4), streamOffset: cut + 5, length: resp.bytes.length - cut - 5 }]),
    ];
    const ms = messages(ev) as HttpResponse[];
    expect(ms).toHaveLength(2);
    expect(ms[0]).toMatchObject({ complete: false, bodySize: 8, frame: 4 });
    expect(text(ms[0].body)).toBe('hel\n'.slice(0, 3) + 'world\n'.slice(1));
    expect(ms[0].notes.map((n) => n.code)).toEqual(['http.body-gap']);
    expect(ms[0].notes[0]).toMatchObject({ offset: cut, frame: 3 });
    expect(ms[1]).toMatchObject({ complete: true, bodySize: 38 });
  });

  it('a gap inside chunk data is survived', () => {
    const p = new Http1Parser('response', { keepBodies: true });
    p.expectResponseTo('GET');
    const ev = [
      ...p.push(bytesOf('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nabc'), []),
      ...p.gap(4, 9),
      ...p.push(bytesOf('hij\r\n0\r\n\r\n'), []),
    ];
    const m = messages(ev)[0];
    expect(m).toMatchObject({ complete: false, bodySize: 6 });
    expect(text(m.body)).toBe('abchij');
  });

  it('a gap in chunked framing ends the message and resyncs at the next status line', () => {
    const p = new Http1Parser('response');
    p.expectResponseTo('GET');
    p.expectResponseTo('GET');
    const ev = [
      ...p.push(bytesOf('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc'), []),
      ...p.gap(20, 9),
      ...p.push(bytesOf('zz\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno'), []),
    ];
    const ms = messages(ev) as HttpResponse[];
    expect(ms.map((m) => [m.status, m.complete])).toEqual([
      [200, false],
      [404, true],
    ]);
    expect(ms[0].notes.map((n) => n.code)).toEqual(['http.gap-in-chunked']);
  });

  it('a gap in a head resyncs at the next message, even mid-segment', () => {
    const p = new Http1Parser('response');
    p.expectResponseTo('GET');
    p.expectResponseTo('GET');
    const ev = [
      ...p.push(bytesOf('HTTP/1.1 200 OK\r\nContent-Le'), spansFor([bytesOf('HTTP/1.1 200 OK\r\nContent-Le')], 3)),
      ...p.gap(100, 4),
      ...p.push(bytesOf('tail of a lost bodyHTTP/1.1 204 No Content\r\n\r\n'), []),
    ];
    // The start line arrived, so the 200 is delivered (cut short, as Wireshark
    // shows a frame cut by the snap length); the next message is found after the gap.
    expect(errors(ev)).toEqual([]);
    const ms = messages(ev) as HttpResponse[];
    expect(ms.map((m) => m.status)).toEqual([200, 204]);
    expect(ms[0]).toMatchObject({ complete: false, frame: 3, headers: [] });
    expect(ms[0].notes.map((n) => n.code)).toEqual(['http.head-cut']);
    expect(ms[1].streamStart).toBe('HTTP/1.1 200 OK\r\nContent-Le'.length + 100 + 'tail of a lost body'.length);
  });

  it('a gap before the start line is complete is an error, then resync', () => {
    const p = new Http1Parser('response');
    p.expectResponseTo('GET');
    const ev = [
      ...p.push(bytesOf('HTTP/1.1 2'), spansFor([bytesOf('HTTP/1.1 2')], 3)),
      ...p.gap(50, 4),
      ...p.push(bytesOf('xxHTTP/1.1 204 No Content\r\n\r\n'), []),
    ];
    expect(errors(ev)).toEqual(['http.gap-in-head']);
    expect((messages(ev) as HttpResponse[]).map((m) => m.status)).toEqual([204]);
  });

  it('a message completes in the latest frame that carried its bytes (a retransmission filling a hole)', () => {
    const p = new Http1Parser('request');
    const head = bytesOf('POST /echo HTTP/1.1\r\nContent-Length: 6\r\n\r\n');
    const body = bytesOf('abcdef');
    // The body's first half came in frame 9 (a retransmission), its last byte in frame 8.
    const ms = messages([
      ...p.push(head, [{ frame: 5, timestampNs: 5n, streamOffset: 0, length: head.length }]),
      ...p.push(body, [
        { frame: 9, timestampNs: 9n, streamOffset: head.length, length: 3 },
        { frame: 8, timestampNs: 8n, streamOffset: head.length + 3, length: 3 },
      ]),
    ]);
    expect(ms[0]).toMatchObject({ firstFrame: 5, frame: 9, endNs: 9n });
  });

  it('reads a request line with a space in the target as Wireshark does', () => {
    const p = new Http1Parser('request');
    const ms = messages(p.push(bytesOf('GET /OCInterim/NL D/CPE.nbt HTTP/1.1\r\nHost: x\r\n\r\n'), [])) as HttpRequest[];
    expect(ms.map((m) => [m.method, m.uri, m.rawTarget])).toEqual([['GET', '/OCInterim/NL', '/OCInterim/NL D/CPE.nbt']]);
  });

  it('a close-delimited body completes in the frame that closed the connection', () => {
    const p = new Http1Parser('response');
    p.expectResponseTo('GET');
    const bytes = bytesOf('HTTP/1.1 200 OK\r\n\r\nbody');
    p.push(bytes, [{ frame: 18, timestampNs: 18n, streamOffset: 0, length: bytes.length }]);
    const ms = messages(p.end('fin', { frame: 20, timestampNs: 20n }));
    expect(ms[0]).toMatchObject({ firstFrame: 18, frame: 20, complete: true, bodySize: 4 });
  });

  it('a request-line right after lost body bytes is found, preferring a known method', () => {
    const p = new Http1Parser('request', { resync: true });
    const ms = messages(p.push(bytesOf('binary junkPOST /upx HTTP/1.1\r\nContent-Length: 0\r\n\r\n'), [])) as HttpRequest[];
    expect(ms.map((m) => [m.method, m.uri, m.streamStart])).toEqual([['POST', '/upx', 11]]);
  });

  it('end inside a body flags it cut short; end inside a head is an error', () => {
    const p = new Http1Parser('request');
    p.push(bytesOf('POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc'), []);
    const m = messages(p.end('rst'))[0];
    expect(m).toMatchObject({ complete: false, bodySize: 3 });
    expect(m.notes[0].code).toBe('http.body-cut-short');
    const q = new Http1Parser('request');
    q.push(bytesOf('GET / HTT'), []);
    expect(q.end('fin')).toMatchObject([{ kind: 'error', resumable: false, error: { code: 'http.incomplete-head' } }]);
  });

  it('garbage is a bad start line, never a throw', () => {
    const p = new Http1Parser('response');
    const junk = new Uint8Array(70_000).map((_, i) => (i * 7919) & 0xff);
    const ev = [...p.push(junk, []), ...p.end('fin')];
    expect(messages(ev)).toEqual([]);
  });
});
