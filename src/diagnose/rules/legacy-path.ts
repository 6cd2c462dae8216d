// Firmware 1.0.452.x checks in at /UCDeviceUpdates/ucdevice.upx, which OCS
// 2007 R2 serves only through an extra virtual directory redirecting to
// /RequestHandler (ucdevice-upx.md section 1.2; seed troubleshooting step 10).
// Without it IIS answers 404, or nothing answers at all.
import type { DusExchange } from '../../dus/model.js';
import type { Rule } from '../diagnose.js';
import type { Finding } from '../finding.js';
import { connectionOf, endFrameAfter, exchangeEvidence, finding, phoneOf, quote, targetOf } from './util.js';

/** Whether a check-in went to the legacy path and got 404 or no answer. */
export function isLegacyFailure(x: DusExchange): boolean {
  if (x.cls.kind !== 'check-in' || x.cls.handler !== 'legacy' || !x.http.request) return false;
  return x.http.response === null || x.http.response.status === 404;
}

export const legacyPathRule: Rule = {
  codes: ['legacy-upx-path'],
  run(m) {
    const out: Finding[] = [];
    for (const x of m.exchanges) {
      if (!isLegacyFailure(x)) continue;
      const q = x.http.request!;
      const res = x.http.response;
      const end = res ? undefined : endFrameAfter(connectionOf(m, x), q.frame);
      const answer = res ? `was answered 404 in frame ${res.frame}` : `got no answer${end ? ` before the ${end.how} in frame ${end.frame}` : ''}`;
      out.push(
        finding(
          'legacy-upx-path',
          phoneOf(m, x),
          `The check-in POST to ${quote(targetOf(x))} in frame ${q.frame} ${answer}: this firmware uses the legacy path.`,
          exchangeEvidence(x, [end?.frame], 'request line'),
        ),
      );
    }
    return out;
  },
};
