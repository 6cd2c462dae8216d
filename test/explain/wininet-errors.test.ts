import { describe, expect, it } from 'vitest';
import { explain } from '../../src/explain/explain.js';
import { WININET_ERRORS, WININET_RANGES, wininetError } from '../../src/explain/wininet-errors.js';

describe('the WinInet error table', () => {
  it('has unique codes and unique names (aliases included)', () => {
    const codes = WININET_ERRORS.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    const names = WININET_ERRORS.flatMap((e) => [e.name, ...(e.aliases ?? [])]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has every code of the documented wininet.h ranges, and nothing outside them', () => {
    const inRanges: number[] = [];
    for (const [lo, hi] of WININET_RANGES) for (let c = lo; c <= hi; c++) inRanges.push(c);
    expect(WININET_ERRORS.map((e) => e.code)).toEqual(inRanges);
  });

  it('covers the groups the issue names: 12001-12057, 12110-12111, 12130-12138, 12150-12175', () => {
    for (const [lo, hi] of [[12001, 12034], [12036, 12057], [12110, 12111], [12130, 12138], [12150, 12175]]) {
      for (let c = lo; c <= hi; c++) expect(wininetError(c), String(c)).toBeDefined();
    }
  });

  it('names follow the header: ERROR_INTERNET_, ERROR_HTTP_, ERROR_FTP_ or ERROR_GOPHER_, and the known anchors are right', () => {
    for (const e of WININET_ERRORS) expect(e.name).toMatch(/^ERROR_(INTERNET|HTTP|FTP|GOPHER)_[A-Z0-9_]+$/);
    expect(wininetError(12002)?.name).toBe('ERROR_INTERNET_TIMEOUT');
    expect(wininetError(0x2efd)?.name).toBe('ERROR_INTERNET_CANNOT_CONNECT');
    expect(wininetError(0x2f7d)?.name).toBe('ERROR_INTERNET_SECURITY_CHANNEL_ERROR');
    expect(wininetError(12007)?.name).toBe('ERROR_INTERNET_NAME_NOT_RESOLVED');
    expect(wininetError(12175)?.name).toBe('ERROR_INTERNET_DECODING_FAILED');
    expect(wininetError(12163)?.aliases).toEqual(['ERROR_INTERNET_OFFLINE']);
  });

  it('every code has a one-line meaning of its own', () => {
    for (const e of WININET_ERRORS) {
      expect(e.meaning.length, e.name).toBeGreaterThan(8);
      expect(e.meaning).not.toContain('\n');
    }
  });

  it('the codes phones meet say what they mean for the update check and what to check', () => {
    for (const c of [12002, 12007, 12029, 12030, 12031, 12037, 12038, 12044, 12045, 12057, 12157, 12175]) {
      const e = wininetError(c)!;
      expect(e.forPhone, String(c)).toBeTruthy();
      expect(e.check, String(c)).toBeTruthy();
    }
  });

  it('explain answers every code in the table, in decimal and in hex, with its name', () => {
    for (const e of WININET_ERRORS) {
      for (const input of [String(e.code), `0x${e.code.toString(16)}`, `0x${e.code.toString(16).toUpperCase()}/200`]) {
        const r = explain(input);
        expect(r.ok, input).toBe(true);
        if (!r.ok) continue;
        expect(r.explanation.wininet?.known).toBe(true);
        expect(r.explanation.wininet?.entry?.name).toBe(e.name);
      }
    }
  });

  it('numbers between the groups are not in the table', () => {
    for (const c of [12000, 12035, 12063, 12100, 12176, 12183, 12186, 12193, 12900, 12908]) expect(wininetError(c), String(c)).toBeUndefined();
  });
});
