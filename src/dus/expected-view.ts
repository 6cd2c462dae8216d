// Expected against actual for one check-in, as plain data every reporter
// (text, JSON, report.md, the terminal UI) shows in its own way: the response
// the service should have sent, from a known-good body (`--expected`) or from
// the inventory's decision (shared/protocol/ucdevice-upx.md section 5), the
// decoded response it did send, and each field that differs. Judging the
// differences is diagnose/rules/expected.ts's job; this only lays them side by
// side, so a reader sees the evidence behind a finding and also the
// differences no finding names.
import { diffResponses, type DiffOptions, type FieldDiff } from './diff.js';
import { expectedAnswer, responseFor, type DecisionReason } from './expected.js';
import type { DusExchange, DusModel } from './model.js';
import { encodeUpxResponse, type UpxResponseInit } from './upx-encode.js';
import type { UpxResponse } from './upx-types.js';

/** Where the expected response came from. */
export type ExpectedSource = 'inventory' | 'expected-file';

export interface ExpectedView {
  source: ExpectedSource;
  /** The response the service should have sent. */
  expected: UpxResponseInit;
  /** The canonical XML of `expected` (what `upxray serve` would write). */
  expectedXml: string;
  /** The decoded response the service did send. */
  actual: UpxResponse;
  /** Every field that differs, expected side first (diff.ts's order: header fields, files, unknown fields). */
  differences: FieldDiff[];
  /** The diff's options: what is compared by presence only. */
  opts: DiffOptions;
  /** For an inventory: why the service offers what it offers. */
  reason?: DecisionReason;
  /**
   * For an inventory: what it does not pin down, so the expected side holds a
   * placeholder there that was not compared (`ServerVersion`, `ServiceVersion`,
   * `host`).
   */
  unpinned: string[];
}

/** Short name of a source, for headings: `the inventory`, `the --expected body`. */
export function sourceLabel(s: ExpectedSource): string {
  return s === 'inventory' ? 'the inventory' : 'the --expected body';
}

/**
 * Expected against actual for a check-in whose response decoded, when the
 * model has something to expect (`--expected` wins over `--inventory`, as in
 * the rule, where the body decides response-diff). Undefined otherwise.
 */
export function expectedView(m: DusModel, x: DusExchange): ExpectedView | undefined {
  if (x.cls.kind !== 'check-in' || !x.upxResponse?.ok) return undefined;
  const actual = x.upxResponse.value;
  if (m.expected) {
    const opts: DiffOptions = { unknown: { expected: m.expected.unknown, actual: actual.unknown } };
    return {
      source: 'expected-file',
      expected: m.expected,
      expectedXml: encodeUpxResponse(m.expected),
      actual,
      differences: diffResponses(m.expected, actual, opts),
      opts,
      unpinned: [],
    };
  }
  if (!m.inventory || !x.upxRequest?.ok) return undefined;
  const inv = m.inventory;
  const a = expectedAnswer(x.upxRequest.value, inv, { handler: x.cls.handler ?? 'internal' });
  // A first check-in with no version may be answered with the interim build or
  // with nothing (section 5.1): when it got nothing, nothing is what to compare with.
  const expected = a.decision.noneAlsoRight && actual.files.length === 0 ? responseFor(inv, { offers: [] }) : a.response;
  const opts: DiffOptions = {
    valueUnknown: a.valueUnknown.filter((f) => f !== 'host'),
    ignoreHost: a.valueUnknown.includes('host'),
    // A manifest seldom knows the time stamps the service announces.
    ignoreTimeStamps: true,
    unknown: { actual: actual.unknown },
  };
  return {
    source: 'inventory',
    expected,
    expectedXml: encodeUpxResponse(expected),
    actual,
    differences: diffResponses(expected, actual, opts),
    opts,
    reason: a.decision.reason,
    unpinned: [...a.valueUnknown],
  };
}

/** Text of an absent value in a table: `(absent)`; an empty one: `(empty)`. */
export function shownValue(v: string | undefined): string {
  return v === undefined ? '(absent)' : v === '' ? '(empty)' : v;
}
