// Any other 4xx or 5xx on a Device Update Service URL (a check-in handler or
// the DeviceUpdateFiles trees): a warning with the status, once the specific
// families (bad URL, download faults, OCInterim, legacy path) have had their say.
import type { DusExchange, DusModel } from '../../dus/model.js';
import type { Rule } from '../diagnose.js';
import type { Finding } from '../finding.js';
import { downloadStatusCode } from './downloads.js';
import { isInterimVdirMissing } from './interim.js';
import { isLegacyFailure } from './legacy-path.js';
import { isBadRequestUrl, isServiceUrl } from './request-url.js';
import { exchangeEvidence, finding, phoneOf, quote, targetOf } from './util.js';

/** Whether a more specific rule already reports this exchange's error status. */
function explainedElsewhere(m: DusModel, x: DusExchange): boolean {
  return isBadRequestUrl(x) || isInterimVdirMissing(x) || isLegacyFailure(x) || downloadStatusCode(m, x) !== undefined;
}

export const httpErrorsRule: Rule = {
  codes: ['http-error'],
  run(m) {
    const out: Finding[] = [];
    for (const x of m.exchanges) {
      const res = x.http.response;
      if (!res || res.status < 400 || res.status > 599 || !isServiceUrl(x) || explainedElsewhere(m, x)) continue;
      const what = x.cls.kind === 'check-in' ? 'check-in' : x.cls.kind === 'download' ? 'download' : 'request';
      const method = x.http.request?.method ?? '?';
      out.push(
        finding(
          'http-error',
          phoneOf(m, x),
          `The ${what} ${quote(method, 16)} ${quote(targetOf(x))} in frame ${x.http.request?.frame ?? '?'} was answered ${res.status} ${quote(res.reason, 60)} in frame ${res.frame}.`,
          exchangeEvidence(x, [], 'status line'),
        ),
      );
    }
    return out;
  },
};
