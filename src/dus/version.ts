// Firmware version numbers of the Device Update Service compare numerically,
// part by part (shared/protocol/ucdevice-upx.md section 5): 1.0.522.103 is
// newer than 1.0.522.98, which a string comparison gets wrong. Versions come
// from the wire, so a part may be anything: the comparison never yields NaN,
// and says whether it was a numeric comparison it can vouch for.

/** The outcome of comparing two versions. */
export interface VersionComparison {
  /** -1: a is older, 0: same, 1: a is newer. */
  order: -1 | 0 | 1;
  /** False when a part of either version was not a decimal number (the order is then a best effort). */
  numeric: boolean;
}

const DIGITS = /^[0-9]+$/;

/** The parts of a version, each trimmed: `1.0.452. 0` -> ['1', '0', '452', '0']. */
export function versionParts(v: string): string[] {
  const t = v.trim();
  return t === '' ? [] : t.split('.').map((p) => p.trim());
}

// Decimal strings of any length, compared exactly (no Number overflow).
function compareDigits(a: string, b: string): -1 | 0 | 1 {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

// A non-numeric part: its leading digits (none counts lowest) first, then the rest by code unit.
function compareMixed(a: string, b: string): -1 | 0 | 1 {
  const da = /^[0-9]*/.exec(a)![0];
  const db = /^[0-9]*/.exec(b)![0];
  if (da === '' && db !== '') return -1;
  if (db === '' && da !== '') return 1;
  const byDigits = da === '' ? 0 : compareDigits(da, db);
  if (byDigits !== 0) return byDigits;
  const ra = a.slice(da.length);
  const rb = b.slice(db.length);
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/** Compare two versions and say whether the comparison was purely numeric. */
export function compareVersionsDetailed(a: string, b: string): VersionComparison {
  const pa = versionParts(a);
  const pb = versionParts(b);
  let numeric = true;
  let order: -1 | 0 | 1 = 0;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    // A missing part counts as 0: 3.5 equals 3.5.0.0.
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const xn = DIGITS.test(x);
    const yn = DIGITS.test(y);
    if (!xn || !yn) numeric = false;
    if (order === 0) order = xn && yn ? compareDigits(x, y) : compareMixed(x, y);
  }
  return { order, numeric };
}

/** -1, 0 or 1 as `a` is older than, the same as, or newer than `b`; never NaN. */
export function compareVersions(a: string, b: string): number {
  return compareVersionsDetailed(a, b).order;
}

/**
 * Whether a phone's reported version means "no known version": absent,
 * empty, or all zeros (0.0.0.0, sent with the FILETIME epoch 01-01-1601 on a
 * first provisioning, section 2).
 */
export function isNoVersion(v: string | undefined): boolean {
  if (v === undefined) return true;
  const parts = versionParts(v);
  return parts.every((p) => DIGITS.test(p) && /^0+$/.test(p));
}
