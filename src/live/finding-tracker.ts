// Which findings of a live session are new. Diagnosis runs again and again on
// a growing capture; each finding is told once, the first time it is seen.
// Findings that rest on something NOT happening (no download after an offer,
// no SYN-ACK, no DNS answer) are true mid-capture only because the capture has
// not got there yet, so they are held until the phone has had its chance: a
// settle time of capture clock after they first appear. When the capture ends,
// the final diagnosis decides: findings never told are told then, and any told
// that the final one no longer holds are withdrawn.
import type { FindingCode } from '../diagnose/catalogue.js';
import type { Finding } from '../diagnose/finding.js';
import { FETCH_WINDOW_NS } from '../diagnose/rules/downloads.js';

const S = 1_000_000_000n;

/**
 * Settle times of the findings that rest on absence. A phone fetches an offer
 * within FETCH_WINDOW_NS (the rule's own window); a SYN is retried for about
 * 21 s and WinInet gives up after 30-60 s; a DNS answer takes a few seconds.
 */
export const SETTLE_NS: Partial<Record<FindingCode, bigint>> = {
  'update-offered-not-downloaded': FETCH_WINDOW_NS,
  'check-in-failed': 75n * S,
  'ucupdates-unresolved': 10n * S,
};

/**
 * What makes two diagnoses' findings the same occurrence: code, phone and the
 * first evidence frame. Later evidence frames may grow as the capture goes on.
 */
export function findingKey(f: Finding): string {
  return `${f.code}|${f.phone.mac ?? ''}|${f.phone.ip ?? ''}|${f.evidence.frames[0] ?? ''}`;
}

export class FindingTracker {
  /** Findings told so far, by key. */
  private readonly told = new Map<string, Finding>();
  /** Absence findings waiting to settle: when (capture clock) they were first seen. */
  private readonly waiting = new Map<string, bigint>();

  constructor(private readonly settle: Partial<Record<FindingCode, bigint>> = SETTLE_NS) {}

  /** Number of findings told. */
  get count(): number {
    return this.told.size;
  }

  /** Number of absence findings waiting to settle. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** The findings of one diagnosis at capture time `nowNs`; returns those to tell now. */
  update(findings: readonly Finding[], nowNs: bigint): Finding[] {
    const out: Finding[] = [];
    const present = new Set<string>();
    for (const f of findings) {
      const k = findingKey(f);
      present.add(k);
      if (this.told.has(k)) continue;
      const wait = this.settle[f.code];
      if (wait !== undefined) {
        const since = this.waiting.get(k);
        if (since === undefined) {
          this.waiting.set(k, nowNs);
          if (wait > 0n) continue;
        } else if (nowNs - since < wait) continue;
      }
      this.waiting.delete(k);
      this.told.set(k, f);
      out.push(f);
    }
    // An absence that stopped being one (the download came) waits no more.
    for (const k of this.waiting.keys()) if (!present.has(k)) this.waiting.delete(k);
    return out;
  }

  /** The final diagnosis: what to tell now, and what was told but does not hold. */
  finish(final: readonly Finding[]): { told: Finding[]; withdrawn: Finding[] } {
    const keys = new Set(final.map(findingKey));
    const withdrawn = [...this.told].filter(([k]) => !keys.has(k)).map(([, f]) => f);
    const told: Finding[] = [];
    for (const f of final) {
      const k = findingKey(f);
      if (this.told.has(k)) continue;
      this.told.set(k, f);
      told.push(f);
    }
    for (const f of withdrawn) this.told.delete(findingKey(f));
    this.waiting.clear();
    return { told, withdrawn };
  }
}
