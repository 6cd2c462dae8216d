// Runs every rule over the model and returns the findings sorted and
// de-duplicated (Zeek's NOTICE, Wireshark's expert info: judgement in one place).
import type { DusModel } from '../dus/model.js';
import type { FindingCode } from './catalogue.js';
import { compareFindings, type Finding } from './finding.js';
import { forgetRuleIndexes } from './rules/util.js';

/** One family of findings: a pure function of the model. */
export interface Rule {
  readonly codes: readonly FindingCode[];
  run(m: DusModel): Finding[];
}

function key(f: Finding): string {
  return `${f.code}|${f.phone.mac ?? ''}|${f.phone.ip ?? ''}|${f.evidence.frames.join(',')}`;
}

export function diagnose(m: DusModel, rules: readonly Rule[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const rule of rules) {
    for (const f of rule.run(m)) {
      const k = key(f);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(f);
    }
  }
  forgetRuleIndexes(m);
  return out.sort(compareFindings);
}
