// The human report of `upxray analyze`: what the capture can show first, then
// per phone its identity, timeline and findings (severity, frames, remedy),
// then a one-line summary. Every string from the capture goes through
// terminalSafe; colour comes from the palette (none when piped or NO_COLOR).
import type { AnalysisResult } from '../analysis.js';
import { expectedView, shownValue, sourceLabel, type ExpectedView } from '../dus/expected-view.js';
import type { Phone } from '../dus/model.js';
import type { Finding } from '../diagnose/finding.js';
import type { Palette } from './colour.js';
import { terminalSafe as safe } from './terminal-safe.js';
import { clock, duration } from './time.js';
import { macText } from '../dus/mac-address.js';

function severityLabel(s: Finding['severity'], c: Palette): string {
  const label = s.padEnd(7);
  return s === 'error' ? c.red(c.bold(label)) : s === 'warning' ? c.yellow(label) : c.cyan(label);
}

function statusBadge(status: Phone['status'], c: Palette): string {
  const text = status.toUpperCase();
  if (status === 'failing') return c.red(c.bold(text));
  if (status === 'stuck') return c.yellow(c.bold(text));
  if (status === 'updated' || status === 'up-to-date') return c.green(text);
  return text;
}

function findingLines(f: Finding, c: Palette): string[] {
  const out = [`    ${severityLabel(f.severity, c)} ${c.bold(f.code)}  ${safe(f.message)}`];
  const where: string[] = [];
  if (f.evidence.frames.length > 0) where.push(`frames ${f.evidence.frames.join(', ')}`);
  if (f.evidence.exchanges?.length) where.push(`exchange ${f.evidence.exchanges.join(', ')}`);
  if (f.evidence.field) where.push(`field ${safe(f.evidence.field)}`);
  if (f.evidence.lines?.length) where.push(`log ${f.evidence.lines.map((l) => `${safe(l.file)}:${l.line}`).join(', ')}`);
  if (where.length > 0) out.push(`            ${c.dim(where.join(' · '))}`);
  if (f.caveat) out.push(`            ${c.yellow('note:')} ${safe(f.caveat)}`);
  if (f.remedy) out.push(`            remedy: ${safe(f.remedy)}`);
  return out;
}

/** A value cut to `max` characters for a one-line column, keeping both ends (a URL's host and its file). */
function clip(s: string, max = 72): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  const head = Math.ceil((max - 1) / 2);
  return chars.slice(0, head).join('') + '…' + chars.slice(chars.length - (max - 1 - head)).join('');
}

/** The "expected vs actual" block under a check-in that differs from what was expected: field, expected, actual. */
function expectedBlock(v: ExpectedView, c: Palette): string[] {
  if (v.differences.length === 0) return [];
  const why = v.reason ? `, ${v.reason}` : '';
  const unpinned = v.unpinned.length ? `; not compared: ${v.unpinned.join(', ')}` : '';
  const rows = v.differences.map((d) => [safe(d.field), safe(clip(shownValue(d.expected))), safe(clip(shownValue(d.actual)))]);
  const w0 = Math.max(5, ...rows.map((r) => [...r[0]].length));
  const w1 = Math.max(8, ...rows.map((r) => [...r[1]].length));
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - [...s].length));
  const out = [`      ${c.bold('expected vs actual')} ${c.dim(`(from ${sourceLabel(v.source)}${why}${unpinned})`)}`];
  out.push(`        ${c.dim(`${pad('field', w0)}  ${pad('expected', w1)}  actual`)}`);
  for (const [f, e, a] of rows) out.push(`        ${pad(f, w0)}  ${c.green(pad(e, w1))}  ${c.red(a)}`);
  return out;
}

/** The server logs given with the capture: each file, how many of its lines the capture shows, the audit clock. */
function logsLines(r: AnalysisResult, c: Palette): string[] {
  const logs = r.model.logs;
  if (!logs) return [];
  const matched = new Map<string, number>();
  for (const m of logs.matches) matched.set(m.source.file, (matched.get(m.source.file) ?? 0) + 1);
  const out: string[] = [];
  for (const a of logs.analysis.audits) {
    const clock = logs.auditClocks.find((k) => k.file === a.file);
    const zone = clock?.seconds === undefined ? 'clock not tied to the capture' : `clock ${clock.seconds >= 0 ? '+' : '-'}${duration(Math.abs(clock.seconds))} to the capture's (from the ${clock.from === 'iis-log' ? 'IIS log' : 'capture'})`;
    out.push(`Audit log ${safe(a.file)}: ${a.records.length} check-in(s), ${matched.get(a.file) ?? 0} seen in the capture; ${zone}`);
  }
  for (const l of logs.analysis.iis) out.push(`IIS log ${safe(l.file)}: ${l.entries.length} request(s), ${matched.get(l.file) ?? 0} seen in the capture`);
  const left = logs.otherPhoneLines + logs.cappedLines + logs.undatedLines;
  if (left > 0) out.push(c.dim(`  ${left} log line(s) are on no timeline here (other phones, undated, or over the cap); upxray logs shows them all`));
  return out;
}

function belongs(f: Finding, p: Phone): boolean {
  return (f.phone.mac !== undefined && f.phone.mac === p.mac) || (f.phone.ip !== undefined && p.ips.includes(f.phone.ip));
}

export function renderAnalyzeText(r: AnalysisResult, c: Palette, phones: readonly Phone[] = r.model.phones, findings: readonly Finding[] = r.findings): string {
  const out: string[] = [];
  const byId = new Map(r.model.exchanges.map((x) => [x.id, x]));
  for (const cap of r.flows.captures) {
    const span = cap.firstTime && cap.lastTime ? `, ${cap.firstTime.slice(0, 19).replace('T', ' ')} to ${cap.lastTime.slice(11, 19)}` : '';
    out.push(c.bold(`${safe(cap.path)}: ${cap.format}${cap.gzip ? ' (gzip)' : ''}, ${cap.records} frames${span}`));
  }
  const h = r.model.health;
  if (h.whole && h.notes.length === 0) out.push('Capture health: whole (no holes, no one-sided connections, nothing cut by the snap length)');
  else {
    out.push(c.yellow(`Capture health: ${h.whole ? 'whole, with notes' : 'NOT whole: findings that rest on absence are marked'}`));
    for (const n of h.notes) out.push(`  - ${safe(n)}`);
  }
  for (const w of r.flows.warnings) out.push(c.yellow(`  warning: ${safe(w.detail ?? w.code)}`));
  out.push(...logsLines(r, c));
  out.push('');

  if (phones.length === 0) out.push('No Device Update Service traffic (check-ins or firmware downloads) found.');
  for (const p of phones) {
    const id = p.mac ? `${p.mac} (${macText(p.mac)})` : p.key.replace(/^ip:/, '');
    const what = [p.vendor, p.model, p.revision ? `rev ${p.revision}` : undefined].filter(Boolean).map((s) => safe(String(s))).join(' ');
    const details = [
      what || undefined,
      p.locale ? `locale ${safe(p.locale)}` : undefined,
      p.serials.length ? `serial ${p.serials.map(safe).join(', ')}` : undefined,
      p.version !== undefined ? `runs ${safe(p.version || '(no version)')}` : undefined,
    ].filter(Boolean);
    out.push(`${c.bold(`Phone ${id}`)}  ${p.ips.join(', ')}  ${statusBadge(p.status, c)}`);
    if (details.length) out.push(`  ${details.join(' · ')}`);
    for (const t of p.timeline) {
      const gap = t.gapSeconds !== undefined ? c.dim(` (+${duration(t.gapSeconds)}${t.gapMeaning ? `, ${t.gapMeaning === 'idle-reboot' ? 'idle reboot' : '24-hour check'}` : ''})`) : '';
      const where = [t.frames.length > 0 || !t.source ? `frames ${t.frames.join(', ')}` : '', t.source ? `${safe(t.source.file)}:${t.source.line}` : ''].filter(Boolean).join(' · ');
      out.push(`  ${clock(t.timeNs)}  ${safe(t.summary)}  ${c.dim(where)}${gap}`);
      for (const n of t.notes ?? []) out.push(`      ${c.yellow('note:')} ${safe(n)}`);
      const x = t.kind === 'check-in' ? byId.get(t.ref) : undefined;
      const v = x && expectedView(r.model, x);
      if (v) out.push(...expectedBlock(v, c));
    }
    const mine = findings.filter((f) => belongs(f, p));
    if (mine.length > 0) {
      out.push('  Findings:');
      for (const f of mine) out.push(...findingLines(f, c));
    }
    out.push('');
  }
  const others = findings.filter((f) => !phones.some((p) => belongs(f, p)));
  if (others.length > 0) {
    out.push(c.bold('Other findings'));
    for (const f of others) out.push(...findingLines(f, c));
    out.push('');
  }
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  out.push(
    `Summary: ${phones.length} phone(s), ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info`,
  );
  return out.join('\n') + '\n';
}
