// What `upxray live` prints as things happen: NDJSON events with --json (one
// object a line, `event` first: start, exchange, finding, finding-withdrawn,
// summary), or one line of text each. Findings use analyze's JSON shape
// (findingJson), so a script reads them the same way from either command.
import type { AnalysisResult } from '../analysis.js';
import type { CaptureStats } from '../capture/live.js';
import { classify } from '../dus/exchange-kind.js';
import type { Finding } from '../diagnose/finding.js';
import type { HttpExchange } from '../http/exchanges.js';
import { findingJson } from '../report/analyze-json.js';
import type { Palette } from '../report/colour.js';
import { terminalSafe as safe } from '../report/terminal-safe.js';
import { isoNs } from '../report/time.js';

/** Version of the NDJSON event stream (as analyze's `schema`). */
export const LIVE_SCHEMA = 1;

export interface StartInfo {
  tool: string;
  interfaces: readonly string[];
  filter: string;
  files: readonly string[];
}

export function startEvent(s: StartInfo): Record<string, unknown> {
  return { event: 'start', schema: LIVE_SCHEMA, tool: s.tool, interfaces: [...s.interfaces], filter: s.filter, write: s.files[0] ?? null };
}

function exchangeKind(x: HttpExchange): string {
  return x.request ? classify(x.request.method, x.request.uri).kind : 'other';
}

/** Whether a line of text is worth printing for this exchange (DUS traffic only). */
export function isServiceTraffic(x: HttpExchange): boolean {
  return exchangeKind(x) !== 'other';
}

export function exchangeEvent(x: HttpExchange): Record<string, unknown> {
  const q = x.request;
  const r = x.response;
  return {
    event: 'exchange',
    id: x.id,
    kind: exchangeKind(x),
    time: isoNs(r?.endNs ?? q?.endNs ?? 0n),
    client: { ip: x.client.ip, port: x.client.port },
    server: { ip: x.server.ip, port: x.server.port },
    request: q ? { frame: q.frame, method: q.method, uri: q.uri, bodySize: q.bodySize } : null,
    response: r ? { frame: r.frame, status: r.status, reason: r.reason, bodySize: r.bodySize, bodySha256: r.bodySha256, complete: r.complete } : null,
  };
}

export function findingEvent(f: Finding): Record<string, unknown> {
  return { event: 'finding', ...findingJson(f) };
}

export function withdrawnEvent(f: Finding): Record<string, unknown> {
  return {
    event: 'finding-withdrawn',
    code: f.code,
    phone: { mac: f.phone.mac ?? null, ip: f.phone.ip ?? null },
    evidence: { frames: f.evidence.frames },
    reason: 'the capture went on and the final analysis no longer finds it',
  };
}

export interface SummaryInfo {
  result: AnalysisResult;
  records: number;
  stats?: CaptureStats;
  files: readonly string[];
  /** Unrelated HTTP exchanges forgotten by the memory bound. */
  otherDropped: number;
  /** Why the capture tool stopped on its own, when it failed. */
  error?: string;
}

export function summaryEvent(s: SummaryInfo): Record<string, unknown> {
  const count = (sev: string) => s.result.findings.filter((f) => f.severity === sev).length;
  return {
    event: 'summary',
    schema: LIVE_SCHEMA,
    records: s.records,
    capture: s.stats ?? null,
    files: [...s.files],
    otherExchangesDropped: s.otherDropped,
    error: s.error ?? null,
    phones: s.result.model.phones.map((p) => ({ key: p.key, mac: p.mac ?? null, ips: p.ips, version: p.version ?? null, status: p.status })),
    counts: { error: count('error'), warning: count('warning'), info: count('info') },
    findings: s.result.findings.map(findingJson),
  };
}

function clock(ns: bigint): string {
  return isoNs(ns).slice(11, 23);
}

export function exchangeLine(x: HttpExchange, c: Palette): string {
  const q = x.request;
  const r = x.response;
  const at = clock(r?.endNs ?? q?.endNs ?? 0n);
  const what = q ? `${safe(q.method)} ${safe(q.uri)}` : '(request not captured)';
  const answer = r ? `${r.status}${r.complete ? '' : ' (incomplete)'}${exchangeKind(x) === 'download' ? `, ${r.bodySize} bytes` : ''}` : 'no response';
  const frames = [q?.frame, r?.frame].filter((n): n is number => n !== undefined).join(', ');
  return `${at}  ${exchangeKind(x).padEnd(8)}  ${x.client.ip} -> ${x.server.ip}:${x.server.port}  ${what}  ${c.bold(answer)}  ${c.dim(`frames ${frames}`)}\n`;
}

function phoneText(f: Finding): string {
  return [f.phone.mac, f.phone.ip].filter((s) => s !== undefined).join(' ') || 'unknown phone';
}

export function findingLine(f: Finding, c: Palette, nowNs: bigint): string {
  const sev = f.severity === 'error' ? c.red(c.bold('ERROR  ')) : f.severity === 'warning' ? c.yellow('WARNING') : c.cyan('INFO   ');
  const frames = f.evidence.frames.length > 0 ? ` (frames ${f.evidence.frames.join(', ')})` : '';
  return `${clock(nowNs)}  ${sev}  ${c.bold(f.code)}  ${phoneText(f)}: ${safe(f.message)}${c.dim(frames)}\n`;
}

export function withdrawnLine(f: Finding, c: Palette): string {
  return `${c.dim('withdrawn')}  ${f.code}  ${phoneText(f)}: the rest of the capture shows otherwise\n`;
}

/** The last lines on stderr: packets seen, and those lost before upxray saw them. */
export function captureStatsLine(records: number, stats: CaptureStats | undefined): string {
  if (!stats) return `${records} packet(s) analysed; the capture tool gave no drop counts\n`;
  const parts: string[] = [];
  if (stats.droppedByKernel !== undefined) parts.push(`kernel ${stats.droppedByKernel}`);
  if (stats.droppedByInterface !== undefined) parts.push(`interface ${stats.droppedByInterface}`);
  if (stats.droppedByTool !== undefined) parts.push(`capture tool ${stats.droppedByTool}`);
  const dropped = (stats.droppedByKernel ?? 0) + (stats.droppedByInterface ?? 0) + (stats.droppedByTool ?? 0);
  return `${records} packet(s) analysed, ${dropped} dropped before upxray saw them${parts.length > 0 ? ` (${parts.join(', ')})` : ''}\n`;
}
