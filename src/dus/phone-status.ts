// A phone's one-word status for lists and badges, from its exchanges and the
// findings about it: failing (an error), stuck (a warning), updated (it fetched
// an offered file and later reported the new version), updating (fetched, not
// yet back), up-to-date (told there is nothing to fetch), unknown.
import type { Finding } from '../diagnose/finding.js';
import { compareVersions } from './version.js';
import type { DusModel, Phone } from './model.js';

function concerns(f: Finding, p: Phone): boolean {
  return (f.phone.mac !== undefined && f.phone.mac === p.mac) || (f.phone.ip !== undefined && p.ips.includes(f.phone.ip));
}

export function phoneStatus(p: Phone, m: DusModel, findings: readonly Finding[]): Phone['status'] {
  const mine = findings.filter((f) => concerns(f, p));
  if (mine.some((f) => f.severity === 'error')) return 'failing';
  if (mine.some((f) => f.severity === 'warning')) return 'stuck';
  const xs = m.exchanges.filter((x) => x.phone === p.key);
  const checkIns = xs.filter((x) => x.cls.kind === 'check-in');
  const fetched = xs.filter(
    (x) => x.cls.kind === 'download' && x.offeredBy && x.http.response?.status === 200 && x.http.response.complete,
  );
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
  const lastCheckIn = checkIns[checkIns.length - 1];
  const res = lastCheckIn?.upxResponse;
  if (res?.ok && res.value.files.length === 0) return 'up-to-date';
  return 'unknown';
}
