// Capture timestamps are bigint nanoseconds; reports print them as ISO 8601
// with all nine fractional digits, so nothing is lost and they sort as text.

/** Timestamps from 1 s after the epoch up to here take the fast path of isoNs (Date's range ends at 8.64e15 ms). */
const FAST_FROM = 1_000_000_000n;
const FAST_UNTIL = 8_640_000_000_000n * 1_000_000_000n;
/** The last whole second printed and its text: a capture's timestamps come in runs within one second. */
let lastSecs = '';
let lastBase = '';

/** `2009-03-06T17:07:20.123456789Z` for a nanosecond epoch timestamp. */
export function isoNs(ns: bigint): string {
  if (ns >= FAST_FROM && ns <= FAST_UNTIL) {
    // The decimal digits split into seconds and nine fractional digits: no bigint division, and Date only once per second.
    const digits = ns.toString();
    const secs = digits.slice(0, -9);
    if (secs !== lastSecs) {
      lastBase = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
      lastSecs = secs;
    }
    return `${lastBase}.${digits.slice(-9)}Z`;
  }
  return isoNsSlow(ns);
}

/** isoNs for any timestamp: before the epoch, the first second, and beyond Date's range. */
export function isoNsSlow(ns: bigint): string {
  const NS = 1_000_000_000n;
  let secs = ns / NS;
  let frac = ns % NS;
  if (frac < 0n) {
    frac += NS;
    secs -= 1n;
  }
  const ms = Number(secs) * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return `invalid-time(${ns})`;
  const base = new Date(ms).toISOString().slice(0, 19);
  return `${base}.${frac.toString().padStart(9, '0')}Z`;
}

/** Seconds between two nanosecond timestamps, as a number. */
export function secondsBetween(fromNs: bigint, toNs: bigint): number {
  return Number(toNs - fromNs) / 1e9;
}

/** `2009-03-06 17:07:20.123`: a capture time as reports and the UI show it (UTC, milliseconds). */
export function clock(ns: bigint): string {
  const iso = isoNs(ns);
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** A gap between two events: `12.3 s`, `8 min 15 s`, `24 h 3 min`. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}
