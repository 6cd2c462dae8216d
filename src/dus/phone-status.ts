// A phone's one-word status for lists and badges, from its exchanges and the
// findings about it: failing (an error), stuck (a warning), updated (it fetched
// an offered file and later reported the new version), updating (fetched, not
// yet back), up-to-date (told there is nothing to fetch), unknown.
import type { Finding } from '../diagnose/finding.js';
import { compareVersions } from './version.js';
import type { DusExchange, DusModel, Phone } from './model.js';

/**
 * What phoneStatus needs, gathered in one pass over the exchanges and the
 * findings: callers ask for every phone of a model in turn, and filtering all
 * exchanges and findings per phone made that quadratic.
 */
interface StatusIndex {
  exchangeCount: number;
  findingCount: number;
  /** Each phone's exchanges, in model order. */
  byPhone: Map<string, DusExchange[]>;
  /** The first exchange of each id. */
  byId: Map<string, DusExchange>;
  /** Severities of the findings naming a MAC, and naming an IP. */
  byMac: Map<string, Severities>;
  byIp: Map<string, Severities>;
}

interface Severities {
  error: boolean;
  warning: boolean;
}

/** Indexes by findings list, then by exchange list (weak: a live session's old models can go). */
const indexes = new WeakMap<readonly Finding[], WeakMap<readonly DusExchange[], StatusIndex>>();

function mark(map: Map<string, Severities>, key: string, f: Finding): void {
  let s = map.get(key);
  if (!s) map.set(key, (s = { error: false, warning: false }));
  if (f.severity === 'error') s.error = true;
  else if (f.severity === 'warning') s.warning = true;
}

function buildIndex(m: DusModel, findings: readonly Finding[]): StatusIndex {
  const byPhone = new Map<string, DusExchange[]>();
  const byId = new Map<string, DusExchange>();
  for (const x of m.exchanges) {
    const list = byPhone.get(x.phone);
    if (list) list.push(x);
    else byPhone.set(x.phone, [x]);
    if (!byId.has(x.id)) byId.set(x.id, x);
  }
  return { exchangeCount: m.exchanges.length, findingCount: findings.length, byPhone, byId, ...severitiesOf(findings) };
}

/** The severities of the findings naming each MAC, and each IP. */
function severitiesOf(findings: readonly Finding[]): Pick<StatusIndex, 'byMac' | 'byIp'> {
  const byMac = new Map<string, Severities>();
  const byIp = new Map<string, Severities>();
  for (const f of findings) {
    if (f.phone.mac !== undefined) mark(byMac, f.phone.mac, f);
    if (f.phone.ip !== undefined) mark(byIp, f.phone.ip, f);
  }
  return { byMac, byIp };
}

function indexFor(m: DusModel, findings: readonly Finding[]): StatusIndex {
  let perFindings = indexes.get(findings);
  if (!perFindings) indexes.set(findings, (perFindings = new WeakMap()));
  let idx = perFindings.get(m.exchanges);
  // A list that grew since is indexed again.
  if (!idx || idx.exchangeCount !== m.exchanges.length || idx.findingCount !== findings.length) {
    idx = buildIndex(m, findings);
    perFindings.set(m.exchanges, idx);
  }
  return idx;
}

/** Whether a finding about this phone (by its MAC or one of its IPs) has the severity. */
function flagged(p: Phone, idx: Pick<StatusIndex, 'byMac' | 'byIp'>, which: keyof Severities): boolean {
  if (p.mac !== undefined && idx.byMac.get(p.mac)?.[which]) return true;
  for (const ip of p.ips) if (idx.byIp.get(ip)?.[which]) return true;
  return false;
}

export function phoneStatus(p: Phone, m: DusModel, findings: readonly Finding[]): Phone['status'] {
  return statusWith(p, indexFor(m, findings));
}

/**
 * Set every phone's status, from an index made for the purpose and let go
 * after (phoneStatus keeps its index as long as the model and the findings
 * live: a report writing a big capture's model does not need it).
 */
export function setPhoneStatuses(m: DusModel, findings: readonly Finding[]): void {
  const idx = buildIndex(m, findings);
  for (const p of m.phones) p.status = statusWith(p, idx);
}

/**
 * Phones whose status was set from their exchanges alone (setPhoneStatuses
 * with no findings), marked failing or stuck by the findings about them:
 * the same statuses setPhoneStatuses gives with the findings, for a report
 * made a part at a time, whose findings are all known only at the end.
 */
export function flagStatuses(phones: readonly Phone[], findings: readonly Finding[]): void {
  const idx = severitiesOf(findings);
  for (const p of phones) p.status = flaggedStatus(p, idx) ?? p.status;
}

/** Failing (an error about the phone) or stuck (a warning), whatever its exchanges say; undefined otherwise. */
function flaggedStatus(p: Phone, idx: Pick<StatusIndex, 'byMac' | 'byIp'>): Phone['status'] | undefined {
  if (flagged(p, idx, 'error')) return 'failing';
  if (flagged(p, idx, 'warning')) return 'stuck';
  return undefined;
}

function statusWith(p: Phone, idx: StatusIndex): Phone['status'] {
  const flaggedAs = flaggedStatus(p, idx);
  if (flaggedAs) return flaggedAs;
  const xs = idx.byPhone.get(p.key) ?? [];
  const checkIns = xs.filter((x) => x.cls.kind === 'check-in');
  const fetched = xs.filter(
    (x) => x.cls.kind === 'download' && x.offeredBy && x.http.response?.status === 200 && x.http.response.complete,
  );
  if (fetched.length > 0) {
    const last = fetched[fetched.length - 1];
    const offered = last.offeredBy === undefined ? undefined : idx.byId.get(last.offeredBy);
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
