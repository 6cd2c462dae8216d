// phoneStatus answers from an index built once per (model, findings), and
// setPhoneStatuses from one made for every phone at once; they must
// answer what the straightforward per-phone filtering answered, on every
// capture of the corpus, including with only some of the findings.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analysis.js';
import type { Finding } from '../../src/diagnose/finding.js';
import type { DusModel, Phone } from '../../src/dus/model.js';
import { phoneStatus, setPhoneStatuses } from '../../src/dus/phone-status.js';
import { compareVersions } from '../../src/dus/version.js';

/** The implementation before the index, kept as the reference. */
function reference(p: Phone, m: DusModel, findings: readonly Finding[]): Phone['status'] {
  const concerns = (f: Finding) => (f.phone.mac !== undefined && f.phone.mac === p.mac) || (f.phone.ip !== undefined && p.ips.includes(f.phone.ip));
  const mine = findings.filter(concerns);
  if (mine.some((f) => f.severity === 'error')) return 'failing';
  if (mine.some((f) => f.severity === 'warning')) return 'stuck';
  const xs = m.exchanges.filter((x) => x.phone === p.key);
  const checkIns = xs.filter((x) => x.cls.kind === 'check-in');
  const fetched = xs.filter((x) => x.cls.kind === 'download' && x.offeredBy && x.http.response?.status === 200 && x.http.response.complete);
  if (fetched.length > 0) {
    const last = fetched[fetched.length - 1];
    const offered = m.exchanges.find((x) => x.id === last.offeredBy);
    const version = offered?.upxResponse?.ok ? offered.upxResponse.value.files[0]?.version : undefined;
    const lastStart = last.http.request?.startNs ?? 0n;
    const later = checkIns.filter((x) => (x.http.request?.startNs ?? 0n) > lastStart);
    const reported = later.map((x) => (x.upxRequest?.ok ? x.upxRequest.value.files[0]?.version : undefined));
    if (version !== undefined && reported.some((v) => v !== undefined && compareVersions(v, version) >= 0)) return 'updated';
    return 'updating';
  }
  const res = checkIns[checkIns.length - 1]?.upxResponse;
  if (res?.ok && res.value.files.length === 0) return 'up-to-date';
  return 'unknown';
}

const dir = fileURLToPath(new URL('../../captures/', import.meta.url));
const captures = readdirSync(dir).filter((n) => n.startsWith('dus-') && n.endsWith('.pcap'));

describe('phoneStatus', () => {
  it('answers as per-phone filtering did, on every dus capture', async () => {
    const seen = new Set<string>();
    for (const name of captures) {
      const r = await analyzeCapture(dir + name, { stdin: process.stdin });
      for (const findings of [r.findings, r.findings.filter((_, i) => i % 2 === 1), []]) {
        for (const p of r.model.phones) {
          const s = phoneStatus(p, r.model, findings);
          expect(s, `${name} ${p.key}`).toBe(reference(p, r.model, findings));
          seen.add(s);
        }
        // Every phone at once, from an index made for the purpose (what analyze does).
        setPhoneStatuses(r.model, findings);
        for (const p of r.model.phones) expect(p.status, `${name} ${p.key} (all at once)`).toBe(reference(p, r.model, findings));
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
