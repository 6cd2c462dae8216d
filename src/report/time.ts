// Capture timestamps are bigint nanoseconds; reports print them as ISO 8601
// with all nine fractional digits, so nothing is lost and they sort as text.

/** `2009-03-06T17:07:20.123456789Z` for a nanosecond epoch timestamp. */
export function isoNs(ns: bigint): string {
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
