// Every Device Update Service capture raises exactly the findings its
// expect.json lists (made from tshark's view by captures/make/dus/expect.py),
// with evidence frames that include tshark's, and nothing else. The demo and
// healthy captures raise no error or warning.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeCapture, type AnalysisResult } from '../../src/analysis.js';
import { catalogueEntry, type FindingCode, type Severity } from '../../src/diagnose/catalogue.js';

const CAPTURES = fileURLToPath(new URL('../../captures/', import.meta.url));

interface Expected {
  shows: string;
  findings: Array<{ code: FindingCode; severity: Severity; frames: number[] }>;
}

const names = readdirSync(CAPTURES)
  .filter((n) => /^dus-.*\.pcap$/.test(n))
  .map((n) => n.replace(/\.pcap$/, ''))
  .sort();

const runs = new Map<string, Promise<AnalysisResult>>();

/** Each capture is analysed once and shared by the tests that read it. */
function analyze(name: string): Promise<AnalysisResult> {
  let r = runs.get(name);
  if (!r) {
    r = analyzeCapture(join(CAPTURES, `${name}.pcap`), { stdin: process.stdin });
    runs.set(name, r);
  }
  return r;
}

function expected(name: string): Expected {
  return JSON.parse(readFileSync(join(CAPTURES, `${name}.expect.json`), 'utf8')) as Expected;
}

describe('analyze findings on the Device Update Service captures', () => {
  it('has a capture for every finding code the HTTP traffic can show', () => {
    const covered = new Set(names.flatMap((n) => expected(n).findings.map((f) => f.code)));
    for (const code of [
      'missing-server-version', 'missing-service-version', 'locale-mismatch', 'bad-request-url', 'upx-decode-error',
      'interim-required', 'interim-not-offered', 'interim-vdir-missing', 'download-forbidden-acl', 'ssl-required-on-files',
      'firmware-not-found', 'legacy-upx-path', 'update-offered-not-downloaded', 'download-truncated', 'unsupported-device',
      'check-in-failed', 'http-error', 'tls-undecryptable',
    ] as const) {
      expect(covered, code).toContain(code);
    }
  });

  for (const name of names) {
    describe(name, () => {
      const exp = expected(name);

      it(`raises what it shows: ${exp.shows}`, async () => {
        const { findings } = await analyze(name);
        for (const e of exp.findings) {
          const hits = findings.filter((f) => f.code === e.code);
          expect(hits.length, `${e.code} raised`).toBeGreaterThan(0);
          const match = hits.find((f) => e.frames.every((fr) => f.evidence.frames.includes(fr)));
          expect(match, `${e.code} with evidence frames ${e.frames.join(',')}; got ${hits.map((f) => f.evidence.frames.join(',')).join(' / ')}`).toBeDefined();
          expect(match!.severity).toBe(e.severity);
        }
      });

      it('raises nothing else', async () => {
        const { findings } = await analyze(name);
        const allowed = new Set(exp.findings.map((e) => e.code));
        expect(findings.filter((f) => !allowed.has(f.code)).map((f) => `${f.code}: ${f.message}`)).toEqual([]);
        // One finding per listed occurrence: a rule must not report the same packets twice.
        expect(findings).toHaveLength(exp.findings.length);
      });

      it('gives every finding a plain message, the catalogue remedy, the phone and the frames', async () => {
        const { findings } = await analyze(name);
        for (const f of findings) {
          expect(f.message.trim()).not.toBe('');
          expect(f.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
          expect(f.severity).toBe(catalogueEntry(f.code).severity);
          expect(f.remedy).toBe(catalogueEntry(f.code).remedy ?? '');
          if (catalogueEntry(f.code).remedy) expect(f.remedy).not.toBe('');
          expect(f.phone.ip ?? f.phone.mac).toBeDefined();
          expect(f.evidence.frames.length).toBeGreaterThan(0);
          expect(f.evidence.frames.every((n) => Number.isInteger(n) && n >= 1)).toBe(true);
        }
      });
    });
  }

  it('raises no error or warning on the demo and the healthy capture', async () => {
    for (const name of ['dus-demo', 'dus-healthy']) {
      const { findings } = await analyze(name);
      expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
    }
  });

  it('puts a caveat on a check-in failure seen in a capture that is not whole', async () => {
    // The unanswered SYNs make a one-sided flow: the SYN-ACK may be what the capture missed.
    const { model, findings } = await analyze('dus-check-in-failed-timeout');
    expect(model.health.whole).toBe(false);
    expect(findings[0].caveat).toMatch(/not whole/);
    const refused = await analyze('dus-check-in-failed');
    expect(refused.model.health.whole).toBe(true);
    expect(refused.findings[0].caveat).toBeUndefined();
  });

  it('names the phone by the MAC of its check-in, or of its Ethernet frames when it never got to send one', async () => {
    expect((await analyze('dus-legacy-upx-path')).findings[0].phone).toEqual({ mac: '0004F2A1B2C3', ip: '10.99.2.123' });
    expect((await analyze('dus-check-in-failed')).findings[0].phone).toEqual({ mac: '0021630F207B', ip: '10.99.2.123' });
  });
});
