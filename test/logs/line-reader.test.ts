import { describe, expect, it } from 'vitest';
import { LineSplitter, splitLines } from '../../src/logs/line-reader.js';

const enc = new TextEncoder();

describe('LineSplitter', () => {
  const text = '\ufeffLogging DateTime,User Name\r\n03-06-2009 17:07:20,a\r\n\r\nlast line without end';

  it('splits CRLF and LF lines, drops the BOM, keeps the last unterminated line', () => {
    const lines = splitLines(text);
    expect(lines.map((l) => l.text)).toEqual(['Logging DateTime,User Name', '03-06-2009 17:07:20,a', '', 'last line without end']);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4]);
    expect(lines.every((l) => !l.truncated)).toBe(true);
  });

  it('gives the same lines at every split point of the input', () => {
    const bytes = enc.encode(text);
    const whole = splitLines(bytes);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const s = new LineSplitter();
      const got = [...s.push(bytes.subarray(0, cut)), ...s.push(bytes.subarray(cut)), ...s.end()];
      expect(got).toEqual(whole);
    }
  });

  it('keeps only the start of an over-long line, marks it, and goes on with the next', () => {
    const long = 'x'.repeat(1024 * 1024);
    const s = new LineSplitter(1000);
    const chunk = enc.encode(`${long}\nnext\n`);
    const got = [...s.push(chunk.subarray(0, 300_000)), ...s.push(chunk.subarray(300_000)), ...s.end()];
    expect(got).toHaveLength(2);
    expect(got[0].truncated).toBe(true);
    expect(got[0].text).toHaveLength(1000);
    expect(got[1]).toEqual({ line: 2, text: 'next', truncated: false });
  });

  it('strips one CR before the LF only, and makes no line of an empty input', () => {
    expect(splitLines('')).toEqual([]);
    expect(splitLines('a\r\r\n').map((l) => l.text)).toEqual(['a\r']);
  });
});
