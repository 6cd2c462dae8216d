// Phones below 1.0.522.98 must first take the interim build 1.0.522.103 from
// DeviceUpdateFiles_*/OCInterim/<Locale>/ (shared/protocol/ucdevice-upx.md
// sections 1.5 and 5.1): two update cycles, which is information. Anything
// else offered to such a phone is an error. A first check-in with no version
// that gets nothing is in-band provisioning, not a fault. A 404 under
// /OCInterim/ (the virtual directory is missing) belongs to this family too.
import { classify, targetPath } from '../../dus/exchange-kind.js';
import type { DusExchange } from '../../dus/model.js';
import type { UpxFile } from '../../dus/upx-types.js';
import { compareVersions, isNoVersion } from '../../dus/version.js';
import { Memo } from '../../util/two-key-memo.js';
import type { Rule } from '../diagnose.js';
import type { Finding } from '../finding.js';
import { decodedCheckIns, exchangeEvidence, finding, phoneOf, quote, reportedVersion, targetOf } from './util.js';

/** Phones below this version need the interim build first. */
export const INTERIM_THRESHOLD = '1.0.522.98';
/** The interim build. */
export const INTERIM_VERSION = '1.0.522.103';

/** Answers of needsInterim, by version: a capture's phones report a handful of versions thousands of times (bounded: versions come from the wire). */
const interimNeeded = new Memo<string, boolean>(1024);

/** Whether a reported CPE version needs the interim build (no version counts as below). */
export function needsInterim(version: string | undefined): boolean {
  if (version === undefined) return true;
  return interimNeeded.of(version, (v) => isNoVersion(v) || compareVersions(v, INTERIM_THRESHOLD) < 0);
}

/** Whether an offered file is the interim build: under OCInterim, version 1.0.522.103 (or none given). */
export function isInterimOffer(f: UpxFile): boolean {
  if (f.url === undefined) return false;
  const c = classify('GET', f.url);
  if (c.kind !== 'download' || !c.interim) return false;
  return f.version === undefined || f.version.trim() === '' || compareVersions(f.version, INTERIM_VERSION) === 0;
}

/** Whether a download is a 404 under /OCInterim/ (this family reports it). */
export function isInterimVdirMissing(x: DusExchange): boolean {
  if (x.http.response?.status !== 404) return false;
  if (x.cls.kind === 'download') return x.cls.interim === true;
  return /^\/deviceupdatefiles_(int|ext)\/ocinterim\//i.test(targetPath(targetOf(x)));
}

function describe(files: UpxFile[]): string {
  return files.map((f) => quote(f.version ?? f.url ?? f.fileName ?? '?', 120)).join(', ');
}

export const interimRule: Rule = {
  codes: ['interim-required', 'interim-not-offered', 'interim-vdir-missing'],
  run(m) {
    const out: Finding[] = [];
    for (const { x, req, res } of decodedCheckIns(m)) {
      if (!req) continue;
      const version = reportedVersion(req.files);
      if (!needsInterim(version)) continue;
      const shown = isNoVersion(version) ? 'no version' : quote(version!, 40);
      const frame = x.http.response?.frame;
      const evidence = { ...exchangeEvidence(x), frames: frame ? [frame] : [], field: 'Files' };
      const offered = res.files;
      if (offered.length === 0) {
        // A phone with no version that gets nothing is being provisioned in-band.
        if (isNoVersion(version)) continue;
        out.push(
          finding('interim-not-offered', phoneOf(m, x), `The phone reports ${shown} (below ${INTERIM_THRESHOLD}) but the response in frame ${frame} offers nothing instead of the interim build ${INTERIM_VERSION}.`, evidence),
        );
      } else if (offered.some(isInterimOffer)) {
        out.push(
          finding('interim-required', phoneOf(m, x), `The phone reports ${shown} (below ${INTERIM_THRESHOLD}) and the response in frame ${frame} offers the interim build ${INTERIM_VERSION}: a second update cycle will follow.`, evidence),
        );
      } else {
        out.push(
          finding('interim-not-offered', phoneOf(m, x), `The phone reports ${shown} (below ${INTERIM_THRESHOLD}) but the response in frame ${frame} offers ${describe(offered)} instead of the interim build ${INTERIM_VERSION}.`, evidence),
        );
      }
    }
    for (const x of m.exchanges) {
      if (!isInterimVdirMissing(x)) continue;
      out.push(
        finding('interim-vdir-missing', phoneOf(m, x), `The download of ${quote(targetOf(x))} in frame ${x.http.request?.frame} was answered 404 in frame ${x.http.response?.frame}: the OCInterim virtual directory is missing.`, exchangeEvidence(x)),
      );
    }
    return out;
  },
};
