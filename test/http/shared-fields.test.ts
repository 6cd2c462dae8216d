// Kept messages share what repeats: one frozen object per header field seen
// again, one frozen empty list for the trailers, notes and interim responses
// most of them lack. Sharing must never change what a message says.
import { describe, expect, it } from 'vitest';
import { Http1Parser } from '../../src/http/http1-parser.js';
import { internField } from '../../src/http/intern.js';
import { NO_HEADERS, NO_NOTES, type HttpRequest } from '../../src/http/message.js';
import { bytesOf, messages, spansFor } from './helpers.js';

function parseRequests(text: string): HttpRequest[] {
  const bytes = bytesOf(text);
  return messages(new Http1Parser('request').push(bytes, spansFor([bytes]))) as HttpRequest[];
}

const CHECK_IN = 'POST /RequestHandler/ucdevice.upx HTTP/1.1\r\nContent-Type: text/xml\r\nUser-Agent: Microsoft UCPhone Device\r\nContent-Length: 3\r\n\r\nabc';

describe('internField', () => {
  it('hands back one frozen object per name and value, equal to what was asked', () => {
    const a = internField('Server', 'Microsoft-IIS/7.0');
    expect(a).toEqual({ name: 'Server', value: 'Microsoft-IIS/7.0' });
    expect(internField('Server', 'Microsoft-IIS/7.0')).toBe(a);
    expect(internField('Server', 'Apache')).not.toBe(a);
    expect(internField('server', 'Microsoft-IIS/7.0')).not.toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('stays right past its table size and leaves long values unshared', () => {
    for (let i = 0; i < 10_000; i++) expect(internField('Date', `day ${i}`)).toEqual({ name: 'Date', value: `day ${i}` });
    const long = 'v'.repeat(500);
    expect(internField('X-Long', long)).toEqual({ name: 'X-Long', value: long });
    expect(internField('X-Long', long)).not.toBe(internField('X-Long', long));
  });
});

describe('messages share repeated fields and empty lists', () => {
  it('two check-ins with the same header lines hold the same frozen list of the same field objects', () => {
    const [a, b] = parseRequests(CHECK_IN + CHECK_IN);
    expect(a.headers).toEqual(b.headers);
    expect(a.headers).toBe(b.headers);
    expect(Object.isFrozen(a.headers)).toBe(true);
    a.headers.forEach((h, i) => expect(h).toBe(b.headers[i]));
    expect(a.headers.map((h) => [h.name, h.value])).toEqual([
      ['Content-Type', 'text/xml'],
      ['User-Agent', 'Microsoft UCPhone Device'],
      ['Content-Length', '3'],
    ]);
  });

  it('lists that differ in one field, in order or by a long value are not shared, and say what was sent', () => {
    const other = CHECK_IN.replace('Content-Length: 3', 'Content-Length: 4').replace('abc', 'abcd');
    const swapped = 'POST /RequestHandler/ucdevice.upx HTTP/1.1\r\nUser-Agent: Microsoft UCPhone Device\r\nContent-Type: text/xml\r\nContent-Length: 3\r\n\r\nabc';
    const long = CHECK_IN.replace('text/xml', 'x'.repeat(300));
    const [a, b, c, d, e] = parseRequests(CHECK_IN + other + swapped + long + long);
    expect(b.headers).not.toBe(a.headers);
    expect(b.headers.find((h) => h.name === 'Content-Length')?.value).toBe('4');
    expect(c.headers).not.toBe(a.headers);
    expect(c.headers.map((h) => h.name)).toEqual(['User-Agent', 'Content-Type', 'Content-Length']);
    // A field too long to share keeps its list unshared (and unfrozen) too.
    expect(d.headers).not.toBe(e.headers);
    expect(d.headers).toEqual(e.headers);
    expect(d.headers[0].value).toBe('x'.repeat(300));
  });

  it('stays right past its table of lists', () => {
    const seen = new Map<number, HttpRequest['headers']>();
    for (let i = 0; i < 3000; i++) {
      const [m] = parseRequests(`GET / HTTP/1.1\r\nHost: h\r\nX-N: ${i}\r\n\r\n`);
      expect(m.headers.map((h) => [h.name, h.value])).toEqual([['Host', 'h'], ['X-N', String(i)]]);
      seen.set(i, m.headers);
    }
    const [again] = parseRequests('GET / HTTP/1.1\r\nHost: h\r\nX-N: 2999\r\n\r\n');
    expect(again.headers).toBe(seen.get(2999));
  });

  it('a message without trailers or notes gets the shared frozen empty lists; one with notes its own', () => {
    const [clean] = parseRequests(CHECK_IN);
    expect(clean.trailers).toBe(NO_HEADERS);
    expect(clean.notes).toBe(NO_NOTES);
    expect(Object.isFrozen(NO_NOTES) && Object.isFrozen(NO_HEADERS)).toBe(true);
    expect(() => (clean.notes as unknown[]).push(1)).toThrow(TypeError);
    const [folded] = parseRequests('GET / HTTP/1.1\r\nX-A: one\r\n two\r\nHost: h\r\n\r\n');
    expect(folded.notes.map((n) => n.code)).toEqual(['http.obs-fold']);
    expect(folded.headers.find((h) => h.name === 'X-A')?.value).toBe('one two');
  });
});
