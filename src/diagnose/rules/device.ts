// The Microsoft DV1 is not supported by the OCS 2007 R2 Device Update Service:
// not even the interim build installs on it (seed troubleshooting step 6). It
// shows as Model DV1 (vendor Microsoft) in the check-in request.
import type { Rule } from '../diagnose.js';
import type { Finding } from '../finding.js';
import { finding, phoneOf, quote } from './util.js';

/** Whether a Model value names a DV1 (`DV1`, `dv-1`, `Microsoft DV1`): case, spaces, '-' and '_' ignored. */
export function isDv1(model: string | undefined): boolean {
  if (model === undefined) return false;
  const squeezed = model.replace(/[\s_-]/g, '').toLowerCase();
  return squeezed === 'dv1' || squeezed === 'microsoftdv1';
}

export const deviceRule: Rule = {
  codes: ['unsupported-device'],
  run(m) {
    const out: Finding[] = [];
    for (const x of m.exchanges) {
      if (x.cls.kind !== 'check-in' || !x.upxRequest?.ok || !isDv1(x.upxRequest.value.model)) continue;
      const req = x.upxRequest.value;
      const frame = x.http.request!.frame;
      const who = [req.vendor, req.model].filter((s) => s !== undefined).map((s) => quote(s!, 40)).join(' ');
      out.push(
        finding('unsupported-device', phoneOf(m, x), `The check-in in frame ${frame} comes from a ${who}, which no firmware update supports.`, {
          frames: [frame],
          exchanges: [x.id],
          field: 'Model',
        }),
      );
    }
    return out;
  },
};
