// What each screen of the terminal UI shows, computed from an AnalysisResult
// with no React and no terminal: the phones list (status badge, finding
// counts, what `/` searches), a phone's timeline and findings, and the detail
// of an exchange or a finding as styled lines. Every string that came from the
// capture is passed through safeText here, so the components get text that can
// no longer drive the terminal (they sanitise again; safeText is idempotent).
import type { AnalysisResult } from '../analysis.js';
import { describeDiff, type DiffOptions } from '../dus/diff.js';
import { expectedView, sourceLabel } from '../dus/expected-view.js';
import type { DusExchange, DusModel, Phone, TimelineEntry } from '../dus/model.js';
import type { UpxResponseInit } from '../dus/upx-encode.js';
import type { UpxFile, UpxRequest, UpxResponse } from '../dus/upx-types.js';
import type { Finding, Severity } from '../diagnose/finding.js';
import { headerValue, type HttpHeader, type HttpMessage } from '../http/message.js';
import { clock, duration } from '../report/time.js';
import { macText } from '../dus/mac-address.js';

export { clock, macText };
import { lineDiff } from './line-diff.js';
import { safeText } from './sanitize.js';
import { prettyXml } from './xml-pretty.js';

/** A phone's badge: the model's status, or `site` for the row of findings that name no phone. */
export type Badge = Phone['status'] | 'site';

export interface FindingCounts {
  error: number;
  warning: number;
  info: number;
}

/** One row of the phones list. */
export interface PhoneRow {
  /** Phone.key, or SITE_KEY. */
  key: string;
  /** `00:21:63:0f:20:7b`, or the IP when the MAC is unknown. */
  label: string;
  ip: string;
  model: string;
  version: string;
  status: Badge;
  counts: FindingCounts;
  /** Lower-case text `/` matches against: MACs in several notations, IPs, vendor, model, serials, codes. */
  search: string;
}

/** One entry of a phone's timeline. */
export interface TimelineRow {
  kind: TimelineEntry['kind'];
  /** `17:10:39.306` */
  time: string;
  summary: string;
  frames: number[];
  /** `+3 min 19 s, idle reboot` */
  gap?: string;
  /** The exchange Enter opens (check-ins and downloads). */
  exchange?: string;
}

/** A finding as the lists show it. */
export interface FindingRow {
  /** Index in AnalysisResult.findings, the finding screen's address. */
  index: number;
  code: string;
  severity: Severity;
  message: string;
  remedy?: string;
  frames: number[];
  exchanges: string[];
  field?: string;
  caveat?: string;
}

/** The phone screen: identity lines, timeline, findings. */
export interface PhoneView {
  row: PhoneRow;
  identity: string[];
  timeline: TimelineRow[];
  findings: FindingRow[];
}

/** How a detail line is drawn. */
export type Tone = 'heading' | 'label' | 'expected' | 'actual' | 'error' | 'warning' | 'info' | 'dim' | 'plain';

export interface DetailLine {
  text: string;
  tone: Tone;
}

/** A scrollable detail screen (an exchange, or a finding with its evidence). */
export interface DetailView {
  title: string;
  lines: DetailLine[];
}

export interface ViewModel {
  /** `captures/dus-demo.pcap · 196 frames · 2009-03-06 17:07:20 to 17:18:54` */
  title: string;
  /** `whole` or what the capture misses. */
  health: string;
  phones: PhoneRow[];
}

/** Key of the pseudo-phone that holds findings naming no phone. */
export const SITE_KEY = '(site)';

/** Display limits: body lines shown per message. @default 400 */
export const MAX_BODY_LINES = 400;

// ---------------------------------------------------------------- helpers


/** Whether finding f concerns phone p (by MAC, else by IP), as the text report decides. */
export function findingBelongs(f: Finding, p: Phone): boolean {
  return (f.phone.mac !== undefined && f.phone.mac === p.mac) || (f.phone.ip !== undefined && p.ips.includes(f.phone.ip));
}

function counts(fs: readonly Finding[]): FindingCounts {
  const c: FindingCounts = { error: 0, warning: 0, info: 0 };
  for (const f of fs) c[f.severity]++;
  return c;
}

function findingRow(f: Finding, index: number): FindingRow {
  const row: FindingRow = {
    index,
    code: f.code,
    severity: f.severity,
    message: safeText(f.message),
    frames: f.evidence.frames,
    exchanges: (f.evidence.exchanges ?? []).map((x) => safeText(x)),
  };
  if (f.remedy) row.remedy = safeText(f.remedy);
  if (f.evidence.field) row.field = safeText(f.evidence.field);
  if (f.caveat) row.caveat = safeText(f.caveat);
  return row;
}

/** Findings of each phone key, plus SITE_KEY for those that match no phone. */
function findingsByPhone(r: AnalysisResult): Map<string, number[]> {
  const by = new Map<string, number[]>();
  r.findings.forEach((f, i) => {
    const owners = r.model.phones.filter((p) => findingBelongs(f, p));
    const keys = owners.length > 0 ? owners.map((p) => p.key) : [SITE_KEY];
    for (const k of keys) {
      const list = by.get(k) ?? [];
      list.push(i);
      by.set(k, list);
    }
  });
  return by;
}

function phoneRow(p: Phone, fs: readonly Finding[]): PhoneRow {
  const macs = p.mac ? [p.mac, macText(p.mac), macText(p.mac).replace(/:/g, '-')] : [];
  const search = [...macs, ...p.ips, p.vendor, p.model, p.revision, p.locale, p.version, ...p.serials, p.status, ...fs.map((f) => f.code)]
    .filter((s): s is string => s !== undefined)
    .join(' ')
    .toLowerCase();
  return {
    key: safeText(p.key),
    label: p.mac ? macText(p.mac) : safeText(p.ips[0] ?? p.key),
    ip: safeText(p.ips.join(', ')),
    model: safeText([p.vendor, p.model, p.revision ? `rev ${p.revision}` : undefined].filter(Boolean).join(' ') || '?'),
    version: safeText(p.version ?? '—'),
    status: p.status,
    counts: counts(fs),
    search: safeText(search),
  };
}

// ---------------------------------------------------------------- view model

/** The phones list and the header, in the model's phone order, then the site row. */
export function buildViewModel(r: AnalysisResult): ViewModel {
  const by = findingsByPhone(r);
  const phones = r.model.phones.map((p) => phoneRow(p, (by.get(p.key) ?? []).map((i) => r.findings[i])));
  const site = by.get(SITE_KEY);
  if (site) {
    const fs = site.map((i) => r.findings[i]);
    phones.push({
      key: SITE_KEY,
      label: 'other',
      ip: '',
      model: 'findings tied to no phone that checked in',
      version: '',
      status: 'site',
      counts: counts(fs),
      search: safeText(['site', 'other', ...fs.flatMap((f) => [f.code, f.phone.ip ?? '', f.phone.mac ?? '', f.phone.mac ? macText(f.phone.mac) : ''])].join(' ').toLowerCase()),
    });
  }
  const cap = r.flows.captures[0];
  const span = cap?.firstTime && cap.lastTime ? ` · ${cap.firstTime.slice(0, 10)} ${cap.firstTime.slice(11, 19)} to ${cap.lastTime.slice(11, 19)}` : '';
  const title = cap ? `${safeText(cap.path)} · ${cap.records} frames${span}` : 'no capture';
  const h = r.model.health;
  const health = h.whole ? 'capture whole' : `capture incomplete: ${h.notes.map((n) => safeText(n)).join('; ') || 'see analyze'}`;
  return { title, health, phones };
}

/** Phones whose row matches every word of the query (MAC in any notation, IP, model, finding code...). */
export function filterPhones(rows: readonly PhoneRow[], query: string): PhoneRow[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((r) =>
    words.every((w) => {
      if (r.search.includes(w)) return true;
      // A MAC typed with any separators (0021.630f.207b, 00-21-63...) still matches.
      const hex = w.replace(/[.:\-]/g, '');
      return hex.length >= 4 && /^[0-9a-f]+$/.test(hex) && r.search.includes(hex);
    }),
  );
}

function timelineRow(t: TimelineEntry): TimelineRow {
  // The kind has its own column: drop it from the front of the summary.
  const summary = t.summary.replace(/^(check-in|download)\s+/, '');
  const row: TimelineRow = { kind: t.kind, time: clock(t.timeNs).slice(11), summary: safeText(summary), frames: t.frames };
  if (t.gapSeconds !== undefined) row.gap = `+${duration(t.gapSeconds)}${t.gapMeaning ? `, ${t.gapMeaning.replace('-', ' ')}` : ''}`;
  if (t.kind !== 'connection-failed' && t.kind !== 'log') row.exchange = safeText(t.ref);
  return row;
}

/** The phone screen for a phone key (or SITE_KEY); undefined for an unknown key. */
export function phoneView(r: AnalysisResult, key: string): PhoneView | undefined {
  const by = findingsByPhone(r);
  const idx = by.get(key) ?? [];
  const findings = idx.map((i) => findingRow(r.findings[i], i));
  if (key === SITE_KEY) {
    const row = buildViewModel(r).phones.find((p) => p.key === SITE_KEY);
    return row ? { row, identity: ['Findings about a phone that never completed a check-in, or about no phone at all.'], timeline: [], findings } : undefined;
  }
  const p = r.model.phones.find((x) => x.key === key);
  if (!p) return undefined;
  const identity = [
    [p.vendor, p.model, p.revision ? `rev ${p.revision}` : undefined].filter(Boolean).join(' ') || 'model unknown',
    p.locale ? `locale ${p.locale}` : undefined,
    p.serials.length ? `serial ${p.serials.join(', ')}` : undefined,
    p.version ? `runs ${p.version}` : undefined,
  ]
    .filter((s): s is string => s !== undefined)
    .map((s) => safeText(s));
  return {
    row: phoneRow(p, idx.map((i) => r.findings[i])),
    identity: [`${p.mac ? macText(p.mac) : 'MAC unknown'}  ${safeText(p.ips.join(', '))}`, identity.join(' · ')],
    timeline: p.timeline.map(timelineRow),
    findings,
  };
}

// ---------------------------------------------------------------- detail screens

const line = (text: string, tone: Tone = 'plain'): DetailLine => ({ text: safeText(text), tone });

function bodyText(body: Uint8Array | undefined, encoding: string): string | undefined {
  if (!body || body.length === 0) return undefined;
  const head = body.subarray(0, 512);
  // NUL bytes in an 8-bit body mean binary (firmware); UTF-16 XML has them by nature.
  if (!encoding.startsWith('utf-16') && head.includes(0)) return undefined;
  try {
    return new TextDecoder(encoding, { fatal: false }).decode(body.subarray(0, 256 * 1024));
  } catch {
    return new TextDecoder('utf-8', { fatal: false }).decode(body.subarray(0, 256 * 1024));
  }
}

function isTextual(headers: readonly HttpHeader[]): boolean {
  const ct = (headerValue(headers, 'content-type') ?? '').toLowerCase();
  return ct === '' || /xml|html|text|json/.test(ct);
}

function headerLines(m: HttpMessage): DetailLine[] {
  return m.headers.map((h) => line(`  ${h.name}: ${h.value}`));
}

function fileLines(files: readonly UpxFile[]): DetailLine[] {
  return files.map((f) =>
    line(`  File ${[f.fileName, f.version, f.timeStamp, f.url].map((s) => s ?? '—').join(' · ')}`),
  );
}

function requestFields(q: UpxRequest): DetailLine[] {
  const kv: Array<[string, string | undefined]> = [
    ['DeviceType', q.deviceType],
    ['MacAddress', q.macAddress?.raw],
    ['SerialNumber', q.serialNumber],
    ['Vendor', q.vendor],
    ['Model', q.model],
    ['Revision', q.revision],
    ['Locale', q.locale],
  ];
  return [
    ...kv.map(([k, v]) => line(`  ${k.padEnd(13)} ${v ?? '(absent)'}`, v === undefined ? 'dim' : 'plain')),
    ...fileLines(q.files),
    ...q.unknown.map((u) => line(`  ${u.path} = ${u.value}`, 'dim')),
    ...q.notes.map((n) => line(`  note ${n.code}${n.detail ? `: ${n.detail}` : ''}`, 'warning')),
  ];
}

function responseFields(s: UpxResponse): DetailLine[] {
  const kv: Array<[string, string | undefined]> = [
    ['ServerVersion', s.serverVersion],
    ['ServiceVersion', s.serviceVersion],
    ['InternalUrl', s.updatesServerInternalUrl],
    ['ExternalUrl', s.updatesServerExternalUrl],
    ['Downloads', s.downloadsRaw],
  ];
  return [
    ...kv.map(([k, v]) => line(`  ${k.padEnd(14)} ${v ?? '(absent)'}`, v === undefined ? 'warning' : 'plain')),
    ...fileLines(s.files),
    ...s.unknown.map((u) => line(`  ${u.path} = ${u.value}`, 'dim')),
    ...s.notes.map((n) => line(`  note ${n.code}${n.detail ? `: ${n.detail}` : ''}`, 'warning')),
  ];
}

function upxLines<T>(title: string, r: { ok: true; value: T } | { ok: false; error: { code: string; offset: number; detail?: string } } | undefined, f: (v: T) => DetailLine[]): DetailLine[] {
  if (r === undefined) return [];
  if (!r.ok) return [line(title, 'label'), line(`  cannot decode: ${r.error.code} at byte ${r.error.offset}${r.error.detail ? ` (${r.error.detail})` : ''}`, 'error')];
  return [line(title, 'label'), ...f(r.value)];
}

function bodyLines(m: HttpMessage, encoding: string): DetailLine[] {
  if (m.bodySize === 0) return [];
  const text = isTextual(m.headers) ? bodyText(m.body, encoding) : undefined;
  if (text === undefined) return [line(`  body: ${m.bodySize} bytes${m.complete ? '' : ' (incomplete)'}, not shown`, 'dim')];
  const out = prettyXml(text, MAX_BODY_LINES).map((l) => line(`  ${l}`));
  if (!m.complete) out.push(line(`  (body incomplete: ${m.bodySize} bytes arrived)`, 'warning'));
  return out;
}

/** What a check-in should have been answered, when the model can say: from `--expected` or the inventory (dus/expected-view.ts decides). */
export function expectedFor(m: DusModel, x: DusExchange): { response: UpxResponseInit; opts: DiffOptions; source: string } | undefined {
  const v = expectedView(m, x);
  return v ? { response: v.expected, opts: v.opts, source: sourceLabel(v.source) } : undefined;
}

/** Expected-vs-actual for a check-in with an expected answer: the differing fields, then the two bodies aligned. [] otherwise. */
export function expectedDiff(m: DusModel, x: DusExchange): DetailLine[] {
  const v = expectedView(m, x);
  if (!v) return [];
  const diffs = v.differences;
  const source = sourceLabel(v.source);
  const out: DetailLine[] = [line(diffs.length === 0 ? `Expected answer (from ${source}): the actual answer matches it` : `Expected (from ${source}) versus actual: ${diffs.length} difference(s)`, 'heading')];
  for (const d of diffs) out.push(line(`  ${describeDiff(d)}`, d.kind === 'extra' ? 'actual' : 'expected'));
  if (diffs.length === 0) return out;
  const expLines = prettyXml(v.expectedXml, MAX_BODY_LINES);
  const body = bodyText(x.http.response?.body, v.actual.encoding);
  const actLines = body !== undefined ? prettyXml(body, MAX_BODY_LINES) : [];
  out.push(line('  - expected   + actual', 'dim'));
  for (const d of lineDiff(expLines, actLines)) {
    out.push(line(`  ${d.op === 'same' ? ' ' : d.op === 'expected' ? '-' : '+'} ${d.text}`, d.op === 'same' ? 'dim' : d.op));
  }
  return out;
}

function findingLines(f: Finding): DetailLine[] {
  const tone: Tone = f.severity;
  const out = [line(`${f.severity.toUpperCase()} ${f.code}  ${f.message}`, tone)];
  if (f.evidence.frames.length) out.push(line(`  frames ${f.evidence.frames.join(', ')}`, 'label'));
  if (f.evidence.field) out.push(line(`  field ${f.evidence.field}`, 'dim'));
  if (f.caveat) out.push(line(`  note: ${f.caveat}`, 'warning'));
  if (f.remedy) out.push(line(`  remedy: ${f.remedy}`));
  return out;
}

function exchangeTitle(x: DusExchange): string {
  const q = x.http.request;
  const s = x.http.response;
  return `${x.cls.kind} ${x.id}: ${q ? `${q.method} ${q.uri}` : '(no request)'} → ${s ? `${s.status} ${s.reason}` : 'no answer'}`;
}

/** The exchange detail: headers, decoded upx fields, bodies, the expected diff, its findings. */
export function exchangeView(r: AnalysisResult, id: string, withFindings = true): DetailView | undefined {
  const x = r.model.exchanges.find((e) => e.id === id);
  if (!x) return undefined;
  const q = x.http.request;
  const s = x.http.response;
  const out: DetailLine[] = [];
  out.push(line(`${x.http.client.ip}:${x.http.client.port} → ${x.http.server.ip}:${x.http.server.port}  stream ${x.http.flow.index}`, 'dim'));
  if (q) {
    out.push(line(`Request  frame ${q.frame}${q.firstFrame !== q.frame ? ` (from ${q.firstFrame})` : ''}  ${clock(q.startNs)}`, 'heading'));
    out.push(line(`  ${q.method} ${q.rawTarget ?? q.uri} ${q.version}`));
    out.push(...headerLines(q));
    out.push(...upxLines('  ucdevice.upx request', x.upxRequest, requestFields));
    if (x.cls.kind !== 'download') out.push(...bodyLines(q, x.upxRequest?.ok ? x.upxRequest.value.encoding : 'utf-8'));
  } else {
    out.push(line('Request  not in the capture', 'warning'));
  }
  if (s) {
    out.push(line(`Response  frame ${s.frame}${s.firstFrame !== s.frame ? ` (from ${s.firstFrame})` : ''}  ${clock(s.startNs)}`, 'heading'));
    out.push(line(`  ${s.version} ${s.status} ${s.reason}`, s.status >= 400 ? 'error' : 'plain'));
    out.push(...headerLines(s));
    out.push(...upxLines('  ucdevice.upx response', x.upxResponse, responseFields));
    out.push(...bodyLines(s, x.upxResponse?.ok ? x.upxResponse.value.encoding : 'utf-8'));
  } else {
    out.push(line('Response  none before the connection ended', 'warning'));
  }
  out.push(...expectedDiff(r.model, x));
  if (!withFindings) return { title: safeText(exchangeTitle(x)), lines: out };
  const fs = r.findings.filter((f) => f.evidence.exchanges?.includes(x.id));
  out.push(line(fs.length ? `Findings (${fs.length})` : 'Findings: none on this exchange', 'heading'));
  for (const f of fs) out.push(...findingLines(f));
  return { title: safeText(exchangeTitle(x)), lines: out };
}

/** The finding detail: what, where (frames, field), the remedy, then each evidence exchange in full. */
export function findingView(r: AnalysisResult, index: number): DetailView | undefined {
  const f = r.findings[index];
  if (!f) return undefined;
  const out = findingLines(f);
  const who = [f.phone.mac ? macText(f.phone.mac) : undefined, f.phone.ip].filter(Boolean).join(' ');
  if (who) out.splice(1, 0, line(`  phone ${who}`, 'dim'));
  for (const id of f.evidence.exchanges ?? []) {
    const v = exchangeView(r, id, false);
    if (!v) continue;
    out.push(line(''), line(`Evidence: ${v.title}`, 'heading'), ...v.lines);
  }
  return { title: safeText(`${f.code} (${f.severity})`), lines: out };
}

/** Detail lines hard-wrapped to `width` columns (continuations indented), so scrolling counts screen rows. */
export function wrapDetail(lines: readonly DetailLine[], width: number): DetailLine[] {
  const w = Math.max(20, width);
  const out: DetailLine[] = [];
  for (const l of lines) {
    const chars = [...l.text];
    if (chars.length <= w) {
      out.push(l);
      continue;
    }
    const indent = Math.min(8, (l.text.match(/^ */)?.[0].length ?? 0) + 2);
    out.push({ text: chars.slice(0, w).join(''), tone: l.tone });
    for (let i = w; i < chars.length && out.length < 100_000; i += w - indent) {
      out.push({ text: ' '.repeat(indent) + chars.slice(i, i + w - indent).join(''), tone: l.tone });
    }
  }
  return out;
}

/** First row of a window of `height` rows that keeps row `selected` of `count` visible, near the middle. */
export function windowStart(selected: number, count: number, height: number): number {
  if (count <= height) return 0;
  const start = selected - Math.floor(height / 2);
  return Math.max(0, Math.min(start, count - height));
}
