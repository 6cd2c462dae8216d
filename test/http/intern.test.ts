// intern() must hand back a string equal to what it was given, whatever its
// length or characters, and stay right after its table starts over.
import { describe, expect, it } from 'vitest';
import { intern } from '../../src/http/intern.js';

describe('intern', () => {
  it('returns an equal string for short, sliced, long and non-Latin-1 text', () => {
    const head = 'POST /RequestHandler/ucdevice.upx HTTP/1.1\r\nContent-Type: text/xml; charset=utf-8\r\n';
    const samples = ['', 'a', 'x'.repeat(12), 'y'.repeat(13), 'z'.repeat(128), 'w'.repeat(129), head.slice(46, 83), head.slice(0, 42), 'naïve ☃ 😀 value'];
    for (const s of samples) {
      expect(intern(s)).toBe(s);
      expect(intern(s)).toBe(s); // the remembered copy
    }
  });

  it('keeps answering correctly past its table size', () => {
    for (let i = 0; i < 10_000; i++) expect(intern(`Date: ${i} GMT padding`)).toBe(`Date: ${i} GMT padding`);
    expect(intern('Content-Length')).toBe('Content-Length');
  });
});
