// Where the server's logs and the capture disagree about the same exchange
// (issue 9 part 1; src/logs/merge.ts ties each line to its exchange). The
// capture shows what went over the wire; a log line that says otherwise points
// at another server of the pool writing that log, a proxy between the two, or
// a log that was edited or mixed up. Reported with the codes that fit:
//  - an IIS line whose status is not the captured response's: http-error when
//    either side is an HTTP error, response-diff otherwise;
//  - an audit line whose offered files are not the captured response's offer:
//    response-diff.
// A request the IIS log should show and does not has no code of its own in
// findings.md; merge.ts puts it on the timeline as a note instead.
import type { DusExchange, DusModel, LogMatch } from '../../dus/model.js';
import { auditOffers, capturedOffers } from '../../logs/merge.js';
import { statusText } from '../../logs/log-findings.js';
import type { Rule } from '../diagnose.js';
import type { Finding } from '../finding.js';
import { finding, phoneOf, quote, targetOf } from './util.js';

/** Offers listed in a message at most. */
const MAX_LISTED = 6;

function evidenceOf(x: DusExchange, m: LogMatch, field: string): Finding['evidence'] {
  // The response frame alone: the http-error rule's own finding on this
  // exchange (request and response frames) stays a separate finding.
  const frame = x.http.response?.frame;
  return { frames: frame ? [frame] : [], exchanges: [x.id], field, lines: [{ file: m.source.file, line: m.source.line }] };
}

/** Offers as written: `URL (version)`, a few of them. */
function offersText(list: ReadonlyArray<{ name: string; version: string }>): string {
  if (list.length === 0) return 'nothing';
  const shown = list.slice(0, MAX_LISTED).map((o) => quote(`${o.name || '(no URL)'}${o.version ? ` (${o.version})` : ''}`, 160));
  return shown.join(', ') + (list.length > MAX_LISTED ? ` and ${list.length - MAX_LISTED} more` : '');
}

function statusFinding(m: DusModel, x: DusExchange, match: LogMatch): Finding | undefined {
  const e = match.iis!;
  const res = x.http.response;
  // No response in the capture is absence, not disagreement (the capture may have stopped).
  if (!res || e.status === undefined || e.status === res.status) return undefined;
  const code = e.status >= 400 || res.status >= 400 ? 'http-error' : 'response-diff';
  const req = x.http.request;
  return finding(
    code,
    phoneOf(m, x),
    `The IIS log and the capture disagree: ${quote(match.source.file, 120)} line ${match.source.line} says ${quote(req?.method ?? e.method ?? '?', 16)} ${quote(targetOf(x))} (frame ${req?.frame ?? '?'}) was answered ${statusText(e)}, but the response in frame ${res.frame} is ${res.status} ${quote(res.reason, 60)}.`,
    evidenceOf(x, match, 'status line'),
  );
}

function offerFinding(m: DusModel, x: DusExchange, match: LogMatch): Finding | undefined {
  const captured = capturedOffers(x);
  if (!captured) return undefined; // the captured response did not decode: nothing to compare
  const logged = auditOffers(match.audit!);
  if (logged.length === captured.length && logged.every((o, i) => o === captured[i])) return undefined;
  return finding(
    'response-diff',
    phoneOf(m, x),
    `The audit log and the capture disagree: ${quote(match.source.file, 120)} line ${match.source.line} says the check-in was offered ${offersText(match.audit!.response.filter((f) => f.name !== '' || f.version !== ''))}, but the response in frame ${x.http.response?.frame ?? '?'} offers ${offersText(x.upxResponse?.ok ? x.upxResponse.value.files.map((f) => ({ name: f.url ?? '', version: f.version ?? '' })) : [])}.`,
    evidenceOf(x, match, 'Files'),
  );
}

export const logContradictionsRule: Rule = {
  codes: ['http-error', 'response-diff'],
  run(m) {
    if (!m.logs) return [];
    const byId = new Map(m.exchanges.map((x) => [x.id, x]));
    const out: Finding[] = [];
    for (const match of m.logs.matches) {
      const x = byId.get(match.exchange);
      if (!x) continue;
      const f = match.iis ? statusFinding(m, x, match) : match.audit ? offerFinding(m, x, match) : undefined;
      if (f) out.push(f);
    }
    return out;
  },
};
