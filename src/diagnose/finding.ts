// A finding: a known fault (or a fact worth knowing) with the packets or log
// lines that show it. Codes are the public contract of
// shared/protocol/findings.md; judgement lives only in src/diagnose/.
import type { FindingCode, Severity } from './catalogue.js';

export type { Severity };

/** The phone a finding concerns, as far as it is known. */
export interface PhoneRef {
  /** 12 upper-case hex digits, no separators. */
  mac?: string;
  ip?: string;
}

/** Where to look: frames (1-based, as Wireshark numbers them), exchanges, log lines. */
export interface Evidence {
  frames: number[];
  /** Exchange ids of the flows document. */
  exchanges?: string[];
  /** The offending field (`ServerVersion`) or header or request line. */
  field?: string;
  /** Log lines, for findings from server logs. */
  lines?: Array<{ file: string; line: number }>;
}

export interface Finding {
  code: FindingCode;
  severity: Severity;
  phone: PhoneRef;
  /** One sentence about this occurrence. */
  message: string;
  /** What to do, from the catalogue (absent where the message says it all). */
  remedy?: string;
  evidence: Evidence;
  /**
   * Set on findings that rest on something not being in the capture
   * (update-offered-not-downloaded, check-in-failed) when the capture has holes
   * or one-sided flows: the absence may be the capture's.
   */
  caveat?: string;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Order for reports: severity, then first evidence frame, then code. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    (a.evidence.frames[0] ?? Infinity) - (b.evidence.frames[0] ?? Infinity) ||
    a.code.localeCompare(b.code)
  );
}

/** Whether a finding of severity `s` is at or above `threshold` (for --fail-on). */
export function atOrAbove(s: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[s] <= SEVERITY_RANK[threshold];
}
