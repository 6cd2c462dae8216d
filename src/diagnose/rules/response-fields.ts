// A check-in response must always carry ServerVersion and ServiceVersion
// (shared/protocol/ucdevice-upx.md section 5.4); phones ignore an answer that
// lacks either, and so never update (seed comment 2).
import type { Rule } from '../diagnose.js';
import type { Finding } from '../finding.js';
import { decodedCheckIns, exchangeEvidence, finding, phoneOf } from './util.js';

function isMissing(v: string | undefined): boolean {
  return v === undefined || v.trim() === '';
}

export const responseFieldsRule: Rule = {
  codes: ['missing-server-version', 'missing-service-version'],
  run(m) {
    const out: Finding[] = [];
    for (const { x, res } of decodedCheckIns(m)) {
      const frame = x.http.response?.frame;
      const evidence = (field: string) => ({ ...exchangeEvidence(x), frames: frame ? [frame] : [], field });
      const what = (v: string | undefined) => (v === undefined ? 'has no' : 'has an empty');
      if (isMissing(res.serverVersion)) {
        out.push(
          finding('missing-server-version', phoneOf(m, x), `The check-in response in frame ${frame} ${what(res.serverVersion)} ServerVersion field, so the phone ignores it.`, evidence('ServerVersion')),
        );
      }
      if (isMissing(res.serviceVersion)) {
        out.push(
          finding('missing-service-version', phoneOf(m, x), `The check-in response in frame ${frame} ${what(res.serviceVersion)} ServiceVersion field, so the phone ignores it.`, evidence('ServiceVersion')),
        );
      }
    }
    return out;
  },
};
