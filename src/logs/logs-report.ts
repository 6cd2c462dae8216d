// What `upxray logs` prints: the schema-1 JSON document, and the text view, a
// timeline per phone (MAC and address) of its audit and IIS lines followed by
// its findings. Log text is hostile until shown otherwise: every string from a
// log goes through terminalSafe before it reaches the terminal.
import type { Finding } from '../diagnose/finding.js';
import { terminalSafe } from '../report/terminal-safe.js';
import type { AuditLog, AuditRecord } from './audit-log.js';
import type { ClockOffset } from './date-resolution.js';
import type { IisEntry, IisLog } from './iis-log.js';
import { isServicePath, statusText, type LogAnalysis } from './log-findings.js';
import { valueSeconds, type DateResolution, type LogDate } from './log-dates.js';
import type { LogNote } from './log-note.js';

/** The version of the `logs --json` document. */
export const LOGS_SCHEMA = 1;

/** One log file in the JSON document. */
export type LogJson =
  | {
      file: string;
      kind: 'audit';
      lines: number;
      checkIns: number;
      /** IIS time minus the audit log's clock, learned from matching check-ins; null when none matched. */
      clock: ClockOffset | null;
      /** How many dates were settled each way, all date columns together. */
      dates: Partial<Record<DateResolution, number>>;
      records: AuditRecord[];
      notes: LogNote[];
    }
  | {
      file: string;
      kind: 'iis';
      lines: number;
      software?: string;
      fields: string[];
      requests: number;
      entries: IisEntry[];
      notes: LogNote[];
    };

export interface LogsDocument {
  schema: typeof LOGS_SCHEMA;
  logs: LogJson[];
  findings: Finding[];
}

function allDates(r: AuditRecord): LogDate[] {
  const out = [r.loggedAt, r.requestedAt];
  for (const f of [...r.requested, ...r.response]) if (f.timestamp) out.push(f.timestamp);
  return out;
}

function dateCounts(a: AuditLog): Partial<Record<DateResolution, number>> {
  const c: Partial<Record<DateResolution, number>> = {};
  for (const r of a.records) for (const d of allDates(r)) c[d.resolution] = (c[d.resolution] ?? 0) + 1;
  return c;
}

/** Build the JSON document (log order as given, audit logs and IIS logs interleaved as on the command line). */
export function logsDocument(order: ReadonlyArray<AuditLog | IisLog>, analysis: LogAnalysis): LogsDocument {
  const logs: LogJson[] = order.map((l) => {
    if (l.kind === 'audit') {
      const i = analysis.audits.indexOf(l);
      return {
        file: l.file,
        kind: 'audit',
        lines: l.lines,
        checkIns: l.records.length,
        clock: analysis.clocks[i] ?? null,
        dates: dateCounts(l),
        records: l.records,
        notes: l.notes,
      };
    }
    const j: LogJson = { file: l.file, kind: 'iis', lines: l.lines, fields: l.fields, requests: l.entries.length, entries: l.entries, notes: l.notes };
    if (l.software !== undefined) j.software = l.software;
    return j;
  });
  return { schema: LOGS_SCHEMA, logs, findings: analysis.findings };
}

interface Event {
  seconds?: number;
  time: string;
  file: string;
  line: number;
  text: string;
}

interface PhoneView {
  key: string;
  title: string;
  events: Event[];
  findings: Finding[];
  hidden: number;
}

const RESOLUTION_WORDS: Record<DateResolution, string> = {
  iso: 'written year first',
  unambiguous: 'unambiguous',
  'same-either-way': 'day equals month',
  'iis-log': 'settled by the IIS log',
  'other-column': 'settled by the other date of the line',
  neighbours: 'settled by neighbouring lines',
  ambiguous: 'AMBIGUOUS',
  invalid: 'not a date',
};

function describeFiles(files: AuditRecord['response']): string {
  return files.map((f) => `${f.name || '(no name)'}${f.version ? ` ${f.version}` : ''}`).join(', ');
}

function auditText(r: AuditRecord): string {
  const runs = r.requested.length > 0 ? `runs ${describeFiles(r.requested)}` : 'reports no files';
  const offered = r.response.length > 0 ? `offered ${describeFiles(r.response)}` : 'offered nothing';
  return `check-in, ${runs}; ${offered}`;
}

function iisText(e: IisEntry): string {
  const q = e.uriQuery ? `?${e.uriQuery}` : '';
  const port = e.serverPort !== undefined ? ` :${e.serverPort}` : '';
  const took = e.timeTaken !== undefined ? ` (${e.timeTaken} ms)` : '';
  return `${e.method ?? '?'} ${e.uriStem ?? '?'}${q}${port} -> ${statusText(e)}${e.win32Status ? ` win32 ${e.win32Status}` : ''}${took}`;
}

function findingKey(f: Finding): string {
  return f.phone.mac ?? f.phone.ip ?? '';
}

function phones(analysis: LogAnalysis): PhoneView[] {
  const views = new Map<string, PhoneView>();
  const view = (key: string, title: string): PhoneView => {
    let v = views.get(key);
    if (!v) views.set(key, (v = { key, title, events: [], findings: [], hidden: 0 }));
    return v;
  };
  analysis.audits.forEach((a, ai) => {
    const shift = analysis.clocks[ai]?.seconds ?? 0;
    a.records.forEach((r, ri) => {
      const key = r.mac ?? r.hostAddress ?? '';
      const who = [r.mac, r.hostAddress ? `(${r.hostAddress})` : undefined].filter(Boolean).join(' ') || 'unknown phone';
      const what = [r.vendor, r.model, r.revision ? `rev ${r.revision}` : undefined, r.locale, r.serial ? `serial ${r.serial}` : undefined].filter(Boolean).join(' ');
      const v = view(key, `Phone ${who}${what ? `: ${what}` : ''}`);
      const s = valueSeconds(r.loggedAt.value) ?? a.pending[ri].logged.readings[0]?.seconds;
      const time = r.loggedAt.value ?? `${r.loggedAt.text} (${r.loggedAt.resolution === 'ambiguous' ? `ambiguous: ${r.loggedAt.readings?.join(' or ')}` : 'not a date'})`;
      v.events.push({ seconds: s === undefined ? undefined : s + shift, time, file: a.file, line: r.line, text: auditText(r) });
    });
  });
  for (const log of analysis.iis) {
    for (const e of log.entries) {
      const mac = e.clientIp ? analysis.macByIp.get(e.clientIp) : undefined;
      const key = mac ?? e.clientIp ?? '';
      const v = view(key, mac ? `Phone ${mac} (${e.clientIp})` : e.clientIp ? `Address ${e.clientIp}` : 'Requests with no client address');
      const relevant = isServicePath(e.uriStem ?? '') || /UCPhone/i.test(e.userAgent ?? '');
      if (!relevant) {
        v.hidden++;
        continue;
      }
      v.events.push({ seconds: valueSeconds(e.at.value), time: e.at.value ?? e.at.text, file: log.file, line: e.line, text: iisText(e) });
    }
  }
  for (const f of analysis.findings) view(findingKey(f), f.phone.ip ? `Address ${f.phone.ip}` : 'Requests with no client address').findings.push(f);
  const list = [...views.values()].filter((v) => v.events.length > 0 || v.findings.length > 0);
  for (const v of list) {
    v.events.sort((a, b) => (a.seconds ?? Infinity) - (b.seconds ?? Infinity) || a.file.localeCompare(b.file) || a.line - b.line);
  }
  // Phones with a known MAC first, then addresses, then the unknown.
  return list.sort((a, b) => Number(a.key === '') - Number(b.key === '') || a.title.localeCompare(b.title));
}

function renderFinding(f: Finding, indent: string): string[] {
  const out = [`${indent}${f.severity.toUpperCase()} ${f.code}: ${terminalSafe(f.message)}`];
  const lines = f.evidence.lines ?? [];
  if (lines.length > 0) out.push(`${indent}  evidence: ${lines.map((l) => `${terminalSafe(l.file)}:${l.line}`).join(', ')}`);
  if (f.caveat) out.push(`${indent}  caveat: ${terminalSafe(f.caveat)}`);
  if (f.remedy) out.push(`${indent}  remedy: ${f.remedy}`);
  return out;
}

const MAX_LISTED = 20;

/** The text view. */
export function renderLogsText(order: ReadonlyArray<AuditLog | IisLog>, analysis: LogAnalysis): string {
  const out: string[] = ['Logs'];
  for (const l of order) {
    if (l.kind === 'audit') {
      const clock = analysis.clocks[analysis.audits.indexOf(l)];
      const counts = dateCounts(l);
      const dates = (Object.keys(counts) as DateResolution[]).map((k) => `${counts[k]} ${RESOLUTION_WORDS[k]}`).join(', ');
      out.push(`  ${terminalSafe(l.file)}: audit log, ${l.lines} line(s), ${l.records.length} check-in(s)`);
      if (dates) out.push(`    dates: ${dates}`);
      if (clock) out.push(`    clock: IIS time = logged time ${clock.seconds >= 0 ? '+' : '-'} ${Math.abs(clock.seconds)} s (${clock.matches} matching check-in(s))`);
    } else {
      out.push(`  ${terminalSafe(l.file)}: IIS log${l.software ? ` (${terminalSafe(l.software)})` : ''}, ${l.lines} line(s), ${l.entries.length} request(s)`);
    }
  }
  for (const v of phones(analysis)) {
    out.push('', terminalSafe(v.title));
    const width = Math.max(0, ...v.events.map((e) => `${e.file}:${e.line}`.length));
    for (const e of v.events) {
      const where = `${e.file}:${e.line}`.padEnd(width);
      out.push(`  ${terminalSafe(e.time)}  ${terminalSafe(where)}  ${terminalSafe(e.text)}`);
    }
    if (v.hidden > 0) out.push(`  (${v.hidden} other request(s) from this address not shown)`);
    if (v.findings.length > 0) {
      out.push('  findings:');
      for (const f of v.findings) out.push(...renderFinding(f, '    '));
    }
  }
  const ambiguous: string[] = [];
  for (const a of analysis.audits) {
    for (const r of a.records) {
      for (const [name, d] of [['Logging DateTime', r.loggedAt], ['Request DateTime', r.requestedAt]] as const) {
        if (d.resolution === 'ambiguous') ambiguous.push(`  ${terminalSafe(a.file)}:${r.line} ${name} ${terminalSafe(d.text)}: ${d.readings?.join(' or ')}`);
      }
    }
  }
  if (ambiguous.length > 0) {
    out.push('', 'Ambiguous dates (day and month both 12 or less, and nothing in the logs decides; give the IIS log of the same day to settle them)');
    out.push(...ambiguous.slice(0, MAX_LISTED));
    if (ambiguous.length > MAX_LISTED) out.push(`  ... and ${ambiguous.length - MAX_LISTED} more`);
  }
  const notes = [...analysis.audits, ...analysis.iis].flatMap((l) => l.notes);
  if (notes.length > 0) {
    out.push('', 'Notes');
    for (const n of notes.slice(0, MAX_LISTED)) out.push(`  ${terminalSafe(n.file)}:${n.line} ${n.code}: ${terminalSafe(n.detail)}`);
    if (notes.length > MAX_LISTED) out.push(`  ... and ${notes.length - MAX_LISTED} more`);
  }
  const by = (s: string): number => analysis.findings.filter((f) => f.severity === s).length;
  out.push('', `${analysis.findings.length} finding(s): ${by('error')} error, ${by('warning')} warning, ${by('info')} info`);
  return out.join('\n') + '\n';
}
