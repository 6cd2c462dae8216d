import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, type FindingCode } from '../../src/diagnose/catalogue.js';

const FINDING_CODES = Object.keys(CATALOGUE) as FindingCode[];

const FINDINGS_MD = fileURLToPath(new URL('../../../shared/protocol/findings.md', import.meta.url));

describe('finding catalogue', () => {
  it('has exactly the codes and severities of shared/protocol/findings.md', () => {
    expect(existsSync(FINDINGS_MD)).toBe(true);
    const rows = readFileSync(FINDINGS_MD, 'utf8')
      .split('\n')
      .map((l) => /^\| `([a-z0-9-]+)` \| (error|warning|info) \|/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]);
    expect(rows.length).toBeGreaterThan(20);
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(FINDING_CODES.map((c) => [c, CATALOGUE[c].severity])));
  });

  it('gives every code a summary, and a remedy where there is one to give', () => {
    for (const c of FINDING_CODES) {
      expect(CATALOGUE[c].summary.length, c).toBeGreaterThan(10);
      const remedy: string | undefined = CATALOGUE[c].remedy;
      // Only codes whose message says it all (upx-decode-error, response-diff, http-error) go without.
      if (remedy === undefined) expect(['upx-decode-error', 'response-diff', 'http-error'], c).toContain(c);
      else expect(remedy.length, c).toBeGreaterThan(10);
    }
  });
});
