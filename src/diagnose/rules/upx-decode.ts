// A ucdevice.upx body that does not decode (shared/protocol/ucdevice-upx.md
// section 4, last rule): truncated or malformed XML, an HTML error page sent
// as text/xml, or an empty 200. The phone can do nothing with such an answer.
import type { DusExchange } from '../../dus/model.js';
import type { UpxResult } from '../../dus/model.js';
import type { HttpMessage } from '../../http/message.js';
import type { Rule } from '../diagnose.js';
import type { Finding } from '../finding.js';
import { finding, phoneOf, quote } from './util.js';

function check(x: DusExchange, side: 'request' | 'response', msg: HttpMessage | null, r: UpxResult<unknown> | undefined) {
  if (!msg) return undefined;
  const name = side === 'request' ? 'check-in request' : 'check-in response';
  if (r && !r.ok) {
    const e = r.error;
    const detail = e.detail ? `: ${quote(e.detail)}` : '';
    return { frame: msg.frame, offset: e.offset, text: `The ${name} body in frame ${msg.frame} does not decode (${e.code} at byte ${e.offset})${detail}.` };
  }
  // An answer of 200 with no body at all is not a Response document either.
  if (side === 'response' && !r && msg.type === 'response' && msg.status === 200 && msg.bodySize === 0 && msg.complete) {
    return { frame: msg.frame, offset: 0, text: `The ${name} in frame ${msg.frame} is a 200 with an empty body.` };
  }
  return undefined;
}

export const upxDecodeRule: Rule = {
  codes: ['upx-decode-error'],
  run(m) {
    const out: Finding[] = [];
    for (const x of m.exchanges) {
      if (x.cls.kind !== 'check-in') continue;
      const sides = [check(x, 'request', x.http.request, x.upxRequest), check(x, 'response', x.http.response, x.upxResponse)];
      for (const s of sides) {
        if (!s) continue;
        out.push(finding('upx-decode-error', phoneOf(m, x), s.text, { frames: [s.frame], exchanges: [x.id], field: `body byte ${s.offset}` }));
      }
    }
    return out;
  },
};
