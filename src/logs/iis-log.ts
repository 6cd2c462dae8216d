// IIS logs in the W3C extended format (shared/protocol/ucdevice-upx.md
// section 6; the format is the W3C working draft "Extended Log File Format"):
// `#` directive lines, of which `#Fields:` names the columns of the data lines
// after it, which are space-separated. `-` is an empty value, and IIS writes
// a space inside a value as `+` (cs(User-Agent)). Dates are ISO and in UTC.
// A new `#Fields:` line (IIS writes one at every restart) replaces the columns.
import { initialLogDate, parseLogDate, type LogDate } from './log-dates.js';
import type { LogLine } from './line-reader.js';
import type { LogNote } from './log-note.js';
import { MAX_NOTES } from './audit-log.js';

/** Most columns taken from a `#Fields:` line; IIS has about thirty. */
export const MAX_IIS_FIELDS = 64;
/** Most entries kept from one file. */
export const MAX_IIS_ENTRIES = 1_000_000;

/** One request line of an IIS log. */
export interface IisEntry {
  line: number;
  /** From the date and time columns (UTC, as IIS writes them). */
  at: LogDate;
  serverIp?: string;
  method?: string;
  uriStem?: string;
  uriQuery?: string;
  serverPort?: number;
  username?: string;
  clientIp?: string;
  userAgent?: string;
  status?: number;
  substatus?: number;
  win32Status?: number;
  /** Milliseconds. */
  timeTaken?: number;
}

/** A parsed IIS log. */
export interface IisLog {
  kind: 'iis';
  file: string;
  lines: number;
  /** From `#Software:`, when present. */
  software?: string;
  /** The columns of the latest `#Fields:` line. */
  fields: string[];
  entries: IisEntry[];
  notes: LogNote[];
}

function num(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,10}$/.test(s)) return undefined;
  return Number(s);
}

/** Whether a line is one of the directives that identify a W3C log. */
export function isIisDirective(text: string): boolean {
  return /^#(Software|Version|Date|Fields|Start-Date|End-Date|Remark):/i.test(text);
}

/** Push parser for one IIS W3C log file. */
export class IisLogParser {
  private readonly log: IisLog;
  private index = new Map<string, number>();

  constructor(file: string) {
    this.log = { kind: 'iis', file, lines: 0, fields: [], entries: [], notes: [] };
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
    const text = l.text.trim();
    if (text === '') return;
    if (text.startsWith('#')) {
      this.directive(text, l.line);
      return;
    }
    if (this.log.fields.length === 0) {
      this.note(l.line, 'iis.no-fields', 'a data line before any #Fields: line; skipped');
      return;
    }
    if (this.log.entries.length >= MAX_IIS_ENTRIES) {
      if (this.log.entries.length === MAX_IIS_ENTRIES) this.note(l.line, 'iis.entries-capped', 'entry cap reached; later lines are not kept');
      return;
    }
    // Split on runs of white space: IIS writes one space, hand-edited excerpts more.
    const values = text.split(/[ \t]+/, MAX_IIS_FIELDS + 1);
    if (values.length !== this.log.fields.length) {
      this.note(l.line, 'iis.field-count', `${values.length} value(s) for ${this.log.fields.length} field(s); read by position`);
    }
    const get = (name: string): string | undefined => {
      const i = this.index.get(name);
      if (i === undefined) return undefined;
      const v = values[i];
      return v === undefined || v === '-' ? undefined : v;
    };
    const date = get('date');
    const time = get('time');
    const atText = [date, time].filter((x) => x !== undefined).join(' ');
    const at = initialLogDate(parseLogDate(atText));
    if (at.resolution === 'invalid') this.note(l.line, 'iis.bad-date', 'the date and time columns are not a date');
    const ua = get('cs(user-agent)');
    this.log.entries.push({
      line: l.line,
      at,
      serverIp: get('s-ip'),
      method: get('cs-method'),
      uriStem: get('cs-uri-stem'),
      uriQuery: get('cs-uri-query'),
      serverPort: num(get('s-port')),
      username: get('cs-username'),
      clientIp: get('c-ip'),
      userAgent: ua?.replace(/\+/g, ' '),
      status: num(get('sc-status')),
      substatus: num(get('sc-substatus')),
      win32Status: num(get('sc-win32-status')),
      timeTaken: num(get('time-taken')),
    });
  }

  private directive(text: string, line: number): void {
    const m = /^#([A-Za-z-]+):\s*(.*)$/.exec(text);
    if (!m) return; // a comment
    const name = m[1].toLowerCase();
    if (name === 'software') this.log.software = m[2].slice(0, 200);
    if (name !== 'fields') return;
    const all = m[2].trim().split(/\s+/, MAX_IIS_FIELDS + 1);
    if (all.length > MAX_IIS_FIELDS) this.note(line, 'iis.fields-capped', `more than ${MAX_IIS_FIELDS} fields; the rest are ignored`);
    this.log.fields = all.slice(0, MAX_IIS_FIELDS);
    this.index = new Map();
    this.log.fields.forEach((f, i) => {
      const k = f.toLowerCase();
      if (!this.index.has(k)) this.index.set(k, i);
    });
  }

  finish(): IisLog {
    return this.log;
  }
}
