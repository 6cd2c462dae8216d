// A check-in or download whose request line is malformed, or that the server
// answers 400 (HTTP.sys's "Bad Request - Invalid URL"). Seed comment 5: after
// a language change the phone built a URL the server could not read and showed
// 0x2f7d/200. RFC 3986 sections 2.1 and 3.3 say what a path may hold.
import type { DusExchange } from '../../dus/model.js';
import { Memo } from '../../util/two-key-memo.js';
import type { Rule } from '../diagnose.js';
import type { Finding } from '../finding.js';
import { exchangeEvidence, finding, phoneOf, quote, targetOf } from './util.js';

/** Whether an exchange is addressed to the Device Update Service, even when its URL is too broken to classify. */
export function isServiceUrl(x: DusExchange): boolean {
  return x.cls.kind !== 'other' || /ucdevice\.upx|deviceupdatefiles|ocinterim|requesthandler/i.test(targetOf(x));
}

/** What is wrong with a request target, or undefined when it looks sound. */
export function targetProblem(x: DusExchange): string | undefined {
  const q = x.http.request;
  if (!q) return undefined;
  if (q.rawTarget !== undefined) return 'a raw space in its request line';
  // Phones repeat a handful of targets thousands of times.
  return problems.of(targetOf(x), textProblem);
}

const problems = new Memo<string, string | undefined>(4096);

function textProblem(t: string): string | undefined {
  if (/\s/.test(t)) return 'a raw space in its request line';
  if (/[\u0000-\u001f\u007f]/.test(t)) return 'control characters in its URL';
  if (/[^\u0000-\u007f]/.test(t)) return 'non-ASCII bytes in its URL';
  if (/%(?![0-9a-f]{2})/i.test(t)) return 'a bad %-escape in its URL';
  const path = t.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/[?#].*$/, '');
  if (!path.startsWith('/')) return 'a URL that is not an absolute path';
  if (path.includes('\\') || /\/\/|\/\.\.?(\/|$)/.test(path)) return 'a malformed path (backslash, empty or dot segment)';
  return undefined;
}

/** Whether this rule reports the exchange (so http-error leaves it alone). */
export function isBadRequestUrl(x: DusExchange): boolean {
  if (!isServiceUrl(x)) return false;
  return x.http.response?.status === 400 || targetProblem(x) !== undefined;
}

export const requestUrlRule: Rule = {
  codes: ['bad-request-url'],
  run(m) {
    const out: Finding[] = [];
    for (const x of m.exchanges) {
      if (!isBadRequestUrl(x)) continue;
      const problem = targetProblem(x);
      const res = x.http.response;
      const what = x.cls.kind === 'check-in' ? 'check-in' : x.cls.kind === 'download' ? 'download' : 'request';
      const parts = [`The ${what} ${quote(targetOf(x))} in frame ${x.http.request?.frame ?? '?'}`];
      if (problem) parts.push(`has ${problem}`);
      if (res?.status === 400) parts.push(`${problem ? 'and ' : ''}was answered 400 ${quote(res.reason, 60)} in frame ${res.frame}`);
      out.push(finding('bad-request-url', phoneOf(m, x), `${parts.join(' ')}.`, exchangeEvidence(x, [], 'request line')));
    }
    return out;
  },
};
