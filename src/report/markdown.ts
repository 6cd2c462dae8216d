// report.md of a ticket: CommonMark (with GitHub-style pipe tables, which
// GitHub, Jira Cloud, ServiceNow and most trackers render) that reads well
// pasted as it is. Summary, the findings with severity, frames and remedy,
// each phone's timeline, and the decoded ucdevice.upx request and response of
// each check-in in fenced XML blocks.
//
// Capture text is hostile: every string goes through cell() or fenced(), so a
// '|' cannot break a table, a backtick run cannot close a fence early, and no
// control character (ESC above all) reaches the file.
import type { AnalysisResult } from '../analysis.js';
import { expectedView, sourceLabel, type ExpectedView } from '../dus/expected-view.js';
import type { DusExchange, DusModel, Phone } from '../dus/model.js';
import type { UpxFile, UpxRequest, UpxResponse } from '../dus/upx-types.js';
import type { Finding } from '../diagnose/finding.js';
import { catalogueEntry } from '../diagnose/catalogue.js';
import { decodeContent } from '../http/content-decoding.js';
import { headerValue, type HttpMessage } from '../http/message.js';
import { decodeBodyText } from '../dus/upx-charset.js';
import { clock, duration } from './time.js';
import { macText } from '../dus/mac-address.js';

export interface MarkdownOptions {
  /** Capture name shown in the report (a base name: a path can name a person). */
  captureName: string;
  /** Set when --phone chose the phones. */
  phoneSelector?: string;
  /** Capture frame number -> frame number in flows.pcapng, for the frames exported. */
  exportedFrames?: Map<number, number>;
  /** Lines for the "About this ticket" section (redaction, packets left out...). */
  notes?: string[];
  /** Files of the ticket, with what each holds. */
  files?: Array<{ name: string; what: string }>;
}

// Controls (C0, DEL, C1) and the bidi overrides: shown as \xNN, never written raw.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** Inline text: Markdown punctuation escaped (CommonMark section 2.4), one line. */
export function inline(s: string): string {
  return visible(s)
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\\`*_{}[\]()<>#+!|~&]/g, (c) => `\\${c}`);
}

/** A table cell: inline text ('|' escaped too, CommonMark tables extension). */
function cell(s: string): string {
  return inline(s) || ' ';
}

/** Inline code, with a fence longer than any backtick run inside (CommonMark section 6.1). */
function code(s: string): string {
  const t = visible(s).replace(/[\r\n\t]+/g, ' ');
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || t.startsWith(' ') ? ' ' : '';
  // A '|' inside a table still ends the cell, even in a code span (GFM tables): escape it.
  return `${fence}${pad}${t.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** A fenced code block whose fence no backtick run in the text can close. */
export function fenced(text: string, info: string): string {
  const t = visible(text.replace(/\r\n?/g, '\n')).replace(/\n+$/, '');
  const longest = Math.max(2, ...(t.match(/`{3,}/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info}\n${t}\n${fence}`;
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function phoneName(p: Phone): string {
  return p.mac ? `${p.mac} (${macText(p.mac)})` : p.key.replace(/^ip:/, '');
}

function belongs(f: Finding, p: Phone): boolean {
  return (f.phone.mac !== undefined && f.phone.mac === p.mac) || (f.phone.ip !== undefined && p.ips.includes(f.phone.ip));
}

function framesText(frames: readonly number[], map?: Map<number, number>): string {
  if (frames.length === 0) return '-';
  const base = frames.join(', ');
  if (!map) return base;
  const inExport = frames.map((n) => map.get(n)).filter((n): n is number => n !== undefined);
  return inExport.length ? `${base} (flows.pcapng: ${inExport.join(', ')})` : base;
}

/** The body of a message as text, content coding undone; undefined when not kept. */
function bodyText(m: HttpMessage | null): string | undefined {
  if (!m || m.bodySize === 0 || !m.body) return undefined;
  const d = decodeContent(m.body, headerValue(m.headers, 'content-encoding'), 1024 * 1024);
  return decodeBodyText(d.ok ? d.bytes : m.body).text;
}

function fileRows(files: readonly UpxFile[]): string[][] {
  return files.map((f) => [cell(f.fileName ?? ''), cell(f.version ?? ''), cell(f.timeStamp ?? ''), f.url ? code(f.url) : ' ']);
}

function requestFacts(q: UpxRequest): string[][] {
  const rows: Array<[string, string | undefined]> = [
    ['DeviceType', q.deviceType],
    ['MacAddress', q.macAddress?.raw],
    ['SerialNumber', q.serialNumber],
    ['Vendor', q.vendor],
    ['Model', q.model],
    ['Revision', q.revision],
    ['Locale', q.locale],
  ];
  return rows.map(([k, v]) => [k, v === undefined ? '*absent*' : v === '' ? '*empty*' : cell(v)]);
}

function responseFacts(s: UpxResponse): string[][] {
  const rows: Array<[string, string | undefined]> = [
    ['ServerVersion', s.serverVersion],
    ['ServiceVersion', s.serviceVersion],
    ['UpdatesServerInternalUrl', s.updatesServerInternalUrl],
    ['UpdatesServerExternalUrl', s.updatesServerExternalUrl],
    ['Downloads', s.downloadsRaw],
  ];
  return rows.map(([k, v]) => [k, v === undefined ? '*absent*' : v === '' ? '*empty*' : cell(v)]);
}

/** The value the capture shows for a finding's field, when the field is one of the upx body's. */
function actualValue(f: Finding, x: DusExchange): string | undefined {
  const field = f.evidence.field;
  if (!field) return undefined;
  const q = x.upxRequest?.ok ? x.upxRequest.value : undefined;
  const s = x.upxResponse?.ok ? x.upxResponse.value : undefined;
  const show = (v: string | undefined) => (v === undefined ? '(absent)' : v === '' ? '(empty)' : v);
  switch (field) {
    case 'ServerVersion':
      return s ? show(s.serverVersion) : undefined;
    case 'ServiceVersion':
      return s ? show(s.serviceVersion) : undefined;
    case 'Locale':
      return q ? show(q.locale) : undefined;
    case 'Model':
      return q ? show([q.vendor, q.model, q.revision].filter((v) => v !== undefined).join(' ')) : undefined;
    case 'Files':
      return s ? (s.files.length ? s.files.map((v) => `${v.fileName ?? '?'} ${v.version ?? '?'}`).join(', ') : '(no files)') : undefined;
    case 'Url':
    case 'request line':
      return x.http.request ? x.http.request.rawTarget ?? x.http.request.uri : undefined;
    default:
      return undefined;
  }
}

function findingSection(f: Finding, n: number, opts: MarkdownOptions): string[] {
  const out = [`### ${n}. ${f.severity.toUpperCase()} ${inline(f.code)}`, '', inline(f.message), ''];
  const rows: string[][] = [
    ['Severity', f.severity],
    ['Phone', cell([f.phone.mac ? macText(f.phone.mac) : undefined, f.phone.ip].filter(Boolean).join(', ') || 'unknown')],
    ['Frames', cell(framesText(f.evidence.frames, opts.exportedFrames))],
  ];
  if (f.evidence.exchanges?.length) rows.push(['Exchanges', cell(f.evidence.exchanges.join(', '))]);
  if (f.evidence.field) rows.push(['Field', cell(f.evidence.field)]);
  out.push(table(['', ''], rows), '');
  if (f.caveat) out.push(`> **Note:** ${inline(f.caveat)}`, '');
  const remedy = f.remedy ?? catalogueEntry(f.code).remedy;
  if (remedy) out.push(`**Remedy:** ${inline(remedy)}`, '');
  return out;
}

/** Expected against actual: a table of the differences and the expected body in fenced XML, after the actual one; a line when they agree. */
function expectedSection(v: ExpectedView): string[] {
  const from = `${sourceLabel(v.source)}${v.reason ? ` (decision: ${v.reason})` : ''}`;
  if (v.differences.length === 0) return [`The response is what ${inline(from)} says it should be.`, ''];
  const value = (s: string | undefined) => (s === undefined ? '*absent*' : s === '' ? '*empty*' : code(s));
  const out = [
    `Expected against actual, from ${inline(from)}: ${v.differences.length} difference(s).`,
    '',
    table(
      ['Field', 'Expected', 'Actual', 'Difference'],
      v.differences.map((d) => [code(d.field), value(d.expected), value(d.actual), d.kind === 'missing' ? 'missing' : d.kind === 'extra' ? 'not expected' : 'different']),
    ),
    '',
  ];
  if (v.unpinned.length)
    out.push(`> **Note:** the inventory does not say ${inline(v.unpinned.join(', '))}; the expected body holds a placeholder there, and it was not compared.`, '');
  out.push(`Expected response body, from ${inline(sourceLabel(v.source))}:`, '', fenced(v.expectedXml, 'xml'), '');
  return out;
}

function checkInSection(x: DusExchange, findings: readonly Finding[], opts: MarkdownOptions, model?: DusModel): string[] {
  const req = x.http.request;
  const res = x.http.response;
  const frames = [req?.frame, res?.frame].filter((n): n is number => n !== undefined);
  const out = [`#### Check-in ${inline(x.id)}`, ''];
  out.push(
    `${req ? `${inline(req.method)} ${code(req.rawTarget ?? req.uri)}` : 'request not captured'}, answered ${res ? `${res.status} ${inline(res.reason)}` : 'never'}; frames ${inline(framesText(frames, opts.exportedFrames))}.`,
    '',
  );
  const q = x.upxRequest;
  if (q?.ok) out.push('Request as decoded:', '', table(['Field', 'Value'], requestFacts(q.value)), '');
  if (q?.ok && q.value.files.length) out.push(table(['File', 'Version', 'TimeStamp', 'Url'], fileRows(q.value.files)), '');
  if (q && !q.ok) out.push(`Request body not decodable: ${code(q.error.code)} at byte ${q.error.offset}.`, '');
  const reqText = bodyText(req);
  if (reqText !== undefined) out.push('Request body:', '', fenced(reqText, 'xml'), '');
  const s = x.upxResponse;
  if (s?.ok) out.push('Response as decoded:', '', table(['Field', 'Value'], responseFacts(s.value)), '');
  if (s?.ok && s.value.files.length) out.push(table(['File', 'Version', 'TimeStamp', 'Url'], fileRows(s.value.files)), '');
  if (s && !s.ok) out.push(`Response body not decodable: ${code(s.error.code)} at byte ${s.error.offset}.`, '');
  const resText = bodyText(res);
  if (resText !== undefined) out.push('Response body:', '', fenced(resText, res && /html/i.test(headerValue(res.headers, 'content-type') ?? '') ? 'html' : 'xml'), '');
  const ev = model && expectedView(model, x);
  if (ev) out.push(...expectedSection(ev));
  const mine = findings.filter((f) => f.evidence.exchanges?.includes(x.id));
  const diffs = mine.map((f) => ({ f, actual: actualValue(f, x) })).filter((d) => d.actual !== undefined);
  if (diffs.length) {
    out.push(
      'What the findings say of the fields they name:',
      '',
      table(
        ['Field', 'In the capture', 'Finding'],
        diffs.map((d) => [cell(d.f.evidence.field!), cell(d.actual!), cell(`${d.f.code}: ${catalogueEntry(d.f.code).summary}`)]),
      ),
      '',
    );
  }
  return out;
}

/** report.md for the phones, findings and exchanges a ticket holds. */
export function renderTicketMarkdown(
  r: AnalysisResult,
  phones: readonly Phone[],
  findings: readonly Finding[],
  exchanges: readonly DusExchange[],
  opts: MarkdownOptions,
): string {
  const out: string[] = [];
  out.push(`# upxray ticket: ${inline(opts.captureName)}`, '');
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  out.push(
    `${phones.length} phone(s), ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info.` +
      (opts.phoneSelector !== undefined ? ` Narrowed to the phone ${code(opts.phoneSelector)}.` : ''),
    '',
  );

  out.push('## Summary', '');
  const cap = r.flows.captures[0];
  const h = r.model.health;
  out.push(
    table(
      ['Capture', 'Format', 'Frames', 'First packet', 'Last packet', 'Health'],
      [[cell(opts.captureName), cell(`${cap?.format ?? '?'}${cap?.gzip ? ' (gzip)' : ''}`), String(cap?.records ?? 0), cell(cap?.firstTime ?? '-'), cell(cap?.lastTime ?? '-'), h.whole ? 'whole' : 'NOT whole']],
    ),
    '',
  );
  for (const n of h.notes) out.push(`- ${inline(n)}`);
  if (h.notes.length) out.push('');
  if (phones.length) {
    out.push(
      table(
        ['Phone', 'IP', 'Device', 'Runs', 'Status', 'Findings'],
        phones.map((p) => {
          const mine = findings.filter((f) => belongs(f, p));
          return [
            cell(phoneName(p)),
            cell(p.ips.join(', ')),
            cell([p.vendor, p.model, p.revision ? `rev ${p.revision}` : undefined].filter(Boolean).join(' ') || '-'),
            cell(p.version ?? '-'),
            p.status,
            mine.length ? cell(mine.map((f) => f.code).join(', ')) : 'none',
          ];
        }),
      ),
      '',
    );
  } else out.push('No phone was identified in the selected traffic.', '');

  out.push('## Findings', '');
  if (findings.length === 0) out.push('No known fault was found.', '');
  else {
    out.push(
      table(
        ['#', 'Severity', 'Code', 'Phone', 'Frames', 'What'],
        findings.map((f, i) => [
          String(i + 1),
          f.severity,
          code(f.code),
          cell(f.phone.mac ? macText(f.phone.mac) : (f.phone.ip ?? '-')),
          cell(framesText(f.evidence.frames, opts.exportedFrames)),
          cell(f.message),
        ]),
      ),
      '',
    );
    findings.forEach((f, i) => out.push(...findingSection(f, i + 1, opts)));
  }

  for (const p of phones) {
    out.push(`## Phone ${inline(phoneName(p))}`, '');
    const facts: string[][] = [
      ['IP', cell(p.ips.join(', '))],
      ['Serial', cell(p.serials.join(', ') || '-')],
      ['Device', cell([p.vendor, p.model, p.revision ? `rev ${p.revision}` : undefined].filter(Boolean).join(' ') || '-')],
      ['Locale', cell(p.locale ?? '-')],
      ['Runs', cell(p.version ?? '-')],
      ['Status', p.status],
    ];
    out.push(table(['', ''], facts), '');
    out.push('### Timeline', '');
    if (p.timeline.length === 0) out.push('Nothing in the capture.', '');
    else
      out.push(
        table(
          ['Time (UTC)', 'Since previous', 'What', 'Frames'],
          p.timeline.map((t) => [
            clock(t.timeNs),
            t.gapSeconds === undefined ? ' ' : cell(`+${duration(t.gapSeconds)}${t.gapMeaning === 'idle-reboot' ? ', idle reboot' : t.gapMeaning === 'daily-check' ? ', 24-hour check' : ''}`),
            cell(t.summary),
            cell(framesText(t.frames, opts.exportedFrames)),
          ]),
        ),
        '',
      );
    const checkIns = exchanges.filter((x) => x.phone === p.key && x.cls.kind === 'check-in');
    if (checkIns.length) {
      out.push('### Check-ins', '');
      for (const x of checkIns) out.push(...checkInSection(x, findings, opts, r.model));
    }
  }
  const orphan = exchanges.filter((x) => x.cls.kind === 'check-in' && !phones.some((p) => p.key === x.phone));
  if (orphan.length) {
    out.push('## Other check-ins', '');
    for (const x of orphan) out.push(...checkInSection(x, findings, opts, r.model));
  }

  out.push('## About this ticket', '');
  if (opts.files?.length) out.push(table(['File', 'What it holds'], opts.files.map((f) => [code(f.name), cell(f.what)])), '');
  out.push(
    'Frame numbers are those of the original capture, as Wireshark numbers them (`frame.number == N`). ' +
      'flows.pcapng holds only the packets of the flows above, numbered anew: the numbers in brackets are where a frame sits there, ' +
      'and each frame a finding points at carries a packet comment (`frame.comment`).',
    '',
  );
  for (const n of opts.notes ?? []) out.push(`- ${inline(n)}`);
  if (opts.notes?.length) out.push('');
  return out.join('\n');
}
