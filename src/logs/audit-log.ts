// The Device Update Service audit log, RequestHandlerAuditLog_<server>_<date>.log
// (shared/protocol/ucdevice-upx.md section 6): CSV with one header line, one
// line per check-in. The Requested and Response columns hold
// `FileName;Version;TimeStamp` triples joined by `#`; in the response the
// FileName is the download URL. Fields may be quoted ("0021630F207B").
// The parser is lax: a bad line becomes a note and parsing goes on.
import { normalizeMac } from '../dus/mac-address.js';
import { initialLogDate, parseLogDate, type LogDate, type ParsedDate } from './log-dates.js';
import type { LogLine } from './line-reader.js';
import type { LogNote } from './log-note.js';

/** The first column name of the header line, which identifies an audit log. */
export const AUDIT_HEADER_START = 'Logging DateTime,';

/** Most columns read from one line; the format has 13. */
const MAX_COLUMNS = 64;
/** Most files in one Requested or Response column. */
const MAX_FILES = 32;

/** One `FileName;Version;TimeStamp` entry. */
export interface AuditFile {
  /** File name (requested) or download URL (response); empty when the log left it out. */
  name: string;
  version: string;
  timestamp?: LogDate;
}

/** One check-in line of the audit log. */
export interface AuditRecord {
  /** 1-based line in the file. */
  line: number;
  /** When the server logged it (server clock). */
  loggedAt: LogDate;
  user?: string;
  /** The phone's address as the server saw it. */
  hostAddress?: string;
  deviceType?: string;
  /** When the phone says it sent the request (phone clock). */
  requestedAt: LogDate;
  /** Normalised to 12 upper-case hex digits when it is a MAC; as written otherwise. */
  mac?: string;
  serial?: string;
  vendor?: string;
  model?: string;
  revision?: string;
  locale?: string;
  requested: AuditFile[];
  response: AuditFile[];
}

/** Column keys, found by header name so a reordered export still reads. */
type Column = 'logged' | 'user' | 'host' | 'deviceType' | 'requestedAt' | 'mac' | 'serial' | 'vendor' | 'model' | 'revision' | 'locale' | 'requested' | 'response';

const DEFAULT_COLUMNS: Column[] = ['logged', 'user', 'host', 'deviceType', 'requestedAt', 'mac', 'serial', 'vendor', 'model', 'revision', 'locale', 'requested', 'response'];

function columnOf(header: string): Column | undefined {
  const h = header.trim().toLowerCase();
  if (h.startsWith('logging date')) return 'logged';
  if (h === 'user name') return 'user';
  if (h === 'user host address') return 'host';
  if (h === 'device type') return 'deviceType';
  if (h.startsWith('request date')) return 'requestedAt';
  if (h === 'mac address') return 'mac';
  if (h === 'serial number') return 'serial';
  if (h === 'vendor') return 'vendor';
  if (h === 'model') return 'model';
  if (h === 'revision') return 'revision';
  if (h === 'locale') return 'locale';
  if (h.startsWith('requested')) return 'requested';
  if (h.startsWith('response')) return 'response';
  return undefined;
}

/** Result of splitting one CSV line. */
export interface CsvFields {
  fields: string[];
  /** A quote opened and never closed (the rest of the line became the last field). */
  unbalanced: boolean;
  /** More than the cap of fields; the rest were dropped. */
  capped: boolean;
}

/**
 * Split one CSV line (RFC 4180 quoting: "" inside quotes is a quote). Lax: a
 * quote in the middle of an unquoted field is kept as data.
 */
export function splitCsvLine(line: string, maxFields = MAX_COLUMNS): CsvFields {
  const fields: string[] = [];
  let i = 0;
  let unbalanced = false;
  const n = line.length;
  for (;;) {
    if (fields.length >= maxFields) return { fields, unbalanced, capped: true };
    let value = '';
    if (line[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          value += line.slice(i);
          i = n;
          break;
        }
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        closed = true;
        break;
      }
      if (!closed) unbalanced = true;
      // Anything between the closing quote and the comma is kept as data.
      const comma = line.indexOf(',', i);
      const tail = comma < 0 ? line.slice(i) : line.slice(i, comma);
      value += tail;
      i = comma < 0 ? n : comma;
    } else {
      const comma = line.indexOf(',', i);
      value = comma < 0 ? line.slice(i) : line.slice(i, comma);
      i = comma < 0 ? n : comma;
    }
    fields.push(value);
    if (i >= n) return { fields, unbalanced, capped: false };
    i++; // past the comma
    if (i === n) {
      fields.push('');
      return { fields, unbalanced, capped: false };
    }
  }
}

/** Parsed dates that still need the resolver, kept beside each record. */
export interface PendingDates {
  logged: ParsedDate;
  requestedAt: ParsedDate;
  /** Requested then response file timestamps, in record order. */
  files: ParsedDate[];
}

/** A parsed audit log. */
export interface AuditLog {
  kind: 'audit';
  file: string;
  lines: number;
  records: AuditRecord[];
  /** Parallel to records: the raw readings the resolver works from. */
  pending: PendingDates[];
  notes: LogNote[];
}

/** Most records kept from one file; beyond it lines are counted, not kept. */
export const MAX_AUDIT_RECORDS = 500_000;
/** Most notes kept per file. */
export const MAX_NOTES = 200;

function parseFiles(text: string, dates: ParsedDate[]): { files: AuditFile[]; capped: boolean } {
  const t = text.trim();
  if (t === '') return { files: [], capped: false };
  const parts = t.split('#');
  const files: AuditFile[] = [];
  for (const part of parts.slice(0, MAX_FILES)) {
    if (part.trim() === '') continue;
    const bits = part.split(';');
    // A URL may itself hold ';': the version and timestamp are the last two pieces.
    let name: string;
    let version = '';
    let ts: string | undefined;
    if (bits.length >= 3) {
      ts = bits[bits.length - 1];
      version = bits[bits.length - 2];
      name = bits.slice(0, -2).join(';');
    } else if (bits.length === 2) {
      name = bits[0];
      version = bits[1];
    } else {
      name = bits[0];
    }
    const f: AuditFile = { name: name.trim(), version: version.trim() };
    if (ts !== undefined && ts.trim() !== '') {
      const p = parseLogDate(ts.trim());
      dates.push(p);
      f.timestamp = initialLogDate(p);
    }
    files.push(f);
  }
  return { files, capped: parts.length > MAX_FILES };
}

function opt(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  return t === '' ? undefined : t;
}

/** Push parser for one audit log file: feed lines, then take the result. */
export class AuditLogParser {
  private columns: Column[] = DEFAULT_COLUMNS;
  private sawHeader = false;
  private readonly log: AuditLog;

  constructor(file: string) {
    this.log = { kind: 'audit', file, lines: 0, records: [], pending: [], notes: [] };
  }

  private note(line: number, code: string, detail: string): void {
    if (this.log.notes.length < MAX_NOTES) this.log.notes.push({ file: this.log.file, line, code, detail });
  }

  push(l: LogLine): void {
    this.log.lines = l.line;
    if (l.truncated) {
      this.note(l.line, 'log.line-too-long', 'line longer than the line cap; skipped');
      return;
    }
    const text = l.text;
    if (text.trim() === '') return;
    if (text.startsWith(AUDIT_HEADER_START)) {
      // A header can repeat where files were concatenated; the latest one rules.
      const { fields } = splitCsvLine(text);
      const cols = fields.map(columnOf);
      if (cols.includes('logged') && cols.includes('mac')) {
        this.columns = cols.map((c) => c ?? ('unknown' as Column));
        this.sawHeader = true;
      }
      return;
    }
    if (!this.sawHeader) this.note(l.line, 'audit.no-header', 'data before any header line; read in the default column order');
    this.sawHeader = true;
    const { fields, unbalanced, capped } = splitCsvLine(text);
    if (unbalanced) this.note(l.line, 'audit.unbalanced-quote', 'a quoted field never closes; the rest of the line was read as that field');
    if (capped) this.note(l.line, 'audit.too-many-fields', `more than ${MAX_COLUMNS} fields; the rest were dropped`);
    // Six fields reach the MAC in the standard order; a custom header may have fewer.
    if (fields.length < Math.min(6, this.columns.length)) {
      this.note(l.line, 'audit.short-line', `only ${fields.length} field(s); not a check-in line`);
      return;
    }
    if (this.log.records.length >= MAX_AUDIT_RECORDS) {
      if (this.log.records.length === MAX_AUDIT_RECORDS) this.note(l.line, 'audit.records-capped', 'record cap reached; later lines are not kept');
      return;
    }
    const get = (c: Column): string | undefined => {
      const i = this.columns.indexOf(c);
      return i < 0 ? undefined : fields[i];
    };
    const logged = parseLogDate((get('logged') ?? '').trim());
    const requestedAt = parseLogDate((get('requestedAt') ?? '').trim());
    const fileDates: ParsedDate[] = [];
    const req = parseFiles(get('requested') ?? '', fileDates);
    const res = parseFiles(get('response') ?? '', fileDates);
    if (req.capped || res.capped) this.note(l.line, 'audit.files-capped', `more than ${MAX_FILES} files in a column; the rest were dropped`);
    const macText = opt(get('mac'));
    const rec: AuditRecord = {
      line: l.line,
      loggedAt: initialLogDate(logged),
      user: opt(get('user')),
      hostAddress: opt(get('host')),
      deviceType: opt(get('deviceType')),
      requestedAt: initialLogDate(requestedAt),
      mac: macText === undefined ? undefined : (normalizeMac(macText) ?? macText),
      serial: opt(get('serial')),
      vendor: opt(get('vendor')),
      model: opt(get('model')),
      revision: opt(get('revision')),
      locale: opt(get('locale')),
      requested: req.files,
      response: res.files,
    };
    if (rec.loggedAt.resolution === 'invalid') this.note(l.line, 'audit.bad-date', 'the Logging DateTime is not a date');
    this.log.records.push(rec);
    this.log.pending.push({ logged, requestedAt, files: fileDates });
  }

  finish(): AuditLog {
    return this.log;
  }
}
