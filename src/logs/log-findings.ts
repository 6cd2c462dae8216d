// Findings from the server logs alone (issue 9 part 1; codes and severities of
// shared/protocol/findings.md, remedies from src/diagnose/catalogue.ts):
// IIS status lines that name a known fault, the interim sequence of phones
// below 1.0.522.98, and offers in the audit log that no IIS GET followed
// within ten minutes. Pure: parsed logs in, findings out.
import { CATALOGUE, severityRank, type FindingCode } from '../diagnose/catalogue.js';
import type { Finding, PhoneRef } from '../diagnose/finding.js';
import { compareVersions, isNoVersion } from '../dus/version.js';
import type { AuditLog, AuditRecord } from './audit-log.js';
import { resolveAuditDates, type ClockOffset } from './date-resolution.js';
import type { IisEntry, IisLog } from './iis-log.js';
import { valueSeconds } from './log-dates.js';
import type { ParsedLog } from './read-log.js';

/** The interim build every phone below INTERIM_THRESHOLD must take first (section 5 rule 1). */
export const INTERIM_VERSION = '1.0.522.103';
export const INTERIM_THRESHOLD = '1.0.522.98';
/** How long after an offer the phone has to start its download. */
export const DOWNLOAD_WINDOW_SECONDS = 600;
/** A GET logged a little before the audit line still answers the offer (clocks, log order). */
const DOWNLOAD_EARLY_SECONDS = 60;
/** Most evidence lines kept per finding; the message gives the full count. */
const MAX_EVIDENCE = 50;

const FIRMWARE = /^\/DeviceUpdateFiles_(Int|Ext)\//i;
const INTERIM = /\/OCInterim\//i;
const LEGACY = /^\/UCDeviceUpdates\//i;
const HANDLER = /^\/RequestHandler(Ext)?\//i;

/** Everything the logs command reports. */
export interface LogAnalysis {
  audits: AuditLog[];
  iis: IisLog[];
  /** Parallel to audits: IIS time minus the audit's Logging DateTime, when learned. */
  clocks: Array<ClockOffset | undefined>;
  findings: Finding[];
  /** Phone addresses the audit logs tie to MACs. */
  macByIp: Map<string, string>;
}

/** The path of a URL or path, lower-cased, for comparing offers with requests. */
export function urlPath(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(\/[^?#]*)?/i.exec(s);
  const path = m ? (m[1] ?? '/') : s.startsWith('/') ? s.split(/[?#]/)[0] : undefined;
  if (path === undefined) return undefined;
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A bad escape: compare as written.
  }
  return decoded.toLowerCase();
}

/** Whether a path is one the Device Update Service serves. */
export function isServicePath(stem: string): boolean {
  return FIRMWARE.test(stem) || LEGACY.test(stem) || HANDLER.test(stem) || INTERIM.test(stem);
}

function isFirmware(stem: string): boolean {
  return FIRMWARE.test(stem) || /\.(nbt|cat)$/i.test(stem);
}

/** `500.19`, or `404` when the substatus is 0 or absent. */
export function statusText(e: IisEntry): string {
  return e.substatus ? `${e.status}.${e.substatus}` : `${e.status ?? '?'}`;
}

/** Which finding an IIS line raises by itself, if any. */
export function classifyIisEntry(e: IisEntry): FindingCode | undefined {
  const stem = e.uriStem ?? '';
  const st = e.status;
  if (st === undefined || st < 400) return undefined;
  if (LEGACY.test(stem) && st === 404) return 'legacy-upx-path';
  if (isFirmware(stem)) {
    if (INTERIM.test(stem) && st === 404) return 'interim-vdir-missing';
    if (st === 500 && e.substatus === 19) return 'download-forbidden-acl';
    if (st === 403 && e.substatus === 4) return 'ssl-required-on-files';
    if (st === 401 || st === 403) return 'download-forbidden-acl';
    if (st === 404) return 'firmware-not-found';
  }
  return isServicePath(stem) ? 'http-error' : undefined;
}

/** The version of cpe.nbt a check-in reports (the first file when none is named cpe.nbt). */
export function runningVersion(r: AuditRecord): string | undefined {
  const f = r.requested.find((x) => /(^|\/)cpe\.nbt$/i.test(x.name)) ?? r.requested[0];
  return f?.version;
}

function belowInterim(v: string | undefined): boolean {
  return isNoVersion(v) || compareVersions(v ?? '', INTERIM_THRESHOLD) < 0;
}

function isInterimOffer(f: { name: string; version: string }): boolean {
  return INTERIM.test(f.name) || f.version === INTERIM_VERSION;
}

class FindingSet {
  private readonly byKey = new Map<string, { finding: Finding; count: number }>();

  add(key: string, code: FindingCode, phone: PhoneRef, message: (count: number) => string, lines: Array<{ file: string; line: number }>, caveat?: string): void {
    const k = `${code}\u0000${key}`;
    let e = this.byKey.get(k);
    if (!e) {
      const entry = CATALOGUE[code];
      e = {
        finding: { code, severity: entry.severity, phone, message: '', remedy: 'remedy' in entry ? entry.remedy : '', evidence: { frames: [], lines: [] } },
        count: 0,
      };
      this.byKey.set(k, e);
    }
    e.count++;
    const ev = e.finding.evidence.lines!;
    for (const l of lines) {
      if (ev.length >= MAX_EVIDENCE) break;
      if (!ev.some((x) => x.file === l.file && x.line === l.line)) ev.push(l);
    }
    e.finding.message = message(e.count);
    if (caveat) e.finding.caveat = caveat;
  }

  list(): Finding[] {
    return [...this.byKey.values()].map((e) => e.finding).sort(compareLogFindings);
  }
}

/** Severity, then file and line of the first evidence, then code. */
export function compareLogFindings(a: Finding, b: Finding): number {
  const la = a.evidence.lines?.[0];
  const lb = b.evidence.lines?.[0];
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    (la?.file ?? '').localeCompare(lb?.file ?? '') ||
    (la?.line ?? 0) - (lb?.line ?? 0) ||
    a.code.localeCompare(b.code)
  );
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

/** IP -> MAC from the audit logs; an address seen with two MACs maps to none. */
function phoneBook(audits: readonly AuditLog[]): Map<string, string> {
  const book = new Map<string, string>();
  const clash = new Set<string>();
  for (const a of audits) {
    for (const r of a.records) {
      if (!r.hostAddress || !r.mac) continue;
      const had = book.get(r.hostAddress);
      if (had !== undefined && had !== r.mac) clash.add(r.hostAddress);
      else book.set(r.hostAddress, r.mac);
    }
  }
  for (const ip of clash) book.delete(ip);
  return book;
}

function phoneKey(p: PhoneRef): string {
  return p.mac ?? p.ip ?? '';
}

function phoneName(p: PhoneRef): string {
  if (p.mac && p.ip) return `${p.mac} (${p.ip})`;
  return p.mac ?? p.ip ?? 'a phone of unknown address';
}

interface Get {
  seconds: number;
  ip?: string;
  file: string;
  line: number;
}

/** Stands for "the IIS line had no c-ip" in GET keys. */
const NO_IP = '\u0000none';

// `undefined` address: the list of every GET of the path; otherwise the GETs from that address.
function getKey(path: string, ip: string | undefined): string {
  return ip === undefined ? `${path}\u0000*` : `${path}\u0000${ip}`;
}

// First index of a time-sorted list with seconds >= t.
function firstAtOrAfter(list: readonly Get[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].seconds < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Parse, resolve and judge: the whole of `upxray logs` short of printing. */
export function analyzeLogs(logs: readonly ParsedLog[]): LogAnalysis {
  const audits = logs.filter((l): l is AuditLog => l.kind === 'audit');
  const iis = logs.filter((l): l is IisLog => l.kind === 'iis');
  const clocks = audits.map((a) => resolveAuditDates(a, iis));
  const macByIp = phoneBook(audits);
  const set = new FindingSet();

  const iisPhone = (e: IisEntry): PhoneRef => {
    const p: PhoneRef = {};
    const mac = e.clientIp ? macByIp.get(e.clientIp) : undefined;
    if (mac) p.mac = mac;
    if (e.clientIp) p.ip = e.clientIp;
    return p;
  };
  const auditPhone = (r: AuditRecord): PhoneRef => {
    const p: PhoneRef = {};
    if (r.mac) p.mac = r.mac;
    if (r.hostAddress) p.ip = r.hostAddress;
    return p;
  };

  // Offered paths, so a 404 can say whether the server itself offered the file.
  const offeredBy = new Map<string, { file: string; line: number }>();
  for (const a of audits) {
    for (const r of a.records) {
      for (const f of r.response) {
        const p = urlPath(f.name);
        if (p && !offeredBy.has(p)) offeredBy.set(p, { file: a.file, line: r.line });
      }
    }
  }

  // 1. IIS lines that name a fault by themselves.
  for (const log of iis) {
    for (const e of log.entries) {
      const code = classifyIisEntry(e);
      if (!code) continue;
      const phone = iisPhone(e);
      const stem = e.uriStem ?? '';
      const here = { file: log.file, line: e.line };
      const what = `${e.method ?? 'a request'} ${stem} answered ${statusText(e)}`;
      const win32 = e.win32Status ? ` (Win32 status ${e.win32Status}${e.win32Status === 5 ? ', access denied' : e.win32Status === 2 ? ', file not found' : ''})` : '';
      let msg: (n: number) => string;
      const lines = [here];
      switch (code) {
        case 'download-forbidden-acl':
          msg = (n) =>
            e.status === 500
              ? `${what}${win32} ${times(n)}: IIS could not read the configuration of the shared updates folder it serves the file from`
              : `${what}${win32} ${times(n)}: IIS refused the anonymous download`;
          break;
        case 'ssl-required-on-files':
          msg = (n) => `${what} ${times(n)}: the folder requires SSL, but phones download firmware over plain HTTP${e.serverPort ? ` (port ${e.serverPort})` : ''}`;
          break;
        case 'interim-vdir-missing':
          msg = (n) => `${what}${win32} ${times(n)}: the OCInterim virtual directory is missing`;
          break;
        case 'firmware-not-found': {
          const offer = offeredBy.get(urlPath(stem) ?? '');
          if (offer) lines.push(offer);
          msg = (n) =>
            `${what}${win32} ${times(n)}: ` +
            (offer
              ? `the server offered this file (audit log ${offer.file} line ${offer.line}) but does not have it`
              : 'phones ask only for files the service offered, so the offered version folder is missing or incomplete');
          break;
        }
        case 'legacy-upx-path':
          msg = (n) => `${what} ${times(n)}: a phone with firmware 1.0.452.x checks in at the old path, which this server does not serve`;
          break;
        default:
          msg = (n) => `${what}${win32} ${times(n)}`;
      }
      set.add(`${phoneKey(phone)}\u0000${stem.toLowerCase()}\u0000${statusText(e)}`, code, phone, msg, lines);
    }
  }

  // 2. The interim sequence, per phone.
  interface Interim {
    phone: PhoneRef;
    offers: Array<{ file: string; line: number; from: string }>;
    gets: Array<{ file: string; line: number; ok: boolean }>;
    after: Array<{ file: string; line: number }>;
    wrong: Array<{ file: string; line: number; from: string; offered: string }>;
  }
  const interim = new Map<string, Interim>();
  const interimOf = (phone: PhoneRef): Interim => {
    const k = phoneKey(phone);
    let x = interim.get(k);
    if (!x) interim.set(k, (x = { phone, offers: [], gets: [], after: [], wrong: [] }));
    if (!x.phone.ip && phone.ip) x.phone = { ...x.phone, ip: phone.ip };
    return x;
  };
  for (const a of audits) {
    for (const r of a.records) {
      const v = runningVersion(r);
      const phone = auditPhone(r);
      if (v === INTERIM_VERSION) {
        const x = interim.get(phoneKey(phone));
        if (x) x.after.push({ file: a.file, line: r.line });
        continue;
      }
      if (!belowInterim(v) || r.response.length === 0) continue;
      const from = v === undefined || v === '' ? 'no version' : v;
      const good = r.response.filter(isInterimOffer);
      const bad = r.response.filter((f) => !isInterimOffer(f) && (f.name !== '' || f.version !== ''));
      if (good.length > 0) interimOf(phone).offers.push({ file: a.file, line: r.line, from });
      for (const f of bad) interimOf(phone).wrong.push({ file: a.file, line: r.line, from, offered: f.version || f.name });
    }
  }
  for (const log of iis) {
    for (const e of log.entries) {
      if (!INTERIM.test(e.uriStem ?? '') || e.method?.toUpperCase() !== 'GET' || !/\.nbt$/i.test(e.uriStem ?? '')) continue;
      const ok = e.status !== undefined && e.status >= 200 && e.status < 300;
      interimOf(iisPhone(e)).gets.push({ file: log.file, line: e.line, ok });
    }
  }
  for (const x of interim.values()) {
    const name = phoneName(x.phone);
    if (x.offers.length > 0 || x.gets.some((g) => g.ok)) {
      const got = x.gets.filter((g) => g.ok);
      const at = (l: { file: string; line: number }): string => `${l.file} line ${l.line}`;
      let first =
        x.offers.length > 0
          ? `${name} reported ${x.offers[0].from} and was offered the interim build ${INTERIM_VERSION} (${at(x.offers[0])})`
          : `${name} downloaded the interim build from /OCInterim/ (${at(got[0])})`;
      if (x.offers.length > 0 && got.length > 0) first += `, which it downloaded (${at(got[0])})`;
      const second =
        x.after.length > 0
          ? `It then checked in running ${INTERIM_VERSION} (${at(x.after[0])}): the second update cycle`
          : 'A second update cycle, after the reboot, brings the approved version';
      const text = `${first}. ${second}.`;
      const lines = [...x.offers, ...got, ...x.after].map(({ file, line }) => ({ file, line }));
      set.add(phoneKey(x.phone), 'interim-required', x.phone, () => text, lines);
    }
    for (const w of x.wrong) {
      set.add(
        `${phoneKey(x.phone)}\u0000${w.file}\u0000${w.line}`,
        'interim-not-offered',
        x.phone,
        () => `${name} reported ${w.from}, below ${INTERIM_THRESHOLD}, but was offered ${w.offered} instead of the interim build ${INTERIM_VERSION} (${w.file} line ${w.line})`,
        [{ file: w.file, line: w.line }],
      );
    }
  }

  // 3. Offers never followed by a download, when an IIS log covers the time.
  if (iis.length > 0) {
    const gets = new Map<string, Get[]>();
    let first = Infinity;
    let last = -Infinity;
    for (const log of iis) {
      for (const e of log.entries) {
        const s = valueSeconds(e.at.value);
        if (s === undefined) continue;
        first = Math.min(first, s);
        last = Math.max(last, s);
        if (e.method?.toUpperCase() !== 'GET') continue;
        const p = urlPath(e.uriStem);
        if (!p) continue;
        // Keyed by path and address, so a popular file costs each offer only its phone's GETs.
        const get = { seconds: s, ip: e.clientIp, file: log.file, line: e.line };
        for (const k of [getKey(p, e.clientIp ?? NO_IP), getKey(p, undefined)]) {
          const list = gets.get(k) ?? [];
          list.push(get);
          gets.set(k, list);
        }
      }
    }
    for (const list of gets.values()) list.sort((x, y) => x.seconds - y.seconds);
    audits.forEach((a, ai) => {
      const clock = clocks[ai];
      const shift = clock?.seconds ?? 0;
      a.records.forEach((r, ri) => {
        const offers = r.response.filter((f) => urlPath(f.name) !== undefined && /^[a-z]+:\/\/|^\//i.test(f.name));
        if (offers.length === 0) return;
        const when =
          r.loggedAt.value !== undefined
            ? [valueSeconds(r.loggedAt.value)!]
            : a.pending[ri].logged.readings.map((x) => x.seconds);
        if (when.length === 0) return;
        const iisWhen = when.map((t) => t + shift);
        // No IIS line from that time at all: the IIS log of that day was not given.
        if (iisWhen.every((t) => t < first - DOWNLOAD_EARLY_SECONDS || t > last)) return;
        for (const f of offers) {
          const p = urlPath(f.name)!;
          // GETs from the phone's address, plus GETs the IIS log wrote without an address.
          const lists = r.hostAddress === undefined ? [gets.get(getKey(p, undefined))] : [gets.get(getKey(p, r.hostAddress)), gets.get(getKey(p, NO_IP))];
          const found = lists.some(
            (list) =>
              list !== undefined &&
              iisWhen.some((t) => {
                const j = firstAtOrAfter(list, t - DOWNLOAD_EARLY_SECONDS);
                return j < list.length && list[j].seconds <= t + DOWNLOAD_WINDOW_SECONDS;
              }),
          );
          if (found) continue;
          const phone = auditPhone(r);
          const notes: string[] = [];
          if (r.loggedAt.value === undefined) notes.push(`the Logging DateTime ${r.loggedAt.text} is ambiguous; neither reading has a download after it`);
          if (!clock) notes.push('no check-in matched the IIS log, so the two clocks are taken to agree');
          const caveat = iisWhen.some((t) => t + DOWNLOAD_WINDOW_SECONDS > last)
            ? `the IIS log ends within ${DOWNLOAD_WINDOW_SECONDS / 60} minutes of the offer; the download may be after it`
            : undefined;
          set.add(
            `${a.file}\u0000${r.line}\u0000${p}`,
            'update-offered-not-downloaded',
            phone,
            () =>
              `${phoneName(phone)} was offered ${f.name}${f.version ? ` (${f.version})` : ''} at ${r.loggedAt.value ?? r.loggedAt.text} and no GET of it follows within ${DOWNLOAD_WINDOW_SECONDS / 60} minutes in the IIS log` +
              (notes.length > 0 ? ` (${notes.join('; ')})` : ''),
            [{ file: a.file, line: r.line }],
            caveat,
          );
        }
      });
    });
  }

  return { audits, iis, clocks, findings: set.list(), macByIp };
}
