import { describe, expect, it } from 'vitest';
import { lineDiff, MAX_DIFF_LINES } from '../../src/tui/line-diff.js';
import { isScreenSafe, MAX_TEXT, safeText } from '../../src/tui/sanitize.js';
import { prettyXml } from '../../src/tui/xml-pretty.js';

describe('prettyXml', () => {
  it('indents elements and keeps text-only elements on one line', () => {
    const xml = '<?xml version="1.0"?>\r\n<Response><ServerVersion>3.5</ServerVersion><Files><File><Url>http://x/a</Url></File></Files><Empty/></Response>';
    expect(prettyXml(xml)).toEqual([
      '<?xml version="1.0"?>',
      '<Response>',
      '  <ServerVersion>3.5</ServerVersion>',
      '  <Files>',
      '    <File>',
      '      <Url>http://x/a</Url>',
      '    </File>',
      '  </Files>',
      '  <Empty/>',
      '</Response>',
    ]);
  });

  it('shows broken markup as it is instead of failing', () => {
    expect(prettyXml('</a></b>text<c')).toEqual(['</a>', '</b>', 'text', '<c']);
    expect(prettyXml('<a><b>x')).toEqual(['<a>', '  <b>', '    x']);
    expect(prettyXml('')).toEqual([]);
  });

  it('keeps an HTML error page readable and caps the line count', () => {
    const page = '<html><body>' + '<p>line</p>'.repeat(50) + '</body></html>';
    const out = prettyXml(page, 10);
    expect(out).toHaveLength(10);
    expect(out[9]).toMatch(/^… \d+ more lines$/);
    expect(out[2]).toBe('    <p>line</p>');
  });

  it('does not nest without bound on a deep body', () => {
    const deep = '<a>'.repeat(5000);
    const out = prettyXml(deep, 5000);
    expect(Math.max(...out.map((l) => l.length))).toBeLessThanOrEqual(2 * 40 + 3);
  });
});

describe('lineDiff', () => {
  it('aligns equal lines and marks what is only expected or only actual', () => {
    expect(lineDiff(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual([
      { op: 'same', text: 'a' },
      { op: 'expected', text: 'b' },
      { op: 'actual', text: 'x' },
      { op: 'same', text: 'c' },
      { op: 'actual', text: 'd' },
    ]);
    expect(lineDiff([], [])).toEqual([]);
  });

  it('lists both sides whole past the size limit', () => {
    const big = Array.from({ length: MAX_DIFF_LINES + 1 }, (_, i) => `l${i}`);
    const d = lineDiff(big, ['l0']);
    expect(d).toHaveLength(MAX_DIFF_LINES + 2);
    expect(d[0].op).toBe('expected');
    expect(d.at(-1)).toEqual({ op: 'actual', text: 'l0' });
  });
});

describe('safeText', () => {
  it('turns ESC, OSC, C1, bidi, separators and tabs into visible text', () => {
    const hostile = 'a\u001b]52;c;cHdu\u0007b\u009b31m\u202etxt\u2028\tz\u200b';
    const out = safeText(hostile);
    expect(out).toBe('a\\x1b]52;c;cHdu\\x07b\\x9b31m\\u202etxt\\u2028    z\\u200b');
    expect(isScreenSafe(out)).toBe(true);
    expect(isScreenSafe(hostile)).toBe(false);
    expect(safeText(out)).toBe(out);
  });

  it('cuts very long strings', () => {
    expect(safeText('x'.repeat(MAX_TEXT + 10))).toHaveLength(MAX_TEXT + 1);
  });
});
