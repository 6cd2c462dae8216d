// Settling ambiguous audit-log dates on evidence (shared/protocol/ucdevice-upx.md
// section 6: "a parser must not guess silently"). Evidence, strongest first:
//  1. the IIS log: a check-in POST from the same address at one reading's time
//     (allowing a whole number of quarter hours between the server's local clock
//     and IIS's UTC);
//  2. the other date of the same line (Logging vs Request DateTime: the same
//     moment on two clocks, so within a day and a half of each other);
//  3. unambiguous dates of the same column and format on nearby lines, when those
//     before and after agree on one order.
// A date no evidence settles stays ambiguous, with both readings listed.
import type { AuditLog, AuditRecord, PendingDates } from './audit-log.js';
import type { IisEntry, IisLog } from './iis-log.js';
import { settled, valueSeconds, type DateOrder, type DateReading, type LogDate, type ParsedDate } from './log-dates.js';

/** Largest offset between the audit log's clock and IIS's UTC considered. */
const MAX_ZONE_SECONDS = 14 * 3600;
/** Time zones are whole quarter hours from UTC. */
const ZONE_STEP = 900;
/** Slack between the audit and IIS timestamps of one request. */
const MATCH_SLACK = 2;
/** Logging and Request DateTime of one line are the same moment on two clocks. */
const SAME_MOMENT = 36 * 3600;
/** How far to look for neighbouring lines. */
const NEIGHBOUR_LINES = 500;

/** What the resolver learned about an audit file's clock. */
export interface ClockOffset {
  /** IIS time minus audit Logging DateTime, in seconds (0 when the server runs on UTC). */
  seconds: number;
  /** Check-ins that matched at this offset. */
  matches: number;
}

interface IisPost {
  seconds: number;
  ip?: string;
  file: string;
  line: number;
}

function isCheckIn(e: IisEntry): boolean {
  return e.method?.toUpperCase() === 'POST' && /ucdevice\.upx$/i.test(e.uriStem ?? '');
}

function collectPosts(iis: readonly IisLog[]): IisPost[] {
  const posts: IisPost[] = [];
  for (const log of iis) {
    for (const e of log.entries) {
      const s = valueSeconds(e.at.value);
      if (s !== undefined && isCheckIn(e)) posts.push({ seconds: s, ip: e.clientIp, file: log.file, line: e.line });
    }
  }
  return posts.sort((a, b) => a.seconds - b.seconds);
}

// First index with seconds >= t.
function lowerBound(posts: IisPost[], t: number): number {
  let lo = 0;
  let hi = posts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (posts[mid].seconds < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sameHost(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** IIS posts near `t + offset` (within slack) from the same host. */
function postsAt(posts: IisPost[], t: number, ip: string | undefined): IisPost[] {
  const out: IisPost[] = [];
  for (let i = lowerBound(posts, t - MATCH_SLACK); i < posts.length && posts[i].seconds <= t + MATCH_SLACK; i++) {
    if (sameHost(posts[i].ip, ip)) out.push(posts[i]);
  }
  return out;
}

/** Vote for the zone offset between audit logging times and IIS times (check-ins from the same address only). */
function findOffset(log: AuditLog, posts: IisPost[]): ClockOffset | undefined {
  // Per address, so a busy IIS log costs each audit line only its own phone's check-ins.
  const byIp = new Map<string, IisPost[]>();
  for (const p of posts) {
    if (p.ip === undefined) continue;
    const list = byIp.get(p.ip) ?? [];
    list.push(p); // posts are sorted, so each list is too
    byIp.set(p.ip, list);
  }
  const votes = new Map<number, number>();
  log.pending.forEach((p, i) => {
    const ip = log.records[i].hostAddress;
    const mine = ip === undefined ? undefined : byIp.get(ip);
    if (!mine) return;
    for (const r of p.logged.readings) {
      for (let j = lowerBound(mine, r.seconds - MAX_ZONE_SECONDS - MATCH_SLACK); j < mine.length; j++) {
        const d = mine[j].seconds - r.seconds;
        if (d > MAX_ZONE_SECONDS + MATCH_SLACK) break;
        const k = Math.round(d / ZONE_STEP) * ZONE_STEP;
        if (Math.abs(d - k) <= MATCH_SLACK) votes.set(k, (votes.get(k) ?? 0) + 1);
      }
    }
  });
  if (votes.size === 0) {
    // No address on either side (the guide's second excerpt has none): only an
    // exact match with the clocks taken to agree counts, and it is still
    // evidence, since a wrong reading is weeks away from any check-in in the log.
    let matches = 0;
    log.pending.forEach((p, i) => {
      const ip = log.records[i].hostAddress;
      if (p.logged.readings.some((r) => postsAt(posts, r.seconds, ip).length > 0)) matches++;
    });
    return matches > 0 ? { seconds: 0, matches } : undefined;
  }
  let best: ClockOffset | undefined;
  for (const [seconds, matches] of votes) {
    if (!best || matches > best.matches || (matches === best.matches && Math.abs(seconds) < Math.abs(best.seconds))) best = { seconds, matches };
  }
  return best;
}

function pick(p: ParsedDate, order: DateOrder): DateReading | undefined {
  return p.readings.find((r) => r.order === order);
}

type Slot = 'logged' | 'requestedAt';

/** Which order each intrinsically unambiguous date of a column+shape used, by record index. */
function neighbourIndex(pending: PendingDates[], take: (p: PendingDates) => ParsedDate[]): Map<string, Array<{ index: number; order: DateOrder }>> {
  const map = new Map<string, Array<{ index: number; order: DateOrder }>>();
  pending.forEach((p, index) => {
    for (const d of take(p)) {
      if (d.readings.length !== 1 || d.readings[0].order === 'ymd') continue;
      const [x, y] = d.text.trim().split(/[-/.\s]/);
      if (Number(x) === Number(y)) continue; // same either way: says nothing about the order
      const list = map.get(d.shape) ?? [];
      list.push({ index, order: d.readings[0].order });
      map.set(d.shape, list);
    }
  });
  return map;
}

function neighbourOrder(list: Array<{ index: number; order: DateOrder }> | undefined, index: number): { order: DateOrder; near: number[] } | undefined {
  if (!list || list.length === 0) return undefined;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].index < index) lo = mid + 1;
    else hi = mid;
  }
  const before = lo > 0 ? list[lo - 1] : undefined;
  const after = lo < list.length ? list[lo] : undefined;
  const near = [before, after].filter((n): n is { index: number; order: DateOrder } => n !== undefined && Math.abs(n.index - index) <= NEIGHBOUR_LINES);
  if (near.length === 0) return undefined;
  if (near.some((n) => n.order !== near[0].order)) return undefined;
  return { order: near[0].order, near: near.map((n) => n.index) };
}

function orderWord(o: DateOrder): string {
  return o === 'mdy' ? 'month first' : o === 'dmy' ? 'day first' : 'year first';
}

/**
 * Resolve the ambiguous dates of an audit log in place, with IIS logs as
 * outside evidence. Returns the clock offset learned from IIS, if any.
 */
export function resolveAuditDates(log: AuditLog, iis: readonly IisLog[]): ClockOffset | undefined {
  const posts = collectPosts(iis);
  const offset = posts.length > 0 ? findOffset(log, posts) : undefined;
  const recs = log.records;
  const set = (rec: AuditRecord, slot: Slot, d: LogDate): void => {
    rec[slot === 'logged' ? 'loggedAt' : 'requestedAt'] = d;
  };
  const date = (rec: AuditRecord, slot: Slot): LogDate => (slot === 'logged' ? rec.loggedAt : rec.requestedAt);

  // 1. The IIS log, for the server-clock column.
  if (offset) {
    log.pending.forEach((p, i) => {
      const rec = recs[i];
      if (rec.loggedAt.resolution !== 'ambiguous') return;
      const hits = p.logged.readings
        .map((r) => ({ r, posts: postsAt(posts, r.seconds + offset.seconds, rec.hostAddress) }))
        .filter((h) => h.posts.length > 0);
      if (hits.length !== 1) return;
      const post = hits[0].posts[0];
      const how = rec.hostAddress === undefined ? 'a check-in at that time' : `a check-in from ${rec.hostAddress} at that time`;
      set(rec, 'logged', settled(p.logged, hits[0].r, 'iis-log', `${orderWord(hits[0].r.order)}: ${how} in IIS log ${post.file} line ${post.line}`));
    });
  }

  const neighbours: Record<Slot, ReturnType<typeof neighbourIndex>> = {
    logged: neighbourIndex(log.pending, (p) => [p.logged]),
    requestedAt: neighbourIndex(log.pending, (p) => [p.requestedAt]),
  };
  const fileNeighbours = neighbourIndex(log.pending, (p) => p.files);

  // 2 and 3, repeated while they settle something (each pass can feed the next).
  for (let pass = 0; pass < 4; pass++) {
    let changed = false;
    log.pending.forEach((p, i) => {
      const rec = recs[i];
      for (const slot of ['logged', 'requestedAt'] as Slot[]) {
        if (date(rec, slot).resolution !== 'ambiguous') continue;
        const parsed = slot === 'logged' ? p.logged : p.requestedAt;
        const other = date(rec, slot === 'logged' ? 'requestedAt' : 'logged');
        const otherSeconds = valueSeconds(other.value);
        if (otherSeconds !== undefined) {
          const close = parsed.readings.filter((r) => Math.abs(r.seconds - otherSeconds) <= SAME_MOMENT);
          if (close.length === 1) {
            const name = slot === 'logged' ? 'Request DateTime' : 'Logging DateTime';
            set(rec, slot, settled(parsed, close[0], 'other-column', `${orderWord(close[0].order)}: agrees with the ${name} of the same line (${other.value})`));
            changed = true;
            continue;
          }
        }
        const n = neighbourOrder(neighbours[slot].get(parsed.shape), i);
        const r = n && pick(parsed, n.order);
        if (n && r) {
          const lines = n.near.map((j) => recs[j].line).join(' and ');
          set(rec, slot, settled(parsed, r, 'neighbours', `${orderWord(n.order)}, as the unambiguous dates of this column on line ${lines}`));
          changed = true;
        }
      }
    });
    if (!changed) break;
  }

  // File timestamps: only their own column family can speak for them.
  log.pending.forEach((p, i) => {
    const files = [...recs[i].requested, ...recs[i].response].filter((f) => f.timestamp !== undefined);
    files.forEach((f, k) => {
      const parsed = p.files[k];
      if (!parsed || f.timestamp?.resolution !== 'ambiguous') return;
      const n = neighbourOrder(fileNeighbours.get(parsed.shape), i);
      const r = n && pick(parsed, n.order);
      if (n && r) {
        const lines = n.near.map((j) => recs[j].line).join(' and ');
        f.timestamp = settled(parsed, r, 'neighbours', `${orderWord(n.order)}, as the unambiguous file timestamps on line ${lines}`);
      }
    });
  });
  return offset;
}
