// keepBody chooses which bodies keepBodies copies. A body it passes over is
// still counted and hashed, and still gets the note at the cap where a kept
// one would; a response is asked about with the request line it answers.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Http1Parser, type HttpEvent, type KeepBody } from '../../src/http/http1-parser.js';
import type { HttpResponse } from '../../src/http/message.js';
import { bodyWorthKeeping } from '../../src/dus/build-model.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const te = new TextEncoder();

function responses(parser: Http1Parser, wire: string, pieces: number): HttpResponse[] {
  const bytes = te.encode(wire);
  const out: HttpEvent[] = [];
  const step = Math.ceil(bytes.length / pieces);
  for (let i = 0; i < bytes.length; i += step) {
    const chunk = bytes.subarray(i, Math.min(bytes.length, i + step));
    out.push(...parser.push(chunk, [{ frame: 1 + i, timestampNs: BigInt(i), streamOffset: i, length: chunk.length }]));
  }
  out.push(...parser.end('fin'));
  return out.flatMap((e) => (e.kind === 'message' && e.message.type === 'response' ? [e.message] : []));
}

describe('keepBody', () => {
  const big = 'x'.repeat(3000);
  const small = 'error page';
  const wire =
    `HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n${big}` +
    `HTTP/1.1 404 Not Found\r\nContent-Length: ${small.length}\r\n\r\n${small}` +
    `HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello`;

  it('asks about each response with the request it answers, and keeps only what it is told to', () => {
    const asked: Array<[string | undefined, number | undefined]> = [];
    const keepBody: KeepBody = (req, status) => {
      asked.push([req ? `${req.method} ${req.uri}` : undefined, status]);
      return status !== 200 || req?.uri === '/small';
    };
    for (const pieces of [1, 7, 400]) {
      asked.length = 0;
      const p = new Http1Parser('response', { keepBodies: true, maxBodyBytes: 1000, keepBody });
      p.expectResponseTo('GET', '/firmware.nbt');
      p.expectResponseTo('GET', '/missing');
      p.expectResponseTo('GET', '/small');
      const [a, b, c] = responses(p, wire, pieces);
      expect(asked).toEqual([
        ['GET /firmware.nbt', 200],
        ['GET /missing', 404],
        ['GET /small', 200],
      ]);
      // Passed over: no bytes, but the size, the digest and the note at the cap, as when kept.
      expect(a.body).toBeUndefined();
      expect(a.bodySize).toBe(big.length);
      expect(a.bodySha256).toBe(sha(big));
      expect(a.notes.map((n) => [n.code, n.offset])).toEqual([['http.body-not-kept', wire.indexOf(big) + 1000]]);
      expect(Buffer.from(b.body!).toString()).toBe(small);
      expect(Buffer.from(c.body!).toString()).toBe('hello');

      // Without keepBody, the same messages, the passed-over body aside (it is over the cap anyway).
      const all = new Http1Parser('response', { keepBodies: true, maxBodyBytes: 1000 });
      for (const u of ['/firmware.nbt', '/missing', '/small']) all.expectResponseTo('GET', u);
      expect(responses(all, wire, pieces)).toEqual([a, b, c]);
    }
  });

  it('passes over a body below the cap too, hashing it all the same', () => {
    const p = new Http1Parser('response', { keepBodies: true, maxBodyBytes: 10_000, keepBody: () => false });
    p.expectResponseTo('GET', '/f');
    const [a] = responses(p, `HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n${big}`, 5);
    expect(a.body).toBeUndefined();
    expect(a.bodySha256).toBe(sha(big));
    expect(a.notes).toEqual([]);
  });

  it('asks with no request when the response answers none it saw', () => {
    const asked: unknown[] = [];
    const p = new Http1Parser('response', { keepBodies: true, keepBody: (req, status) => (asked.push([req, status]), true) });
    responses(p, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi', 1);
    expect(asked).toEqual([[undefined, 200]]);
  });

  it('asks a request parser with its own request line', () => {
    const asked: unknown[] = [];
    const p = new Http1Parser('request', { keepBodies: true, keepBody: (req, status) => (asked.push([req?.method, req?.uri, status]), false) });
    const ev = p.push(te.encode('POST /RequestHandler/ucdevice.upx HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc'), [
      { frame: 1, timestampNs: 0n, streamOffset: 0, length: 70 },
    ]);
    expect(asked).toEqual([['POST', '/RequestHandler/ucdevice.upx', undefined]]);
    const m = ev.find((e) => e.kind === 'message');
    expect(m && m.kind === 'message' && m.message.body).toBeUndefined();
  });
});

describe('bodyWorthKeeping (analyze)', () => {
  it('keeps check-ins, error pages and answers to unknown requests; passes over firmware', () => {
    const checkIn = { method: 'POST', uri: '/RequestHandler/ucdevice.upx' };
    const firmware = { method: 'GET', uri: '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX600/B/ENU/3.5.6907.37/CPE/CPE.nbt' };
    expect(bodyWorthKeeping(checkIn)).toBe(true);
    expect(bodyWorthKeeping(checkIn, 200)).toBe(true);
    expect(bodyWorthKeeping(firmware)).toBe(false);
    expect(bodyWorthKeeping(firmware, 200)).toBe(false);
    expect(bodyWorthKeeping(firmware, 206)).toBe(false);
    expect(bodyWorthKeeping(firmware, 403)).toBe(true);
    expect(bodyWorthKeeping(firmware, 500)).toBe(true);
    expect(bodyWorthKeeping(undefined, 200)).toBe(true);
  });
});
