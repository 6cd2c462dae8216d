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
  it('two check-ins with the same header lines hold the same field objects', () => {
    const [a, b] = parseRequests(CHECK_IN + CHECK_IN);
    expect(a.headers).toEqual(b.headers);
    expect(a.headers).not.toBe(b.headers);
    a.headers.forEach((h, i) => expect(h).toBe(b.headers[i]));
    expect(a.headers.map((h) => [h.name, h.value])).toEqual([
      ['Content-Type', 'text/xml'],
      ['User-Agent', 'Microsoft UCPhone Device'],
      ['Content-Length', '3'],
    ]);
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
