import { describe, expect, it } from 'vitest';
import { compareVersions, compareVersionsDetailed, isNoVersion, versionParts } from '../../src/dus/version.js';

describe('compareVersions', () => {
  it('compares numerically part by part, not as strings', () => {
    expect(compareVersions('1.0.522.103', '1.0.522.98')).toBe(1);
    expect(compareVersions('1.0.522.98', '1.0.522.103')).toBe(-1);
    expect(compareVersions('3.5.6907.0', '1.0.522.103')).toBe(1);
    expect(compareVersions('1.0.452.0', '1.0.522.98')).toBe(-1);
    expect(compareVersions('3.5.6907.0', '3.5.6907.207')).toBe(-1);
  });

  it('treats missing parts as 0', () => {
    expect(compareVersions('3.5', '3.5.0.0')).toBe(0);
    expect(compareVersions('3.5.0.1', '3.5')).toBe(1);
    expect(compareVersions('', '0.0.0.0')).toBe(0);
  });

  it('ignores leading zeros and white space around parts', () => {
    expect(compareVersions('1.0.0522.098', '1.0.522.98')).toBe(0);
    expect(compareVersions('1.0.452. 0', '1.0.452.0')).toBe(0);
  });

  it('compares parts longer than a double can hold exactly', () => {
    expect(compareVersions('1.99999999999999999999', '1.99999999999999999998')).toBe(1);
  });

  it('orders non-numeric parts without NaN, and flags the comparison', () => {
    const d = compareVersionsDetailed('1.0.522.x', '1.0.522.98');
    expect(d.numeric).toBe(false);
    expect([-1, 0, 1]).toContain(d.order);
    // Leading digits first, then the rest; a part with no digits sorts lowest.
    expect(compareVersions('1.0.10b', '1.0.9a')).toBe(1);
    expect(compareVersions('1.0.9a', '1.0.9b')).toBe(-1);
    expect(compareVersions('1.0.beta', '1.0.0')).toBe(-1);
    expect(compareVersionsDetailed('3.5.6907.0', '3.5.6907.0')).toEqual({ order: 0, numeric: true });
  });

  it('is antisymmetric on a mixed list', () => {
    const vs = ['', '0.0.0.0', '1.0.452.0', '1.0.522.34', '1.0.522.98', '1.0.522.103', '3.5.6907.0', 'x', '1.a', '1.0.522.103b'];
    for (const a of vs) for (const b of vs) expect(compareVersions(a, b)).toBe(-compareVersions(b, a) || 0);
  });
});

describe('isNoVersion', () => {
  it('is true for absent, empty and all-zero versions', () => {
    for (const v of [undefined, '', '  ', '0.0.0.0', '0', '0.0', '00.000.0.0']) expect(isNoVersion(v), String(v)).toBe(true);
  });

  it('is false for any real version or junk', () => {
    for (const v of ['1.0.522.103', '0.0.0.1', '3.5.6907.0', 'x', '0.0.x']) expect(isNoVersion(v), v).toBe(false);
  });
});

describe('versionParts', () => {
  it('splits and trims', () => {
    expect(versionParts(' 1.0.452. 0 ')).toEqual(['1', '0', '452', '0']);
    expect(versionParts('')).toEqual([]);
  });
});
