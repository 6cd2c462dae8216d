// `upxray explain`: the phone's "Last Update Status" (0xAAAA/BBB: a WinInet
// error, then the HTTP status of the last check-in; shared/protocol/ucdevice-upx.md
// section 7), a lone WinInet code, or an HTTP status with an IIS substatus,
// explained from the tables. Pure: a string in, an explanation or a reason
// it is not a code out.
import { httpStatus, statusClass, type HttpStatusInfo } from './http-statuses.js';
import { wininetError, type WinInetError } from './wininet-errors.js';

/** What the input asked about. */
export type ExplainQuery =
  | { kind: 'status'; wininet: number; http: number }
  | { kind: 'wininet'; code: number }
  | { kind: 'http'; status: number; substatus?: number };

/** The WinInet half of an explanation. */
export interface WinInetPart {
  code: number;
  hex: string;
  /** False for a number wininet.h does not define. */
  known: boolean;
  entry?: WinInetError;
  /** For codes not in the table: what the number could be instead. */
  note?: string;
}

/** The HTTP half of an explanation. */
export interface HttpPart {
  status: number;
  substatus?: number;
  /** False when neither the status with its substatus nor the status alone is in the table. */
  known: boolean;
  entry?: HttpStatusInfo;
  /** The plain status, when a substatus was given. */
  parent?: HttpStatusInfo;
  class?: string;
  note?: string;
}

/** A whole explanation, as `--json` prints it (with schema 1). */
export interface Explanation {
  input: string;
  query: ExplainQuery;
  /** True for the states the guide calls normal: 0x0/200 and 0x00/0. */
  normal: boolean;
  wininet?: WinInetPart;
  http?: HttpPart;
  /** What the two halves say together, in sentences. */
  summary: string[];
}

export type ParseResult = { ok: true; query: ExplainQuery } | { ok: false; reason: string };

const MAX_INPUT = 64;

function num(s: string): number | undefined {
  if (/^0x[0-9a-f]{1,8}$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^\d{1,10}$/.test(s)) {
    const n = Number(s);
    return n <= 0xffffffff ? n : undefined;
  }
  return undefined;
}

/** Read `0x2f7d/200`, `(0x0/200)`, `12029`, `0x2efd`, `404`, `500.19`. */
export function parseExplainInput(raw: string): ParseResult {
  if (raw.length > MAX_INPUT) return { ok: false, reason: 'too long to be a status code' };
  let s = raw.trim().toLowerCase().replace(/\u00d7/g, 'x'); // the guide prints 0×00/0
  s = s.replace(/^last update status:?\s*/, '').replace(/^\((.*)\)$/, '$1').trim();
  if (s.includes('/')) {
    const [a, b, ...rest] = s.split('/').map((x) => x.trim());
    const w = num(a);
    const h = num(b ?? '');
    if (rest.length > 0 || w === undefined || h === undefined) return { ok: false, reason: 'expected WINNET/HTTP, for example 0x2efd/0 or 0x0/200' };
    return { ok: true, query: { kind: 'status', wininet: w, http: h } };
  }
  if (/^0x[0-9a-f]{1,8}$/.test(s)) return { ok: true, query: { kind: 'wininet', code: num(s)! } };
  const sub = /^(\d{3})\.(\d{1,3})$/.exec(s);
  if (sub) return { ok: true, query: { kind: 'http', status: Number(sub[1]), substatus: Number(sub[2]) } };
  const n = num(s);
  if (n === undefined) return { ok: false, reason: 'not a WinInet code, an HTTP status or a Last Update Status' };
  if (n >= 100 && n <= 599) return { ok: true, query: { kind: 'http', status: n } };
  return { ok: true, query: { kind: 'wininet', code: n } };
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function winPart(code: number): WinInetPart {
  if (code === 0) return { code, hex: hex(code), known: true, note: 'no error' };
  const entry = wininetError(code);
  if (entry) return { code, hex: hex(code), known: true, entry };
  const note =
    code > 12000 && code < 13000
      ? 'a number in the WinInet range that wininet.h does not assign (WinHTTP uses some of these numbers for its own errors)'
      : 'not a WinInet error (those run from 12001 up); it may be a Win32 or Winsock error code';
  return { code, hex: hex(code), known: false, note };
}

function httpPart(status: number, substatus?: number): HttpPart {
  if (status === 0 && substatus === undefined) {
    return { status, known: true, entry: httpStatus(0) };
  }
  const entry = httpStatus(status, substatus);
  const parent = substatus !== undefined ? httpStatus(status) : undefined;
  const part: HttpPart = { status, known: entry !== undefined || parent !== undefined };
  if (substatus !== undefined) part.substatus = substatus;
  if (entry) part.entry = entry;
  if (parent) part.parent = parent;
  const cls = statusClass(status);
  if (cls) part.class = cls;
  if (!entry && substatus !== undefined && parent) part.note = `IIS substatus ${substatus} is not in upxray's table; the status itself is`;
  if (!part.known) part.note = cls ? `not in upxray's table; a ${cls} status` : 'not an HTTP status (those run from 100 to 599)';
  return part;
}

function winName(w: WinInetPart): string {
  return w.entry ? `${w.entry.name} (${w.code})` : `WinInet ${w.hex} (${w.code})`;
}

/** Explain a parsed query. */
export function explainQuery(input: string, q: ExplainQuery): Explanation {
  const ex: Explanation = { input, query: q, normal: false, summary: [] };
  if (q.kind === 'wininet') ex.wininet = winPart(q.code);
  if (q.kind === 'http') ex.http = httpPart(q.status, q.substatus);
  if (q.kind === 'status') {
    const w = (ex.wininet = winPart(q.wininet));
    const h = (ex.http = httpPart(q.http));
    ex.normal = q.wininet === 0 && (q.http === 0 || q.http === 200);
    if (ex.normal) {
      ex.summary.push(
        q.http === 200
          ? 'This is the normal state: the last check-in reached the server and was answered 200.'
          : 'This is the normal state of a phone that has not checked in since it started.',
      );
      if (q.http === 200) {
        ex.summary.push(
          'It only says the check-in worked. If the phone still does not update, look at what the answer offered: ServerVersion and ServiceVersion present, a download for the phone\'s locale, the audit log, and whether the offered file was fetched (upxray analyze / upxray logs).',
        );
      }
    } else if (q.wininet !== 0 && q.http === 200) {
      ex.summary.push(`An earlier check-in was answered 200, but the latest attempt failed with ${winName(w)} before it got any HTTP answer.`);
    } else if (q.wininet !== 0 && q.http === 0) {
      ex.summary.push(`The phone has had no HTTP answer: ${winName(w)} stopped it first.`);
    } else if (q.wininet !== 0) {
      ex.summary.push(`The latest attempt failed with ${winName(w)}; the last HTTP answer the phone got was ${h.status}.`);
    } else if (q.http >= 400) {
      ex.summary.push(`The network path and TLS work; the server refused the check-in with ${q.http}. The IIS log has the substatus.`);
    } else {
      ex.summary.push(`No network error; the last check-in got HTTP ${q.http}.`);
    }
  }
  return ex;
}

/** Parse and explain in one step. */
export function explain(input: string): { ok: true; explanation: Explanation } | { ok: false; reason: string } {
  const p = parseExplainInput(input);
  return p.ok ? { ok: true, explanation: explainQuery(input, p.query) } : p;
}

/** The explanation as indented text, one fact per line. */
export function renderExplanation(ex: Explanation): string {
  const out: string[] = [];
  const w = ex.wininet;
  const h = ex.http;
  if (w) {
    if (w.code === 0) out.push(`WinInet ${w.hex}: no error`);
    else if (w.entry) {
      out.push(`WinInet ${w.hex} = ${w.code} ${w.entry.name}${w.entry.aliases ? ` (also ${w.entry.aliases.join(', ')})` : ''}`);
      out.push(`  meaning:   ${w.entry.meaning}`);
      if (w.entry.forPhone) out.push(`  for the phone: ${w.entry.forPhone}`);
      if (w.entry.check) out.push(`  check:     ${w.entry.check}`);
      if (!w.entry.forPhone) out.push('  (not an error the Device Update Service usually meets)');
    } else out.push(`WinInet ${w.hex} = ${w.code}: unknown code, ${w.note}`);
  }
  if (h) {
    const label = h.substatus !== undefined ? `${h.status}.${h.substatus}` : `${h.status}`;
    const e = h.entry ?? h.parent;
    if (h.status === 0 && h.entry) out.push(`HTTP 0: ${h.entry.meaning}`);
    else if (e) {
      out.push(`HTTP ${label} ${h.entry ? h.entry.reason : `(${h.parent!.reason})`}`);
      if (h.entry && h.parent) out.push(`  status:    ${h.parent.status} ${h.parent.reason}: ${h.parent.meaning}`);
      out.push(`  meaning:   ${e.meaning}`);
      if (h.note) out.push(`  note:      ${h.note}`);
      const forService = h.entry?.forService ?? h.parent?.forService;
      if (forService) out.push(`  for the service: ${forService}`);
      const finding = h.entry?.finding ?? h.parent?.finding;
      if (finding) out.push(`  upxray finding: ${finding}`);
    } else out.push(`HTTP ${label}: unknown status, ${h.note}`);
  }
  for (const s of ex.summary) out.push(s);
  return out.join('\n') + '\n';
}
