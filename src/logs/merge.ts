// Server logs and a capture of the same traffic, merged (issue 9 part 1): each
// audit or IIS line becomes an entry on the timeline of its phone, and is tied
// to the exchange of the capture it records when the capture has it. It states
// facts only (which line records which exchange, which requests the IIS log
// does not show); src/diagnose/rules/log-contradictions.ts judges them.
//
// Clocks (shared/protocol/ucdevice-upx.md section 6): capture timestamps and
// IIS W3C times are both UTC; the audit log is written in the server's local
// time. The offset between the audit log and IIS is what date-resolution.ts
// learned; with no IIS log it is learned here from the capture's check-ins the
// same way (whole quarter hours, votes by phone).
import { targetPath } from '../dus/exchange-kind.js';
import type { DusExchange, DusModel, LogLineRef, LogMatch, ModelLogs, Phone, TimelineEntry } from '../dus/model.js';
import type { Finding } from '../diagnose/finding.js';
import { compareFindings } from '../diagnose/finding.js';
import type { AuditLog, AuditRecord } from './audit-log.js';
import type { IisEntry, IisLog } from './iis-log.js';
import { statusText, urlPath, type LogAnalysis } from './log-findings.js';
import { valueSeconds } from './log-dates.js';

/**
 * How far a log time may be from the request it records: IIS writes a line
 * when the request ends, to the second, and the capture machine's clock is
 * seldom exactly the server's.
 */
export const MATCH_SLACK_SECONDS = 5;
/** Log entries placed on one phone's timeline at most; the rest are counted. */
export const MAX_LOG_ENTRIES_PER_PHONE = 5_000;
/** Time zones are whole quarter hours from UTC; no zone is more than 14 hours away. */
const ZONE_STEP = 900;
const MAX_ZONE_SECONDS = 14 * 3600;
/** Most log lines placed at all (each costs a timeline entry). */
const MAX_PLACED = 200_000;

/** Seconds of a capture time in nanoseconds. */
function nsSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}

function secondsNs(s: number): bigint {
  return BigInt(Math.round(s * 1000)) * 1_000_000n;
}

/** Lower-cased, percent-decoded path of an exchange's request, as urlPath() gives for log text. */
function exchangePath(x: DusExchange): string | undefined {
  const q = x.http.request;
  if (!q) return undefined;
  return urlPath(targetPath(q.rawTarget ?? q.uri) || '/') ?? targetPath(q.rawTarget ?? q.uri).toLowerCase();
}

function requestSeconds(x: DusExchange): number | undefined {
  const ns = x.http.request?.startNs ?? x.http.response?.startNs;
  return ns === undefined ? undefined : nsSeconds(ns);
}

function exchangeFrames(x: DusExchange): number[] {
  return [x.http.request?.frame, x.http.response?.frame].filter((f): f is number => f !== undefined);
}

function refOf(file: string, line: number): string {
  return `${file}:${line}`;
}

/** The files an audit line says were offered, as `path|version` (paths compared as urlPath does). */
export function auditOffers(r: AuditRecord): string[] {
  return r.response
    .filter((f) => f.name !== '' || f.version !== '')
    .map((f) => `${urlPath(f.name) ?? f.name.toLowerCase()}|${f.version}`)
    .sort();
}

/** The files a decoded check-in response offers, in the same form. */
export function capturedOffers(x: DusExchange): string[] | undefined {
  if (!x.upxResponse?.ok) return undefined;
  return x.upxResponse.value.files.map((f) => `${urlPath(f.url ?? '') ?? (f.url ?? '').toLowerCase()}|${f.version ?? ''}`).sort();
}

function auditMac(r: AuditRecord): string | undefined {
  return r.mac && /^[0-9A-F]{12}$/.test(r.mac) ? r.mac : undefined;
}

/** The MAC a check-in reports in its XML, if it decoded. */
function checkInMac(x: DusExchange): string | undefined {
  return x.upxRequest?.ok ? x.upxRequest.value.macAddress?.normalized : undefined;
}

/** Whether an audit line and a check-in are from the same phone (MAC first, then address). */
function samePhone(r: AuditRecord, x: DusExchange, phoneMac: string | undefined): boolean {
  const mac = auditMac(r);
  const xm = checkInMac(x) ?? phoneMac;
  if (mac !== undefined && xm !== undefined) return mac === xm;
  return r.hostAddress !== undefined && r.hostAddress === x.http.client.ip;
}

/** Candidate times of an audit line's Logging DateTime: the settled one, or each reading while ambiguous. */
function auditReadings(log: AuditLog, index: number): number[] {
  const r = log.records[index];
  const v = valueSeconds(r.loggedAt.value);
  if (v !== undefined) return [v];
  return log.pending[index]?.logged.readings.map((x) => x.seconds) ?? [];
}

/** Capture clock minus audit clock, from check-ins of the same phone a whole number of quarter hours apart. */
function learnAuditOffset(log: AuditLog, checkIns: readonly DusExchange[], macOf: (x: DusExchange) => string | undefined): number | undefined {
  const votes = new Map<number, number>();
  log.records.forEach((r, i) => {
    const readings = auditReadings(log, i);
    for (const x of checkIns) {
      if (!samePhone(r, x, macOf(x))) continue;
      const t = requestSeconds(x);
      if (t === undefined) continue;
      for (const s of readings) {
        const d = t - s;
        if (Math.abs(d) > MAX_ZONE_SECONDS + MATCH_SLACK_SECONDS) continue;
        const k = Math.round(d / ZONE_STEP) * ZONE_STEP;
        if (Math.abs(d - k) <= MATCH_SLACK_SECONDS) votes.set(k, (votes.get(k) ?? 0) + 1);
      }
    }
  });
  let best: { k: number; n: number } | undefined;
  for (const [k, n] of votes) if (!best || n > best.n || (n === best.n && Math.abs(k) < Math.abs(best.k))) best = { k, n };
  return best?.k;
}

interface Placed {
  entry: TimelineEntry;
  phone: Phone;
  /** Sort key: the matched exchange's time, else the line's own. */
  at: bigint;
  rank: number;
}

/**
 * Place the logs against the model: matches, timeline entries of the
 * capture's phones, and the requests the IIS logs do not show. Sets and
 * returns `model.logs`.
 */
export function mergeLogs(model: DusModel, analysis: LogAnalysis): ModelLogs {
  const phonesByKey = new Map(model.phones.map((p) => [p.key, p]));
  const phoneByMac = new Map<string, Phone>();
  const phoneByIp = new Map<string, Phone | null>();
  for (const p of model.phones) {
    if (p.mac) phoneByMac.set(p.mac, p);
    // An address two phones used (DHCP reuse) names neither.
    for (const ip of p.ips) phoneByIp.set(ip, phoneByIp.has(ip) ? null : p);
  }
  const service = model.exchanges.filter((x) => x.cls.kind !== 'other' && x.http.request);
  const byId = new Map(model.exchanges.map((x) => [x.id, x]));
  const macOf = (x: DusExchange) => phonesByKey.get(x.phone)?.mac;
  const matches: LogMatch[] = [];
  const matchOf = new Map<string, LogMatch>(); // by line ref
  const taken = new Set<string>(); // exchange id + side

  // 1. IIS lines: same method and path, same client address when the line has one,
  // logged within the slack (plus the time IIS says the request took) of the request.
  const byKey = new Map<string, DusExchange[]>();
  for (const x of service) {
    const k = `${x.http.request!.method.toUpperCase()}\u0000${exchangePath(x)}`;
    const list = byKey.get(k) ?? [];
    list.push(x);
    byKey.set(k, list);
  }
  const iisLines: Array<{ log: IisLog; e: IisEntry; s: number | undefined }> = [];
  for (const log of analysis.iis) for (const e of log.entries) iisLines.push({ log, e, s: valueSeconds(e.at.value) });
  iisLines.sort((a, b) => (a.s ?? 0) - (b.s ?? 0));
  for (const { log, e, s } of iisLines) {
    if (s === undefined || !e.method) continue;
    const list = byKey.get(`${e.method.toUpperCase()}\u0000${urlPath(e.uriStem)}`);
    if (!list) continue;
    const slack = MATCH_SLACK_SECONDS + (e.timeTaken ?? 0) / 1000;
    let best: { x: DusExchange; d: number; same: boolean } | undefined;
    for (const x of list) {
      if (taken.has(`iis\u0000${x.id}`)) continue;
      if (e.clientIp !== undefined && e.clientIp !== x.http.client.ip) continue;
      const t = requestSeconds(x);
      if (t === undefined) continue;
      const d = Math.abs(s - t);
      if (d > slack) continue;
      const same = x.http.response?.status === e.status;
      // The same status wins; among equals, the nearest in time.
      if (!best || (same && !best.same) || (same === best.same && d < best.d)) best = { x, d, same };
    }
    if (!best) continue;
    taken.add(`iis\u0000${best.x.id}`);
    const m: LogMatch = { source: { file: log.file, line: e.line }, exchange: best.x.id, iis: e, skewSeconds: s - requestSeconds(best.x)! };
    matches.push(m);
    matchOf.set(refOf(log.file, e.line), m);
  }

  // 2. Audit lines: check-ins of the same phone at the Logging DateTime moved onto the capture's clock.
  const checkIns = service.filter((x) => x.cls.kind === 'check-in');
  const auditClocks: ModelLogs['auditClocks'] = [];
  analysis.audits.forEach((log, ai) => {
    const fromIis = analysis.clocks[ai];
    let offset: number | undefined;
    let from: 'iis-log' | 'capture' | undefined;
    if (fromIis) {
      offset = fromIis.seconds;
      from = 'iis-log';
    } else {
      offset = learnAuditOffset(log, checkIns, macOf);
      if (offset !== undefined) from = 'capture';
    }
    auditClocks.push(offset === undefined ? { file: log.file } : { file: log.file, seconds: offset, from });
    if (offset === undefined) return;
    log.records.forEach((r, i) => {
      const times = auditReadings(log, i).map((t) => t + offset!);
      let best: { x: DusExchange; d: number; t: number } | undefined;
      for (const x of checkIns) {
        if (taken.has(`audit\u0000${x.id}`) || !samePhone(r, x, macOf(x))) continue;
        const xt = requestSeconds(x);
        if (xt === undefined) continue;
        for (const t of times) {
          const d = Math.abs(t - xt);
          if (d <= MATCH_SLACK_SECONDS && (!best || d < best.d)) best = { x, d, t };
        }
      }
      if (!best) return;
      taken.add(`audit\u0000${best.x.id}`);
      const m: LogMatch = { source: { file: log.file, line: r.line }, exchange: best.x.id, audit: r, skewSeconds: best.t - requestSeconds(best.x)! };
      matches.push(m);
      matchOf.set(refOf(log.file, r.line), m);
    });
  });

  // 3. Requests the IIS logs should show and do not: the log covers the time
  // (first to last line) and, where it names its server address, the server.
  const unlogged: ModelLogs['unlogged'] = [];
  const notesOf = new Map<string, string[]>(); // exchange id -> notes for its timeline entry
  if (analysis.iis.length > 0) {
    const cover = analysis.iis.map((log) => {
      let first = Infinity;
      let last = -Infinity;
      const servers = new Set<string>();
      for (const e of log.entries) {
        const s = valueSeconds(e.at.value);
        if (s !== undefined) {
          first = Math.min(first, s);
          last = Math.max(last, s);
        }
        if (e.serverIp) servers.add(e.serverIp);
      }
      return { file: log.file, first, last, servers };
    });
    for (const x of service) {
      if (taken.has(`iis\u0000${x.id}`)) continue;
      const t = requestSeconds(x);
      if (t === undefined) continue;
      const files = cover
        .filter((c) => t >= c.first - MATCH_SLACK_SECONDS && t <= c.last + MATCH_SLACK_SECONDS && (c.servers.size === 0 || c.servers.has(x.http.server.ip)))
        .map((c) => c.file);
      if (files.length === 0) continue;
      unlogged.push({ exchange: x.id, files });
      const list = notesOf.get(x.id) ?? [];
      list.push(`no line of the IIS log ${files.join(', ')} records this request, though the log covers its time: the log and the capture disagree`);
      notesOf.set(x.id, list);
    }
  }

  // 4. Timeline entries, on the capture's phones only.
  const captureFirst = model.captures[0]?.firstTime ? Date.parse(model.captures[0].firstTime) / 1000 : undefined;
  const captureLast = model.captures[0]?.lastTime ? Date.parse(model.captures[0].lastTime) / 1000 : undefined;
  const covered = (s: number): boolean => captureFirst !== undefined && captureLast !== undefined && s >= captureFirst && s <= captureLast;
  const placed: Placed[] = [];
  const perPhone = new Map<string, number>();
  let otherPhoneLines = 0;
  let cappedLines = 0;
  let undatedLines = 0;
  const place = (phone: Phone | undefined, source: LogLineRef, seconds: number | undefined, summary: string, rank: number, extraNotes: string[]): void => {
    if (!phone) {
      otherPhoneLines++;
      return;
    }
    const m = matchOf.get(refOf(source.file, source.line));
    const x = m ? byId.get(m.exchange) : undefined;
    const xt = x?.http.request?.startNs ?? x?.http.response?.startNs;
    const timeNs = seconds !== undefined ? secondsNs(seconds) : xt;
    if (timeNs === undefined) {
      undatedLines++;
      return;
    }
    const n = perPhone.get(phone.key) ?? 0;
    if (n >= MAX_LOG_ENTRIES_PER_PHONE || placed.length >= MAX_PLACED) {
      cappedLines++;
      return;
    }
    perPhone.set(phone.key, n + 1);
    const entry: TimelineEntry = { kind: 'log', ref: refOf(source.file, source.line), timeNs, frames: x ? exchangeFrames(x) : [], summary, source };
    const notes = [...extraNotes];
    if (!x && seconds !== undefined && covered(seconds)) notes.push('the capture covers this time and holds no such request');
    if (notes.length > 0) entry.notes = notes;
    placed.push({ entry, phone, at: xt ?? timeNs, rank });
  };
  const phoneOfIp = (ip: string | undefined): Phone | undefined => {
    if (ip === undefined) return undefined;
    const mac = analysis.macByIp.get(ip);
    return (mac ? phoneByMac.get(mac) : undefined) ?? phoneByIp.get(ip) ?? undefined;
  };
  for (const log of analysis.iis) {
    for (const e of log.entries) {
      const m = matchOf.get(refOf(log.file, e.line));
      const phone = m ? phonesByKey.get(byId.get(m.exchange)!.phone) : phoneOfIp(e.clientIp);
      const took = e.timeTaken !== undefined ? `, ${e.timeTaken} ms` : '';
      const summary = `IIS log: ${e.method ?? '?'} ${e.uriStem ?? '?'}${e.uriQuery ? `?${e.uriQuery}` : ''} answered ${statusText(e)}${e.win32Status ? ` (Win32 ${e.win32Status})` : ''}${took}`;
      place(phone, { file: log.file, line: e.line }, valueSeconds(e.at.value), summary, 2, []);
    }
  }
  analysis.audits.forEach((log, ai) => {
    const offset = auditClocks[ai].seconds;
    log.records.forEach((r, i) => {
      const m = matchOf.get(refOf(log.file, r.line));
      const mac = auditMac(r);
      const phone = m ? phonesByKey.get(byId.get(m.exchange)!.phone) : ((mac ? phoneByMac.get(mac) : undefined) ?? phoneOfIp(r.hostAddress));
      const v = valueSeconds(r.loggedAt.value);
      const notes: string[] = [];
      if (offset === undefined) notes.push('the audit log clock could not be tied to the capture (no check-in matched); its time is shown as written');
      if (v === undefined && r.loggedAt.resolution === 'ambiguous') {
        notes.push(m ? `the Logging DateTime ${r.loggedAt.text} is ambiguous; the check-in it records settles it` : `the Logging DateTime ${r.loggedAt.text} is ambiguous: ${r.loggedAt.readings?.join(' or ')}`);
      }
      const runs = r.requested.length > 0 ? `runs ${r.requested.map((f) => `${f.name || '?'} ${f.version || '(no version)'}`).join(', ')}` : 'reports no files';
      const offered = r.response.length > 0 ? `offered ${r.response.map((f) => `${f.name || '(no name)'}${f.version ? ` ${f.version}` : ''}`).join(', ')}` : 'offered nothing';
      const seconds = v !== undefined ? v + (offset ?? 0) : m ? undefined : auditReadings(log, i)[0];
      place(phone, { file: log.file, line: r.line }, seconds, `audit log: check-in, ${runs}; ${offered}`, 1, notes);
    });
  });

  // Each phone's timeline: capture entries keep their order and gaps; a log
  // line sits right after the exchange it records, or at its own time.
  const adds = new Map<string, Placed[]>();
  for (const p of placed) {
    const list = adds.get(p.phone.key) ?? [];
    list.push(p);
    adds.set(p.phone.key, list);
  }
  for (const phone of model.phones) {
    // A timeline may be made afresh each time it is read (build-model.ts): these notes are written into one that is kept.
    phone.timeline = phone.timeline;
    for (const t of phone.timeline) {
      const n = notesOf.get(t.ref);
      if (n && (t.kind === 'check-in' || t.kind === 'download')) t.notes = [...(t.notes ?? []), ...n];
    }
    const mine = adds.get(phone.key);
    if (!mine) continue;
    const all: Placed[] = [...phone.timeline.map((entry) => ({ entry, phone, at: entry.timeNs, rank: 0 })), ...mine];
    all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.rank - b.rank));
    phone.timeline = all.map((p) => p.entry);
  }

  const logs: ModelLogs = { analysis, matches, unlogged, auditClocks, otherPhoneLines, cappedLines, undatedLines };
  model.logs = logs;
  return logs;
}

function samePhoneRef(a: Finding['phone'], b: Finding['phone']): boolean {
  if (a.mac !== undefined && b.mac !== undefined) return a.mac === b.mac;
  return a.ip !== undefined && a.ip === b.ip;
}

/**
 * The log findings (from analyzeLogs) added to the capture's findings. One
 * event seen by both keeps the capture's finding, whose evidence gains the log
 * lines; a log finding whose lines record exchanges the capture shows answered
 * otherwise keeps its place with a caveat saying so.
 */
export function withLogFindings(model: DusModel, findings: readonly Finding[]): Finding[] {
  const logs = model.logs;
  if (!logs) return [...findings];
  const exchangeOf = new Map(logs.matches.map((m) => [refOf(m.source.file, m.source.line), m]));
  const byId = new Map(model.exchanges.map((x) => [x.id, x]));
  const out = [...findings];
  for (const lf of logs.analysis.findings) {
    const lines = lf.evidence.lines ?? [];
    const ms = lines.map((l) => exchangeOf.get(refOf(l.file, l.line))).filter((m): m is LogMatch => m !== undefined);
    const ids = new Set(ms.map((m) => m.exchange));
    const frames = new Set(ms.flatMap((m) => exchangeFrames(byId.get(m.exchange)!)));
    const twin = ids.size === 0
      ? undefined
      : out.find(
          (f) =>
            f.code === lf.code &&
            f.evidence.frames.length > 0 &&
            samePhoneRef(f.phone, lf.phone) &&
            ((f.evidence.exchanges ?? []).some((id) => ids.has(id)) || f.evidence.frames.some((n) => frames.has(n))),
        );
    if (twin) {
      const i = out.indexOf(twin);
      const merged = [...(twin.evidence.lines ?? [])];
      for (const l of lines) if (!merged.some((x) => x.file === l.file && x.line === l.line)) merged.push(l);
      out[i] = { ...twin, evidence: { ...twin.evidence, lines: merged } };
      continue;
    }
    const copy: Finding = { ...lf, evidence: { ...lf.evidence, frames: [...frames].sort((a, b) => a - b), lines: [...lines] } };
    if (ids.size > 0) copy.evidence.exchanges = [...ids];
    const differ = ms.filter((m) => m.iis?.status !== undefined && byId.get(m.exchange)?.http.response && byId.get(m.exchange)!.http.response!.status !== m.iis.status);
    if (differ.length > 0) {
      const said = differ
        .map((m) => {
          const res = byId.get(m.exchange)!.http.response!;
          return `${m.source.file} line ${m.source.line} says ${statusText(m.iis!)}, the response in frame ${res.frame} is ${res.status}`;
        })
        .join('; ');
      const caveat = `The capture disagrees with the log: ${said}.`;
      copy.caveat = copy.caveat ? `${copy.caveat} ${caveat}` : caveat;
    }
    out.push(copy);
  }
  return out.sort(compareFindings);
}
