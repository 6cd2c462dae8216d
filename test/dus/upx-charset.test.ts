import { describe, expect, it } from 'vitest';
import { decodeBodyText, offsetMapper } from '../../src/dus/upx-charset.js';
import { utf16, utf8 } from './helpers.js';

describe('decodeBodyText', () => {
  it('detects the encoding from a BOM or from the zero bytes of ASCII', () => {
    expect(decodeBodyText(new Uint8Array([0xef, 0xbb, 0xbf, 0x3c]))).toMatchObject({ text: '<', encoding: 'utf-8', bom: true, start: 3 });
    expect(decodeBodyText(utf16('<a/>', true, true))).toMatchObject({ text: '<a/>', encoding: 'utf-16le', bom: true, start: 2 });
    expect(decodeBodyText(utf16('<a/>', false, true))).toMatchObject({ text: '<a/>', encoding: 'utf-16be', bom: true, start: 2 });
    expect(decodeBodyText(utf16('<a/>', true, false))).toMatchObject({ text: '<a/>', encoding: 'utf-16le', bom: false, start: 0 });
    expect(decodeBodyText(utf16('<a/>', false, false))).toMatchObject({ text: '<a/>', encoding: 'utf-16be', bom: false, start: 0 });
    expect(decodeBodyText(utf8('<a/>'))).toMatchObject({ text: '<a/>', encoding: 'utf-8', bom: false, start: 0 });
  });

  it('reports an odd trailing byte of UTF-16 and the first bad UTF-8 byte', () => {
    const odd = new Uint8Array([...utf16('<a/>', true, true), 0x41]);
    expect(decodeBodyText(odd)).toMatchObject({ text: '<a/>', oddByteAt: odd.length - 1 });
    expect(decodeBodyText(new Uint8Array([0x3c, 0xe2, 0x82, 0x3e])).badUtf8At).toBe(1);
    // A real U+FFFD in the data is not an error.
    expect(decodeBodyText(utf8('<a>\ufffd</a>')).badUtf8At).toBeUndefined();
  });

  it('decodes a large UTF-16 body (chunked, no argument-count overflow)', () => {
    const s = '<a>' + 'x'.repeat(200_000) + '</a>';
    expect(decodeBodyText(utf16(s, false, false)).text).toBe(s);
  });
});

describe('offsetMapper', () => {
  it('maps code units to bytes for valid UTF-8 exactly as re-encoding the prefix would', () => {
    const s = 'aÜ€😀b\u0800\uffff𐍈z';
    const body = utf8(s);
    const t = decodeBodyText(body);
    const map = offsetMapper(body, t);
    for (let i = 0; i <= s.length; i++) {
      // Inside a surrogate pair, the pair's first byte.
      const boundary = i > 0 && i < s.length && s.charCodeAt(i) >= 0xdc00 && s.charCodeAt(i) <= 0xdfff ? i - 1 : i;
      expect(map(i), `index ${i}`).toBe(utf8(s.slice(0, boundary)).length);
    }
  });

  it('stays in step with TextDecoder on invalid UTF-8', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let k = 0; k < 200; k++) {
      const body = new Uint8Array(40).map(() => rnd());
      // Start with '<a' so the body is taken as UTF-8 (no BOM, no zero byte pair).
      body[0] = 0x3c;
      body[1] = 0x61;
      const t = decodeBodyText(body);
      expect(t.encoding).toBe('utf-8');
      const map = offsetMapper(body, t);
      let last = 0;
      for (let i = 0; i < t.text.length; i++) {
        const at = map(i);
        expect(at).toBeGreaterThanOrEqual(last);
        expect(at).toBeLessThan(body.length);
        // Decoding the bytes before `at` gives exactly the text before index i
        // (when i starts a character).
        const c = t.text.charCodeAt(i);
        if (!(c >= 0xdc00 && c <= 0xdfff)) {
          const prefix = new TextDecoder('utf-8', { ignoreBOM: true }).decode(body.subarray(t.start, at));
          expect(prefix).toBe(t.text.slice(0, i));
        }
        last = at;
      }
      expect(map(t.text.length)).toBe(body.length);
    }
  });

  it('maps UTF-16 indexes to two bytes each, after the BOM', () => {
    const body = utf16('<a>😀</a>', true, true);
    const map = offsetMapper(body, decodeBodyText(body));
    expect(map(0)).toBe(2);
    expect(map(4)).toBe(10);
    expect(map(100)).toBe(body.length);
  });

  it('answers queries out of order', () => {
    const body = utf8('ééééé');
    const map = offsetMapper(body, decodeBodyText(body));
    expect(map(4)).toBe(8);
    expect(map(1)).toBe(2);
    expect(map(3)).toBe(6);
  });
});
