// The bugs the fuzzer found, each reduced to a few bytes (the saved inputs
// in the folders beside this file replay the originals).
import { describe, expect, it } from 'vitest';
import { Http1Parser, type HttpEvent } from '../../src/http/http1-parser.js';
import type { HttpMessage } from '../../src/http/message.js';
import { parseFieldLines } from '../../src/http/http1-parser.js';
import { MAX_TRAILER_BYTES } from '../../src/http/chunked.js';
import { decodeUpx } from '../../src/dus/upx-codec.js';
import { lastSegment, safeFileName } from '../../src/report/safe-name.js';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

/** Feed `text` cut at `cuts`, one frame per piece; returns every event. */
function feed(p: Http1Parser, text: string, cuts: number[]): HttpEvent[] {
  const b = enc(text);
  const out: HttpEvent[] = [];
  let from = 0;
  [...cuts, b.length].forEach((to, k) => {
    out.push(...p.push(b.subarray(from, to), [{ frame: k + 1, timestampNs: 0n, streamOffset: from, length: to - from }]));
    from = to;
  });
  out.push(...p.end('fin'));
  return out;
}

const messages = (events: HttpEvent[]): HttpMessage[] =>
  events.flatMap((e) => (e.kind === 'message' ? [e.message] : []));

describe('bugs found by the fuzzer', () => {
  it('a bad trailer line is noted at the trailer section, wherever the stream was split', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n';
    const text = `${head}no colon here\r\n\r\n`;
    for (const cuts of [[], [10], [head.length - 2], [head.length + 3], [5, 40, text.length - 1]]) {
      const p = new Http1Parser('response');
      p.expectResponseTo('GET');
      const [m] = messages(feed(p, text, cuts));
      expect(m.notes.map((n) => [n.code, n.offset])).toEqual([['http.bad-header-line', head.length]]);
    }
  });

  it('a body over the keep cap is noted at the first byte past the cap, wherever the stream was split', () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n';
    const text = head + 'x'.repeat(100);
    for (const cuts of [[], [head.length + 1], [head.length + 50], [head.length + 7, head.length + 13, head.length + 90]]) {
      const p = new Http1Parser('response', { keepBodies: true, maxBodyBytes: 30 });
      p.expectResponseTo('GET');
      const [m] = messages(feed(p, text, cuts));
      expect(m.body).toBeUndefined();
      expect(m.notes.map((n) => [n.code, n.offset])).toEqual([['http.body-not-kept', head.length + 30]]);
    }
  });

  it('a resynchronised start line longer than a small head cap is a head-too-large error, not a RangeError', () => {
    // Garbage first: the parser resynchronises and finds a request line of 120 bytes, over the 64-byte cap.
    const line = `GET /${'a'.repeat(100)} HTTP/1.1\r\n`;
    const text = `\u0001junk\r\n${line}Host: x\r\n\r\n${'GET / HTTP/1.1\r\n\r\n'.repeat(200)}`;
    // A cut right after that line leaves the next piece starting where the head is already over the cap.
    const afterLine = text.indexOf(line) + line.length;
    for (const cuts of [[], [3], [afterLine], [9, 40, afterLine, afterLine + 1]]) {
      const p = new Http1Parser('request', { maxHeadBytes: 64 });
      let events: HttpEvent[] = [];
      expect(() => (events = feed(p, text, cuts))).not.toThrow();
      expect(events.some((e) => e.kind === 'error' && e.error.code === 'http.head-too-large')).toBe(true);
    }
  });

  it('a trailer section over the cap is refused at the first byte past it, wherever the stream was split', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n';
    const text = `${head}X-Big: ${'b'.repeat(MAX_TRAILER_BYTES)}\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n`;
    for (const cuts of [[], [head.length + 3], [head.length + 1000, head.length + 40000]]) {
      const p = new Http1Parser('response');
      p.expectResponseTo('GET');
      p.expectResponseTo('GET');
      const [m] = messages(feed(p, text, cuts));
      expect(m.notes.map((n) => [n.code, n.offset])).toEqual([['http.trailers-too-large', head.length + MAX_TRAILER_BYTES]]);
    }
  });

  // Each of these took seconds (quadratic regex backtracking on a long run of
  // spaces or dots followed by something else) before the trims were made linear.
  it('long runs of spaces in header values and names are trimmed in linear time', () => {
    const t0 = performance.now();
    const h = parseFieldLines(`X-Long: a${' '.repeat(60_000)}x\nX-Name${' '.repeat(60_000)}y : v `, [], 0, false);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(h.map((f) => [f.name.length, f.value.length])).toEqual([[6, 60_002], [6 + 60_000 + 1, 1]]);
  });

  it('long runs of XML white space inside a upx value are trimmed in linear time', () => {
    const body = new TextEncoder().encode(`<Request><DeviceType><![CDATA[x]]>a${' '.repeat(200_000)}b  </DeviceType></Request>`);
    const t0 = performance.now();
    const r = decodeUpx(body, { kind: 'request' });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.ok).toBe(true);
  });

  it('an export name made of a long run of dots is made safe in linear time', () => {
    const t0 = performance.now();
    const name = safeFileName(lastSegment(`/a${'.'.repeat(40_000)}b${'.'.repeat(40_000)}`));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(name.startsWith('a...')).toBe(true);
  });

  it('a long run of spaces with no "=" in a upx text line is read in linear time', () => {
    const body = new TextEncoder().encode(`<Request><Vendor>x</Vendor>a${' '.repeat(100_000)}b</Request>`);
    const t0 = performance.now();
    const r = decodeUpx(body, { kind: 'request' });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.ok).toBe(true);
  });

  it('a long repetitive upx text line after a repetitive value is placed in linear time', () => {
    const body = new TextEncoder().encode(`<Request><SerialNumber>${'a'.repeat(100_000)}</SerialNumber>${'a'.repeat(100_000)}<Model>m</Model></Request>`);
    const t0 = performance.now();
    const r = decodeUpx(body, { kind: 'request' });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.ok).toBe(true);
  });
});

