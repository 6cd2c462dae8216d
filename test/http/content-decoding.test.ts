import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeContent } from '../../src/http/content-decoding.js';
import { Http1Parser } from '../../src/http/http1-parser.js';
import { headerValue, type HttpRequest } from '../../src/http/message.js';
import { directionStream, feed, loadFixture, messages } from './helpers.js';

const ORIGINAL = 'Device Update Service test body. '.repeat(40);
const str = (b: Uint8Array) => Buffer.from(b).toString('latin1');

describe('decodeContent on bodies node http sent (encodings fixture)', () => {
  const chunks = loadFixture('encodings');
  const req = directionStream(chunks, 'c2s');
  const resp = directionStream(chunks, 's2c');
  const requests = messages(feed(new Http1Parser('request'), req.bytes, req.spans, [])) as HttpRequest[];
  const p = new Http1Parser('response', { keepBodies: true });
  for (const r of requests) p.expectResponseTo(r.method);
  const responses = messages(feed(p, resp.bytes, resp.spans, []));

  it.each([0, 1, 2, 3])('response %i decodes to the original text', (i) => {
    const m = responses[i];
    const r = decodeContent(m.body!, headerValue(m.headers, 'content-encoding'), 1 << 20);
    expect(r.ok && str(r.bytes)).toBe(ORIGINAL);
    expect(r.ok && r.note).toBeUndefined();
  });

  it('covers gzip, zlib-wrapped deflate, raw deflate and br', () => {
    expect(requests.map((r) => r.uri)).toEqual(['/gzip', '/deflate', '/raw-deflate', '/br']);
    expect(responses[2].body![0]).not.toBe(0x78); // raw deflate has no zlib header
    expect(responses[1].body![0]).toBe(0x78);
  });
});

describe('decodeContent', () => {
  const data = Buffer.from(randomBytes(20_000).toString('hex'));

  it('identity and no header pass through', () => {
    const b = new Uint8Array([1, 2, 3]);
    expect(decodeContent(b, undefined, 10)).toEqual({ ok: true, bytes: b });
    expect(decodeContent(b, 'identity', 10)).toEqual({ ok: true, bytes: b });
  });

  it('x-gzip and chains are undone last-applied first', () => {
    const twice = zlib.gzipSync(zlib.gzipSync(data));
    const r = decodeContent(twice, 'gzip, x-gzip', 1 << 20);
    expect(r.ok && Buffer.compare(Buffer.from(r.bytes), data)).toBe(0);
    const mixed = zlib.brotliCompressSync(zlib.deflateSync(data));
    const r2 = decodeContent(mixed, 'Deflate, BR', 1 << 20);
    expect(r2.ok && Buffer.compare(Buffer.from(r2.bytes), data)).toBe(0);
  });

  it('a decompression bomb is an error, not an allocation', () => {
    const bomb = zlib.gzipSync(Buffer.alloc(50 << 20));
    expect(bomb.length).toBeLessThan(100_000);
    const r = decodeContent(bomb, 'gzip', 1 << 20);
    expect(r).toMatchObject({ ok: false, error: { code: 'http.content-too-large' } });
    const br = decodeContent(zlib.brotliCompressSync(Buffer.alloc(50 << 20)), 'br', 1 << 20);
    expect(br).toMatchObject({ ok: false, error: { code: 'http.content-too-large' } });
  });

  it('truncated gzip gives what could be decoded, with a note', () => {
    const gz = zlib.gzipSync(data);
    const r = decodeContent(gz.subarray(0, gz.length >> 1), 'gzip', 1 << 20);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.note?.code).toBe('http.content-truncated');
    expect(r.bytes.length).toBeGreaterThan(0);
    expect(r.bytes.length).toBeLessThan(data.length);
    expect(Buffer.compare(Buffer.from(r.bytes), data.subarray(0, r.bytes.length))).toBe(0);
  });

  it('garbage and unknown codings are errors, never throws', () => {
    expect(decodeContent(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), 'gzip', 100)).toMatchObject({
      ok: false,
      error: { code: 'http.bad-content-encoding' },
    });
    expect(decodeContent(new Uint8Array([1]), 'zstd', 100)).toMatchObject({ ok: false, error: { code: 'http.unsupported-content-encoding' } });
  });
});
