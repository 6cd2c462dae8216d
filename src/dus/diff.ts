// Field-by-field comparison of two ucdevice.upx bodies: an expected response
// and the one the service sent, or a working phone's check-in and a stuck
// one's. Each difference is listed as missing, extra or different. File URLs
// are compared by their parts (scheme, host, the DeviceUpdateFiles_Int/_Ext
// area, then the vendor/model/revision/locale/version segments of section 1),
// so "the locale segment differs" is a line of its own.
import { FILE_CANONICAL, REQUEST_CANONICAL, RESPONSE_CANONICAL } from './field-names.js';
import type { UpxFileInit, UpxRequestInit, UpxResponseInit } from './upx-encode.js';
import type { UpxUnknownField } from './upx-types.js';
import { compareVersions } from './version.js';

export type DiffKind = 'missing' | 'extra' | 'different';

/** One difference. `missing`: expected (A) has it, actual (B) does not; `extra`: the reverse. */
export interface FieldDiff {
  /** `ServerVersion`, `Downloads`, `Files[1].Version`, `Files[1].Url.locale`, `#unknown/Response/Foo`. */
  field: string;
  kind: DiffKind;
  expected?: string;
  actual?: string;
}

/** The parts of a file URL, when it follows the layout of section 1. */
export interface FileUrlParts {
  scheme: string;
  host: string;
  /** `DeviceUpdateFiles_Int` or `DeviceUpdateFiles_Ext` as written. */
  area?: string;
  /** Named path segments: deviceType, vendor, model, revision, locale, version, file (UCPhone layout), or interim, locale, file. */
  segments: Array<[string, string]>;
}

const UCPHONE_NAMES = ['deviceType', 'vendor', 'model', 'revision', 'locale', 'version', 'folder', 'file'];

/** Split a file URL into the parts the diff compares; undefined when it is no http(s) URL under DeviceUpdateFiles_*. */
export function fileUrlParts(url: string): FileUrlParts | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?/i.exec(url.trim());
  if (!m) return undefined;
  const parts = (m[3] ?? '/').split('/').filter((p) => p !== '');
  if (!/^deviceupdatefiles_(int|ext)$/i.test(parts[0] ?? '')) return undefined;
  const rest = parts.slice(1);
  let segments: Array<[string, string]>;
  if (rest.length === 3 && rest[0].toLowerCase() === 'ocinterim') segments = [['interim', rest[0]], ['locale', rest[1]], ['file', rest[2]]];
  else if (rest.length === UCPHONE_NAMES.length) segments = rest.map((s, i) => [UCPHONE_NAMES[i], s]);
  else segments = rest.map((s, i) => [`segment${i + 1}`, s]);
  return { scheme: m[1].toLowerCase(), host: m[2], area: parts[0], segments };
}

export interface DiffOptions {
  /** Fields whose values are not compared, only their presence (`ServerVersion`, ...). */
  valueUnknown?: readonly string[];
  /** Do not compare URL hosts (the expected side does not know the server's name). */
  ignoreHost?: boolean;
  /** Do not compare File TimeStamps (a manifest seldom knows them). */
  ignoreTimeStamps?: boolean;
  /** Unknown fields of each side, to list those only one side has. */
  unknown?: { expected?: readonly UpxUnknownField[]; actual?: readonly UpxUnknownField[] };
}

// Version fields compare numerically (3.5.6907.0 equals 3.5.6907.00); names and
// path segments as IIS does, without case; everything else exactly.
const VERSION_FIELDS = new Set(['ServerVersion', 'ServiceVersion', 'Version']);
const CASELESS_FIELDS = new Set(['DeviceType', 'Vendor', 'Model', 'Revision', 'Locale', 'FileName', 'MacAddress']);

function equalValues(name: string, a: string, b: string): boolean {
  if (VERSION_FIELDS.has(name)) return a.trim() === b.trim() || (/^[\d.\s]+$/.test(a + b) && compareVersions(a, b) === 0 && a.trim() !== '' && b.trim() !== '');
  if (CASELESS_FIELDS.has(name)) return a.trim().toLowerCase() === b.trim().toLowerCase();
  return a === b;
}

function push(out: FieldDiff[], field: string, a: string | undefined, b: string | undefined, equal: (a: string, b: string) => boolean, opts: DiffOptions): void {
  if (a === undefined && b === undefined) return;
  if (a === undefined) out.push({ field, kind: 'extra', actual: b });
  else if (b === undefined) out.push({ field, kind: 'missing', expected: a });
  else if (!opts.valueUnknown?.includes(field) && !equal(a, b)) out.push({ field, kind: 'different', expected: a, actual: b });
}

function diffUrl(out: FieldDiff[], field: string, a: string, b: string, opts: DiffOptions): void {
  const pa = fileUrlParts(a);
  const pb = fileUrlParts(b);
  if (!pa || !pb) {
    if (a !== b) out.push({ field, kind: 'different', expected: a, actual: b });
    return;
  }
  const caseless = (x: string, y: string) => x.toLowerCase() === y.toLowerCase();
  const before = out.length;
  if (pa.scheme !== pb.scheme) out.push({ field: `${field}.scheme`, kind: 'different', expected: pa.scheme, actual: pb.scheme });
  if (!opts.ignoreHost && !caseless(pa.host, pb.host)) out.push({ field: `${field}.host`, kind: 'different', expected: pa.host, actual: pb.host });
  if (!caseless(pa.area ?? '', pb.area ?? '')) out.push({ field: `${field}.area`, kind: 'different', expected: pa.area, actual: pb.area });
  const sameLayout = pa.segments.length === pb.segments.length && pa.segments.every(([n], i) => n === pb.segments[i][0]);
  if (!sameLayout) {
    const path = (p: FileUrlParts) => p.segments.map(([, s]) => s).join('/');
    out.push({ field: `${field}.path`, kind: 'different', expected: path(pa), actual: path(pb) });
    return;
  }
  pa.segments.forEach(([name, s], i) => {
    const t = pb.segments[i][1];
    const equal = name === 'version' ? equalValues('Version', s, t) : caseless(s, t);
    if (!equal) out.push({ field: `${field}.${name}`, kind: 'different', expected: s, actual: t });
  });
  // Same parts but not the same text (a port, a query): still a difference.
  if (out.length === before && !caseless(a.replace(/^[^:]*:\/\/[^/]*/, ''), b.replace(/^[^:]*:\/\/[^/]*/, '')))
    out.push({ field, kind: 'different', expected: a, actual: b });
}

function diffFiles(out: FieldDiff[], a: readonly UpxFileInit[], b: readonly UpxFileInit[], opts: DiffOptions): void {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const fa = a[i];
    const fb = b[i];
    const at = `Files[${i + 1}]`;
    if (!fa) {
      out.push({ field: at, kind: 'extra', actual: fb.url ?? fb.version ?? fb.fileName ?? '' });
      continue;
    }
    if (!fb) {
      out.push({ field: at, kind: 'missing', expected: fa.url ?? fa.version ?? fa.fileName ?? '' });
      continue;
    }
    for (const [k, name] of FILE_CANONICAL) {
      if (k === 'timeStamp' && opts.ignoreTimeStamps) continue;
      const x = fa[k];
      const y = fb[k];
      if (k === 'url' && x !== undefined && y !== undefined) diffUrl(out, `${at}.Url`, x, y, opts);
      else push(out, `${at}.${name}`, x, y, (p, q) => equalValues(name, p, q), opts);
    }
  }
}

function diffUnknown(out: FieldDiff[], opts: DiffOptions): void {
  const a = opts.unknown?.expected ?? [];
  const b = opts.unknown?.actual ?? [];
  const key = (u: UpxUnknownField) => u.path.toLowerCase();
  const inA = new Map(a.map((u) => [key(u), u]));
  const inB = new Map(b.map((u) => [key(u), u]));
  for (const [k, u] of inA) if (!inB.has(k)) out.push({ field: `#unknown/${u.path}`, kind: 'missing', expected: u.value });
  for (const [k, u] of inB) {
    const e = inA.get(k);
    if (!e) out.push({ field: `#unknown/${u.path}`, kind: 'extra', actual: u.value });
    else if (e.value !== u.value) out.push({ field: `#unknown/${u.path}`, kind: 'different', expected: e.value, actual: u.value });
  }
}

/** Differences between an expected response (A) and an actual one (B). */
export function diffResponses(a: UpxResponseInit, b: UpxResponseInit, opts: DiffOptions = {}): FieldDiff[] {
  const out: FieldDiff[] = [];
  for (const [k, name] of RESPONSE_CANONICAL) {
    if (k === 'downloads') {
      const x = a.downloads !== undefined ? String(a.downloads) : a.downloadsRaw;
      const y = b.downloads !== undefined ? String(b.downloads) : b.downloadsRaw;
      push(out, name, x, y, (p, q) => p.trim() === q.trim(), opts);
    } else {
      const x = a[k];
      const y = b[k];
      // The handler URLs are https://<host>/RequestHandler(Ext)/ucdevice.upx: the host counts only when known.
      const eq = (p: string, q: string) =>
        opts.ignoreHost && /Url$/.test(name) ? p.replace(/^[^:]*:\/\/[^/]*/, '').toLowerCase() === q.replace(/^[^:]*:\/\/[^/]*/, '').toLowerCase() : equalValues(name, p, q);
      push(out, name, x, y, eq, opts);
    }
  }
  diffFiles(out, a.files ?? [], b.files ?? [], opts);
  diffUnknown(out, opts);
  return out;
}

/** Differences between two check-in requests (a working phone's, A, and a stuck one's, B). */
export function diffRequests(a: UpxRequestInit, b: UpxRequestInit, opts: DiffOptions = {}): FieldDiff[] {
  const out: FieldDiff[] = [];
  for (const [k, name] of REQUEST_CANONICAL) {
    const raw = (v: UpxRequestInit) => (k === 'macAddress' ? (typeof v.macAddress === 'object' ? v.macAddress.raw : v.macAddress) : v[k]);
    push(out, name, raw(a), raw(b), (p, q) => (name === 'MacAddress' ? p.replace(/[^0-9a-f]/gi, '').toLowerCase() === q.replace(/[^0-9a-f]/gi, '').toLowerCase() : equalValues(name, p, q)), opts);
  }
  diffFiles(out, a.files ?? [], b.files ?? [], opts);
  diffUnknown(out, opts);
  return out;
}

/** The versions a response offers, in order (for "offered 3.5.6907.0, expected 1.0.522.103"). */
export function offeredVersions(r: Pick<UpxResponseInit, 'files'>): string[] {
  return (r.files ?? []).map((f) => f.version ?? '?');
}

/** One line per difference, A being what was expected: for messages. */
export function describeDiff(d: FieldDiff): string {
  const q = (s: string | undefined) => JSON.stringify(s ?? '');
  switch (d.kind) {
    case 'missing':
      return `${d.field}: missing (expected ${q(d.expected)})`;
    case 'extra':
      return `${d.field}: not expected (got ${q(d.actual)})`;
    case 'different':
      return `${d.field}: expected ${q(d.expected)}, got ${q(d.actual)}`;
  }
}

/** One line per difference between two sides, neither of which is "expected" (two captured check-ins). */
export function describeDiffBetween(d: FieldDiff, a = 'A', b = 'B'): string {
  const q = (s: string | undefined) => JSON.stringify(s ?? '');
  switch (d.kind) {
    case 'missing':
      return `${d.field}: only in ${a} (${q(d.expected)})`;
    case 'extra':
      return `${d.field}: only in ${b} (${q(d.actual)})`;
    case 'different':
      return `${d.field}: ${a} ${q(d.expected)}, ${b} ${q(d.actual)}`;
  }
}
