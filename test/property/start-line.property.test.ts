// The request-line matchers were rewritten by hand (the regexes backtracked
// quadratically on long lines); on short lines, where the regexes are cheap,
// the hand-written versions must agree with them exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findMessageStart, parseRequestLine } from '../../src/http/start-line.js';

const REQUEST_RE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +([^ \x00-\x1f\x7f]+) +(HTTP\/1\.[0-9])$/;
const LAX_REQUEST_RE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +([^ \r\n][^\r\n]*?) +(HTTP\/1\.[0-9])$/;
const REQUEST_SEARCH_RE = /[A-Z][!#$%&'*+.^_`|~0-9A-Za-z-]* +[^ \x00-\x1f\x7f]+ +HTTP\/1\.[0-9]$/;

function referenceParse(line: string) {
  const m = REQUEST_RE.exec(line);
  if (m) return { method: m[1], uri: m[2], version: m[3] };
  const lax = LAX_REQUEST_RE.exec(line);
  if (!lax) return null;
  const space = lax[2].indexOf(' ');
  return { method: lax[1], uri: space < 0 ? lax[2] : lax[2].slice(0, space), rawTarget: lax[2], version: lax[3] };
}

const KNOWN_METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH'];

/** findMessageStart(s, 'request') as it was, with the regex search. */
function referenceFind(s: string): number {
  const m = REQUEST_SEARCH_RE.exec(s);
  if (!m) return -1;
  let at = m.index;
  const token = s.slice(at, s.indexOf(' ', at));
  if (!KNOWN_METHODS.includes(token)) {
    const known = KNOWN_METHODS.find((k) => token.endsWith(k));
    if (known) at += token.length - known.length;
  }
  if (referenceParse(s.slice(at)) === null) return -1;
  return at;
}

const piece = fc.constantFrom('GET', 'POST', 'xPOST', 'a', 'Z', ' ', '  ', '/', '/x', '?q=1', 'HTTP/1.1', 'HTTP/1.', 'HTTP/2.0', '\r', '\n', '\u0001', '\u007f', '\t', ':', 'é', '"');
const line = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));

describe('request-line matching by hand', () => {
  it('parseRequestLine agrees with the regexes it replaced', () => {
    fc.assert(
      fc.property(line, (s) => {
        expect(parseRequestLine(s)).toEqual(referenceParse(s));
      }),
      { numRuns: 5000 },
    );
  });

  it('findMessageStart agrees with the regex search it replaced', () => {
    fc.assert(
      fc.property(fc.tuple(fc.string({ maxLength: 6 }), line), ([junk, l]) => {
        const s = junk + l;
        expect(findMessageStart(s, 'request')).toBe(referenceFind(s));
      }),
      { numRuns: 5000 },
    );
  });

  it('stays linear on the lines that made the regexes quadratic', () => {
    const t0 = performance.now();
    expect(parseRequestLine(`GET /a${' '.repeat(60_000)}x`)).toBeNull();
    expect(findMessageStart(`${'A'.repeat(16_384)}  HTTP/1.1`, 'request')).toBe(-1);
    expect(findMessageStart(`${'A'.repeat(16_384)} `, 'request')).toBe(-1);
    expect(performance.now() - t0).toBeLessThan(200);
  });
});
