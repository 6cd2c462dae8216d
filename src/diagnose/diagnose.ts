// Runs every rule over the model and returns the findings sorted and
// de-duplicated (Zeek's NOTICE, Wireshark's expert info: judgement in one place).
import type { DusModel } from '../dus/model.js';
import type { FindingCode } from './catalogue.js';
import { compareFindings, type Finding } from './finding.js';
import { forgetRuleIndexes } from './rules/util.js';

/** One family of findings: a pure function of the model. */
export interface Rule {
  readonly codes: readonly FindingCode[];
  /**
   * `capture`: the rule reads what the capture says as a whole (TLS, DNS,
   * DHCP) and the phones, never the exchanges or connections, so a report made
   * a part at a time runs it once (analysis-parts.ts).
   */
  readonly scope?: 'capture';
  run(m: DusModel): Finding[];
}

function key(f: Finding): string {
  return `${f.code}|${f.phone.mac ?? ''}|${f.phone.ip ?? ''}|${f.evidence.frames.join(',')}`;
}

export function diagnose(m: DusModel, rules: readonly Rule[]): Finding[] {
  const found: Finding[] = [];
  for (const rule of rules) for (const f of rule.run(m)) found.push(f);
  forgetRuleIndexes(m);
  return settleFindings(found);
}

/**
 * Findings as gathered (rule by rule) made the report's list: the first of
 * each code, phone and frames kept, then sorted (compareFindings; a stable
 * sort, so findings that compare equal stay in the order gathered).
 */
export function settleFindings(found: Iterable<Finding>): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const f of found) {
    const k = key(f);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(f);
  }
  return out.sort(compareFindings);
}
