// HTTP/1.x start lines (RFC 9112 section 3 request-line, section 4 status-line):
// parsing, the content heuristic that decides whether a direction of a TCP
// connection speaks HTTP, and the search for a message start after the parser
// lost its place (gap, oversized head). All work on latin1 strings or bytes;
// nothing here throws or allocates by a length taken from the input.

/** A parsed request-line. */
export interface RequestLine {
  method: string;
  /** The request target as Wireshark reads it: up to the first space. */
  uri: string;
  /** Everything between method and version, when that is more than `uri` (spaces in the target). */
  rawTarget?: string;
  version: string;
}

/** A parsed status-line. */
export interface StatusLine {
  version: string;
  status: number;
  reason: string;
}

// method = token (RFC 9110 section 5.6.2). Real methods are upper case; the
// heuristics below insist on a leading capital so binary data rarely matches.
const REQUEST_RE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +([^ \x00-\x1f\x7f]+) +(HTTP\/1\.[0-9])$/;
// What a broken client really sends (a phone whose locale setting holds a
// space or a control character): still a request, read as Wireshark does.
// It is /^(token) +([^ \r\n][^\r\n]*?) +(HTTP\/1\.[0-9])$/, matched by hand:
// as a regex the lazy target backtracks quadratically on a long run of spaces.
const METHOD_THEN_SPACES = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +/;
const VERSION_AT_END = /HTTP\/1\.[0-9]$/;

function laxRequestLine(line: string): [method: string, target: string, version: string] | null {
  const m = METHOD_THEN_SPACES.exec(line);
  const v = VERSION_AT_END.exec(line);
  if (!m || !v) return null;
  // The target ends where the run of spaces before the version starts.
  let end = v.index;
  if (end === 0 || line.charCodeAt(end - 1) !== 0x20) return null;
  while (end > 0 && line.charCodeAt(end - 1) === 0x20) end--;
  const start = m[0].length;
  if (end <= start) return null;
  const target = line.slice(start, end);
  if (/[\r\n]/.test(target)) return null;
  return [m[1], target, v[0]];
}
// Lax on the reason phrase (may be absent, RFC 9112 section 4) and trailing space.
const STATUS_RE = /^(HTTP\/1\.[0-9]) ([0-9]{3})(?:[ \t]([^\x00]*))?$/;

/** Parse a request-line without its line end; null if it is not one. */
export function parseRequestLine(line: string): RequestLine | null {
  const m = REQUEST_RE.exec(line);
  if (m) return { method: m[1], uri: m[2], version: m[3] };
  const lax = laxRequestLine(line);
  if (!lax) return null;
  const space = lax[1].indexOf(' ');
  return { method: lax[0], uri: space < 0 ? lax[1] : lax[1].slice(0, space), rawTarget: lax[1], version: lax[2] };
}

/** Parse a status-line without its line end; null if it is not one. */
export function parseStatusLine(line: string): StatusLine | null {
  const m = STATUS_RE.exec(line);
  if (!m) return null;
  return { version: m[1], status: Number(m[2]), reason: (m[3] ?? '').trim() };
}

/** Methods worth recognising when a body's last bytes run into a request-line. */
const KNOWN_METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH'];

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Where /[A-Z][tchar]* +[^ \x00-\x1f\x7f]+ +HTTP\/1\.[0-9]$/ would match in
 * `s`, or -1, found from the end in one pass: the unanchored regex retried
 * from every capital letter, quadratic on a long line of them.
 */
function searchRequestLine(s: string): number {
  const v = VERSION_AT_END.exec(s);
  if (!v) return -1;
  let i = v.index;
  if (i === 0 || s[i - 1] !== ' ') return -1;
  while (i > 0 && s[i - 1] === ' ') i--;
  const targetEnd = i;
  while (i > 0 && s[i - 1] !== ' ') i--;
  if (i === targetEnd || i === 0 || CONTROL.test(s.slice(i, targetEnd))) return -1;
  while (i > 0 && s[i - 1] === ' ') i--;
  const methodEnd = i;
  while (i > 0 && TOKEN_CHAR.test(s[i - 1])) i--;
  // The leftmost capital of the token run starts the match.
  for (let k = i; k < methodEnd; k++) if (s.charCodeAt(k) >= 0x41 && s.charCodeAt(k) <= 0x5a) return k;
  return -1;
}
const STATUS_SEARCH_RE = /HTTP\/1\.[0-9] [0-9]{3}(?=[ \t]|$)/;

/**
 * Where in `line` (no line end) a message of `role` starts, or -1. Used to
 * resynchronise: the bytes before the match are the tail of something lost.
 */
export function findMessageStart(line: string, role: 'request' | 'response', from = 0): number {
  const s = from > 0 ? line.slice(from) : line;
  if (role === 'response') {
    const m = STATUS_SEARCH_RE.exec(s);
    if (!m || parseStatusLine(s.slice(m.index)) === null) return -1;
    return m.index + from;
  }
  let at = searchRequestLine(s);
  if (at < 0) return -1;
  // "...body bytesPOST /x HTTP/1.1": prefer the known method the token ends with.
  const token = s.slice(at, s.indexOf(' ', at));
  if (!KNOWN_METHODS.includes(token)) {
    const known = KNOWN_METHODS.find((k) => token.endsWith(k));
    if (known) at += token.length - known.length;
  }
  if (parseRequestLine(s.slice(at)) === null) return -1;
  return at + from;
}

/** Verdict of the content heuristic on a direction's first bytes. */
export type StartProbe = 'request' | 'response' | 'no' | 'more';

/** Longest first line the heuristic waits for before giving up. */
export const PROBE_MAX_LINE = 8192;

const TCHAR = /^[!#$%&'*+.^_`|~0-9A-Za-z-]$/;

/**
 * Does a direction's first data look like an HTTP/1.x request or response?
 * 'more' when the bytes so far are a plausible prefix of a start line. Leading
 * CR/LF are skipped (RFC 9112 section 2.2).
 */
export function probeStartLine(bytes: Uint8Array): StartProbe {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x0d || bytes[i] === 0x0a)) i++;
  const limit = Math.min(bytes.length, i + PROBE_MAX_LINE);
  let end = i;
  while (end < limit && bytes[end] !== 0x0a) end++;
  const complete = end < limit;
  let line = latin1(bytes, i, end);
  if (complete) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (parseStatusLine(line)) return 'response';
    if (parseRequestLine(line)) return 'request';
    return 'no';
  }
  if (end - i >= PROBE_MAX_LINE) return 'no';
  return plausiblePrefix(line) ? 'more' : 'no';
}

function plausiblePrefix(s: string): boolean {
  if (s.length === 0) return true;
  if (s.length <= 7) {
    if ('HTTP/1.'.startsWith(s)) return true;
  } else if (/^HTTP\/1\.[0-9](?: [0-9]{0,3}(?:[ \t][^\x00]*)?)?$/.test(s.replace(/\r$/, ''))) {
    return true;
  }
  // Request-line prefix: capital, token chars, then SP and printable bytes.
  if (!/[A-Z]/.test(s[0])) return false;
  let j = 1;
  while (j < s.length && TCHAR.test(s[j])) j++;
  if (j > 32) return false;
  if (j === s.length) return true;
  if (s[j] !== ' ') return false;
  return !/[\x00-\x08\x0a-\x1f\x7f]/.test(s.slice(j).replace(/\r$/, ''));
}

/** Decode bytes as latin1 (each byte one code unit), as header fields are kept. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}
