// Firmware downloads (GET under DeviceUpdateFiles_Int/_Ext, section 1.4 of
// shared/protocol/ucdevice-upx.md) that fail, are cut short, or never happen.
// IIS names the real cause only in its error page and its log (section 6):
// 500.19 and 401.x/403.x are the share's ACL, 403.4 is "Require SSL" on the
// virtual directory, 404 on an offered URL is a missing version folder.
import { targetPath } from '../../dus/exchange-kind.js';
import type { DusExchange, DusModel } from '../../dus/model.js';
import { headerValue } from '../../http/message.js';
import type { FindingCode } from '../catalogue.js';
import type { Rule } from '../diagnose.js';
import type { Finding } from '../finding.js';
import { isInterimVdirMissing } from './interim.js';
import {
  absenceCaveat,
  bodyText,
  connectionOf,
  decodedCheckIns,
  endFrameAfter,
  duration,
  exchangeEvidence,
  finding,
  iisSubstatus,
  phoneOf,
  quote,
  targetOf,
} from './util.js';

/** How long a phone has to fetch what it was offered (it normally does within a few minutes). */
export const FETCH_WINDOW_NS = 10n * 60n * 1_000_000_000n;

const SSL_REQUIRED = /\b403\.4\b|ssl required/i;
const CONFIG_ERROR = /\b500\.19\b/;

function overTls(m: DusModel, x: DusExchange): boolean {
  return connectionOf(m, x)?.tls ?? false;
}

/**
 * Which download code a failed firmware GET deserves, from its status and the
 * error page's text; undefined when none of this family's codes fits.
 */
export function downloadStatusCode(m: DusModel, x: DusExchange): FindingCode | undefined {
  const res = x.http.response;
  if (x.cls.kind !== 'download' || !res) return undefined;
  const s = res.status;
  if (s === 403 && SSL_REQUIRED.test(`${res.reason} ${bodyText(res)}`)) {
    // Over HTTPS a 403.4 cannot mean what it means here: leave it to http-error.
    return overTls(m, x) ? undefined : 'ssl-required-on-files';
  }
  if (s === 500 && CONFIG_ERROR.test(bodyText(res))) return 'download-forbidden-acl';
  if (s === 401 || s === 403) return 'download-forbidden-acl';
  if (s === 404 && !isInterimVdirMissing(x) && (x.offeredBy !== undefined || x.offeredBeside !== undefined)) return 'firmware-not-found';
  return undefined;
}

function statusMessage(code: FindingCode, x: DusExchange): string {
  const res = x.http.response!;
  const sub = iisSubstatus(bodyText(res));
  const status = sub !== undefined && sub.startsWith(`${res.status}.`) ? `${res.status} (IIS ${sub})` : `${res.status}`;
  const head = `The download of ${quote(targetOf(x))} in frame ${x.http.request?.frame ?? '?'} was answered ${status} in frame ${res.frame}`;
  switch (code) {
    case 'ssl-required-on-files':
      return `${head}: the folder requires SSL, and the phone fetches firmware over plain HTTP.`;
    case 'download-forbidden-acl':
      return res.status === 500 ? `${head}: IIS could not read the updates share's configuration.` : `${head}: IIS refused access to the updates share.`;
    case 'firmware-not-found':
      return `${head}: the server offered this file${x.offeredBy ? '' : "'s folder"} in check-in ${x.offeredBy ?? x.offeredBeside} but does not have it.`;
    default:
      return `${head}.`;
  }
}

function statusFindings(m: DusModel): Finding[] {
  const out: Finding[] = [];
  for (const x of m.exchanges) {
    const code = downloadStatusCode(m, x);
    if (code) out.push(finding(code, phoneOf(m, x), statusMessage(code, x), exchangeEvidence(x)));
  }
  return out;
}

function truncatedFindings(m: DusModel): Finding[] {
  const out: Finding[] = [];
  for (const x of m.exchanges) {
    const res = x.http.response;
    if (x.cls.kind !== 'download' || !res || res.complete) continue;
    // Where the server ended the connection; with no FIN or RST the capture simply stopped mid-transfer.
    const end = endFrameAfter(connectionOf(m, x), res.firstFrame);
    if (!end) continue;
    const announced = headerValue(res.headers, 'content-length');
    const size = announced !== undefined && /^\s*\d+\s*$/.test(announced) ? ` of the ${announced.trim()} announced` : '';
    out.push(
      finding(
        'download-truncated',
        phoneOf(m, x),
        `The download of ${quote(targetOf(x))} in frame ${x.http.request?.frame ?? '?'} got ${res.bodySize} bytes${size} before the server's ${end.how} in frame ${end.frame}.`,
        exchangeEvidence(x, [end.frame]),
        // A hole in the capture can look like a short body.
        absenceCaveat(m),
      ),
    );
  }
  return out;
}

/** Requests by lower-cased path, in capture order: offers are matched against them. */
function requestsByPath(m: DusModel): Map<string, DusExchange[]> {
  const byPath = new Map<string, DusExchange[]>();
  for (const d of m.exchanges) {
    const q = d.http.request;
    if (!q) continue;
    const path = targetPath(q.rawTarget ?? q.uri).toLowerCase();
    const list = byPath.get(path);
    if (list) list.push(d);
    else byPath.set(path, [d]);
  }
  return byPath;
}

function notDownloadedFindings(m: DusModel): Finding[] {
  const out: Finding[] = [];
  const byPath = requestsByPath(m);
  for (const { x, res } of decodedCheckIns(m)) {
    const answer = x.http.response!;
    const offerNs = answer.endNs;
    const deadline = offerNs + FETCH_WINDOW_NS < m.endNs ? offerNs + FETCH_WINDOW_NS : m.endNs;
    const missed: string[] = [];
    for (const f of res.files) {
      if (f.url === undefined || f.url.trim() === '') continue;
      const fetched = (byPath.get(targetPath(f.url).toLowerCase()) ?? []).some((d) => {
        const at = d.http.request!.startNs;
        const samePhone = d.phone === x.phone || d.http.client.ip === x.http.client.ip;
        return samePhone && at >= answer.startNs && at <= deadline;
      });
      if (!fetched) missed.push(f.url);
    }
    if (missed.length === 0) continue;
    const waited = Math.max(0, Number(deadline - offerNs) / 1e9);
    const caveats: string[] = [];
    const whole = absenceCaveat(m);
    if (whole) caveats.push(whole);
    if (deadline < offerNs + FETCH_WINDOW_NS) {
      caveats.push(`The capture ends ${duration(waited)} after this offer; a later download would not be in it.`);
    }
    out.push(
      finding(
        'update-offered-not-downloaded',
        phoneOf(m, x),
        `The response in frame ${answer.frame} offered ${missed.map((u) => quote(u)).join(', ')}, which the phone did not fetch in the ${duration(waited)} that followed.`,
        { ...exchangeEvidence(x), frames: [answer.frame], field: 'Url' },
        caveats.length > 0 ? caveats.join(' ') : undefined,
      ),
    );
  }
  return out;
}

export const downloadsRule: Rule = {
  codes: ['download-forbidden-acl', 'ssl-required-on-files', 'firmware-not-found', 'download-truncated', 'update-offered-not-downloaded'],
  run(m) {
    return [...statusFindings(m), ...truncatedFindings(m), ...notDownloadedFindings(m)];
  },
};
