// Dates in the Device Update Service's logs (shared/protocol/ucdevice-upx.md
// section 6). One audit file mixes `03-06-2009 17:07:20` (month first) with
// `06-03-2009 09:07:20` (day first) and `6/30/2009 4:47:50 PM`, because each
// column is formatted by a different component with its own culture. When day
// and month are both 12 or less a date has two readings; this module lists
// them, and the resolver (date-resolution.ts) picks one only on evidence.
// Every date carries how it was resolved, so nothing is guessed silently.

/** Which part comes first: year (ISO), month (US) or day (European). */
export type DateOrder = 'ymd' | 'mdy' | 'dmy';

/** How a date's reading was settled. */
export type DateResolution =
  /** Written year first (IIS W3C, ISO 8601): one reading only. */
  | 'iso'
  /** One reading is impossible (a part above 12, or a day the month lacks). */
  | 'unambiguous'
  /** Day and month are equal: both readings give the same date. */
  | 'same-either-way'
  /** One reading matches a request in the IIS log. */
  | 'iis-log'
  /** One reading agrees with the other date of the same line. */
  | 'other-column'
  /** Unambiguous dates of the same column and format on nearby lines all use one order. */
  | 'neighbours'
  /** Two readings and no evidence for either. */
  | 'ambiguous'
  /** Not a date this parser reads. */
  | 'invalid';

/** A reading of a date: the order that gives it and the naive (zone-less) time. */
export interface DateReading {
  order: DateOrder;
  /** `YYYY-MM-DD HH:MM:SS`, in whatever clock the log was written in. */
  value: string;
  /** Seconds since 1970-01-01 00:00:00 of that naive time (for arithmetic only). */
  seconds: number;
}

/** A date from a log, with how it was read. */
export interface LogDate {
  /** As written. */
  text: string;
  /** `YYYY-MM-DD HH:MM:SS` once resolved; absent while ambiguous or invalid. */
  value?: string;
  order?: DateOrder;
  resolution: DateResolution;
  /** Both readings, when ambiguous: month-first then day-first. */
  readings?: string[];
  /** What settled it, in words: `IIS log iis.log line 5`. */
  evidence?: string;
}

/** A parsed date with its possible readings, before resolution. */
export interface ParsedDate {
  text: string;
  /** Separator and clock (`-24`, `/12`): the "format" neighbouring dates must share. */
  shape: string;
  /** Zero readings: invalid; one: settled; two: ambiguous. */
  readings: DateReading[];
}

const DATE_RE =
  /^\s*(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:\s*([AaPp])\.?[Mm]\.?)?)?\s*$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, m: number): number {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return m === 2 && leap ? 29 : DAYS[m - 1];
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function reading(order: DateOrder, y: number, mo: number, d: number, h: number, mi: number, s: number): DateReading | undefined {
  if (y < 1601 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  const seconds = Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
  return { order, value: `${pad(y, 4)}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}`, seconds };
}

/** Parse a log date into its possible readings. Never throws. */
export function parseLogDate(text: string): ParsedDate {
  const m = DATE_RE.exec(text.length > 64 ? '' : text);
  if (!m) return { text, shape: '?', readings: [] };
  const [, a, sep, b, c, hh, mm, ss, ampm] = m;
  let h = hh === undefined ? 0 : Number(hh);
  if (ampm !== undefined) {
    // 12-hour clock: 12:xx AM is just after midnight, 12:xx PM just after noon.
    if (h < 1 || h > 12) return { text, shape: `${sep}12`, readings: [] };
    const pm = ampm.toLowerCase() === 'p';
    h = (h % 12) + (pm ? 12 : 0);
  }
  const mi = mm === undefined ? 0 : Number(mm);
  const s = ss === undefined ? 0 : Number(ss);
  const shape = `${sep}${ampm !== undefined ? '12' : '24'}`;
  if (a.length === 4) {
    const r = reading('ymd', Number(a), Number(b), Number(c), h, mi, s);
    return { text, shape: `ymd${shape}`, readings: r ? [r] : [] };
  }
  if (c.length !== 4) return { text, shape, readings: [] }; // two-digit years: the century would be a guess
  const y = Number(c);
  const x = Number(a);
  const z = Number(b);
  const mdy = reading('mdy', y, x, z, h, mi, s);
  const dmy = reading('dmy', y, z, x, h, mi, s);
  const readings = [mdy, dmy].filter((r): r is DateReading => r !== undefined);
  if (readings.length === 2 && readings[0].value === readings[1].value) return { text, shape, readings: [readings[0]] };
  return { text, shape, readings };
}

/** The settled LogDate for a date that needs no outside evidence, or an ambiguous/invalid one. */
export function initialLogDate(p: ParsedDate): LogDate {
  if (p.readings.length === 0) return { text: p.text, resolution: 'invalid' };
  if (p.readings.length === 2) return { text: p.text, resolution: 'ambiguous', readings: p.readings.map((r) => r.value) };
  const r = p.readings[0];
  if (r.order === 'ymd') return { text: p.text, value: r.value, order: 'ymd', resolution: 'iso' };
  // Both orders valid and equal (01-01-1601) collapse to one reading above.
  const [x, y] = p.text.trim().split(/[-/.\s]/);
  const same = Number(x) === Number(y);
  return same
    ? { text: p.text, value: r.value, resolution: 'same-either-way' }
    : { text: p.text, value: r.value, order: r.order, resolution: 'unambiguous' };
}

/** A LogDate settled to one reading by evidence. */
export function settled(p: ParsedDate, r: DateReading, resolution: DateResolution, evidence: string): LogDate {
  return { text: p.text, value: r.value, order: r.order, resolution, evidence };
}

/** Seconds of a `YYYY-MM-DD HH:MM:SS` value (as produced here), or undefined. */
export function valueSeconds(value: string | undefined): number | undefined {
  // Called for every line of large logs: fixed positions, no regex.
  if (value === undefined || value.length !== 19) return undefined;
  const n = (from: number, len: number): number => {
    let x = 0;
    for (let i = from; i < from + len; i++) {
      const d = value.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return NaN;
      x = x * 10 + d;
    }
    return x;
  };
  const t = Date.UTC(n(0, 4), n(5, 2) - 1, n(8, 2), n(11, 2), n(14, 2), n(17, 2)) / 1000;
  return Number.isNaN(t) ? undefined : t;
}

/** `YYYY-MM-DD HH:MM:SS` of seconds since the epoch (naive). */
export function secondsValue(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
