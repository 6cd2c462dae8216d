// What each check-in should have been answered, from the server's inventory
// (`--inventory`, decided by src/dus/expected.ts as in ucdevice-upx.md
// section 5) or from a known-good body (`--expected`), diffed field by field
// with what the service sent. A difference another rule already names is not
// repeated: a missing Server/Service Version is response-fields', an offer of
// another locale is locale.ts's, an interim phone offered anything else is
// interim.ts's. What this rule alone can see needs the inventory: an update
// that should have been offered (no-update-offered), a locale the server has
// no files for when the answer is simply Downloads 0 (locale-mismatch), and
// every other difference (response-diff, each one listed).
import { describeDiff, diffResponses, type FieldDiff } from '../../dus/diff.js';
import { expectedAnswer, type Handler } from '../../dus/expected.js';
import type { DusExchange, DusModel } from '../../dus/model.js';
import type { UpxRequest, UpxResponse } from '../../dus/upx-types.js';
import { isNoVersion } from '../../dus/version.js';
import type { Rule } from '../diagnose.js';
import type { Evidence, Finding } from '../finding.js';
import { isInterimOffer, needsInterim } from './interim.js';
import { urlLocale } from './locale.js';
import { decodedCheckIns, exchangeEvidence, finding, phoneOf, quote, reportedVersion } from './util.js';

/** At most this many differences are spelled out in one message. */
const MAX_LISTED = 12;

/** Whether locale.ts reports this check-in: the response offers files of a locale other than the request's. */
function offersOtherLocale(req: UpxRequest | undefined, res: UpxResponse): boolean {
  const asked = req?.locale?.trim().toLowerCase();
  if (!asked) return false;
  return res.files.some((f) => {
    const loc = f.url === undefined ? undefined : urlLocale(f.url);
    return loc !== undefined && loc.trim().toLowerCase() !== asked;
  });
}

/** Whether interim.ts reports interim-not-offered for this check-in (the same test it makes). */
function interimRuleReports(req: UpxRequest, res: UpxResponse): boolean {
  const version = reportedVersion(req.files);
  if (!needsInterim(version)) return false;
  if (res.files.length === 0) return !isNoVersion(version);
  return !res.files.some(isInterimOffer);
}

/** Differences the response-fields rule already reports: a version field absent or empty. */
function versionFieldGone(d: FieldDiff): boolean {
  return (d.field === 'ServerVersion' || d.field === 'ServiceVersion') && (d.kind === 'missing' || (d.kind === 'different' && (d.actual ?? '').trim() === ''));
}

const isOfferDiff = (d: FieldDiff) => d.field === 'Downloads' || d.field.startsWith('Files[');

function handlerOf(x: DusExchange): Handler {
  return x.cls.handler ?? 'internal';
}

function responseEvidence(x: DusExchange, field: string): Evidence {
  const frame = x.http.response?.frame;
  return { ...exchangeEvidence(x), frames: frame ? [frame] : [], field };
}

function diffFinding(m: DusModel, x: DusExchange, diffs: FieldDiff[], against: string): Finding {
  const frame = x.http.response?.frame;
  const listed = diffs.slice(0, MAX_LISTED).map((d) => quote(describeDiff(d), 200));
  const more = diffs.length > MAX_LISTED ? `; and ${diffs.length - MAX_LISTED} more` : '';
  return finding(
    'response-diff',
    phoneOf(m, x),
    `The check-in response in frame ${frame} differs from ${against} in ${diffs.length} field(s): ${listed.join('; ')}${more}.`,
    { ...exchangeEvidence(x), field: diffs.map((d) => d.field).join(',') },
  );
}

function fromInventory(m: DusModel, x: DusExchange, req: UpxRequest, res: UpxResponse, out: Finding[]): void {
  const inv = m.inventory!;
  const answer = expectedAnswer(req, inv, { handler: handlerOf(x) });
  const d = answer.decision;
  const frame = x.http.response?.frame;
  const ph = phoneOf(m, x);
  const version = reportedVersion(req.files);
  const shown = isNoVersion(version) ? 'no version' : quote(version!, 40);
  // Differences the findings below (or other rules) explain are not repeated as response-diff.
  let explainOffer = false;
  if (offersOtherLocale(req, res)) explainOffer = true; // locale.ts
  if (d.reason === 'interim') {
    if (res.files.some(isInterimOffer)) {
      // Right build; what remains (area, locale segment) is compared below.
    } else if (res.files.length === 0 && d.noneAlsoRight) {
      explainOffer = true; // in-band provisioning
    } else {
      explainOffer = true;
      if (!interimRuleReports(req, res))
        out.push(
          finding('interim-not-offered', ph, `The phone reports ${shown}; the inventory says it should be offered the interim build, but the response in frame ${frame} does not offer it.`, responseEvidence(x, 'Files')),
        );
    }
  } else if ((d.reason === 'approved-update' || d.reason === 'test-device-update') && res.files.length === 0) {
    explainOffer = true;
    const u = d.update!;
    const device = quote(`${u.vendor} ${u.model} ${u.revision} ${u.locale}`, 80);
    const why =
      d.reason === 'test-device-update'
        ? `${u.state} ${quote(u.version, 40)} for ${device}, and the phone is a test device`
        : `approved ${quote(u.version, 40)} for ${device}`;
    out.push(
      finding(
        'no-update-offered',
        ph,
        `The response in frame ${frame} offers nothing (Downloads ${quote(res.downloadsRaw ?? 'absent', 20)}) to a phone on ${shown}, though the inventory holds ${why}.`,
        responseEvidence(x, 'Downloads'),
      ),
    );
  } else if (d.reason === 'locale-missing' && !offersOtherLocale(req, res)) {
    if (res.files.length === 0) explainOffer = true;
    out.push(
      finding(
        'locale-mismatch',
        ph,
        `The phone asks for locale ${quote(req.locale ?? '', 20)}, for which the inventory holds no update; newer builds exist for ${d.otherLocales!.map((l) => quote(l, 20)).join(', ')} only (response in frame ${frame}).`,
        responseEvidence(x, 'Locale'),
      ),
    );
  }
  if (m.expected) return; // --expected decides response-diff
  const diffs = diffResponses(answer.response, res, {
    valueUnknown: answer.valueUnknown.filter((f) => f !== 'host'),
    ignoreHost: answer.valueUnknown.includes('host'),
    ignoreTimeStamps: true,
    unknown: { actual: res.unknown },
  }).filter((f) => !versionFieldGone(f) && !(explainOffer && isOfferDiff(f)));
  if (diffs.length > 0) out.push(diffFinding(m, x, diffs, 'what the inventory says it should be'));
}

function fromExpectedBody(m: DusModel, x: DusExchange, req: UpxRequest | undefined, res: UpxResponse, out: Finding[]): void {
  const exp = m.expected!;
  const localeReported = offersOtherLocale(req, res);
  const diffs = diffResponses(exp, res, { unknown: { expected: exp.unknown, actual: res.unknown } }).filter(
    (f) => !versionFieldGone(f) && !(localeReported && /^Files\[\d+\]\.Url\.locale$/.test(f.field)),
  );
  if (diffs.length > 0) out.push(diffFinding(m, x, diffs, 'the expected response'));
}

export const expectedRule: Rule = {
  codes: ['no-update-offered', 'response-diff', 'locale-mismatch', 'interim-not-offered'],
  run(m) {
    if (!m.inventory && !m.expected) return [];
    const out: Finding[] = [];
    for (const { x, req, res } of decodedCheckIns(m)) {
      if (m.inventory && req) fromInventory(m, x, req, res, out);
      if (m.expected) fromExpectedBody(m, x, req, res, out);
    }
    return out;
  },
};
