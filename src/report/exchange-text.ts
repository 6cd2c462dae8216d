// The JSON text of one exchange as the spool keeps it for the report: exactly
// prettyAt(exchangeJson(x), 2), made when each exchange completes (thousands a
// gigabyte). It is written here member by member, as JSON.stringify(value,
// null, 2) lays it out at that depth, and most of it comes ready-made: the two
// header lists are shared between messages (the parser hands out one frozen
// list for a head seen again: http/intern.ts, http/head-memo.ts), so each
// shared list is turned into text once. The rare exchange with interim
// responses or notes goes through prettyAt whole. A second writer of the
// same members as flows-json.ts's exchangeJson, so the two must change
// together: test/report/exchange-text.test.ts compares them on every test
// capture's exchanges and on odd ones.
import type { HttpExchange } from '../http/exchanges.js';
import type { HttpHeader, HttpRequest, HttpResponse } from '../http/message.js';
import type { Endpoint } from '../reassembly/stream-event.js';
import { exchangeJson } from './flows-json.js';
import { prettyAt } from './json-pieces.js';
import { isoNs } from './time.js';

/** Where an exchange's text sits in the report (an element of the top-level `exchanges` array). */
const EXCHANGE_DEPTH = 2;
/** A header list is a member of the request or response, a member of the exchange. */
const HEADERS_DEPTH = EXCHANGE_DEPTH + 2;

// Indentation of members and closing brackets, by depth (JSON.stringify's two spaces a level).
const IN_EXCHANGE = '\n' + '  '.repeat(EXCHANGE_DEPTH + 1);
const IN_MESSAGE = '\n' + '  '.repeat(EXCHANGE_DEPTH + 2);
const CLOSE_EXCHANGE = '\n' + '  '.repeat(EXCHANGE_DEPTH) + '}';
const CLOSE_MESSAGE = '\n' + '  '.repeat(EXCHANGE_DEPTH + 1) + '}';

/** A JSON value as JSON.stringify writes it (strings quoted and escaped, numbers as it prints them). */
const json = (v: string | number | boolean): string => JSON.stringify(v);

/** Texts of shared header lists, kept as long as their list. */
const texts = new WeakMap<readonly HttpHeader[], string>();

function headersText(headers: HttpHeader[]): string {
  if (headers.length === 0) return '[]';
  // Only a frozen list is shared and never changes.
  const shared = Object.isFrozen(headers);
  let text = shared ? texts.get(headers) : undefined;
  if (text === undefined) {
    text = prettyAt(headers.map((h) => ({ name: h.name, value: h.value })), HEADERS_DEPTH)!;
    if (shared) texts.set(headers, text);
  }
  return text;
}

function endpointText(e: Endpoint): string {
  return `{${IN_MESSAGE}"ip": ${json(e.ip)},${IN_MESSAGE}"port": ${json(e.port)}${CLOSE_MESSAGE}`;
}

/** The members every message has after its start line, in exchangeJson's order. */
function tail(m: HttpRequest | HttpResponse): string {
  return (
    `,${IN_MESSAGE}"headers": ${headersText(m.headers)}` +
    `,${IN_MESSAGE}"bodySize": ${json(m.bodySize)}` +
    `,${IN_MESSAGE}"bodySha256": ${json(m.bodySha256)}` +
    `,${IN_MESSAGE}"complete": ${json(m.complete)}`
  );
}

function head(m: HttpRequest | HttpResponse): string {
  return `{${IN_MESSAGE}"frame": ${json(m.frame)},${IN_MESSAGE}"firstFrame": ${json(m.firstFrame)},${IN_MESSAGE}"time": ${json(isoNs(m.endNs))}`;
}

function requestText(r: HttpRequest): string {
  return (
    head(r) +
    `,${IN_MESSAGE}"method": ${json(r.method)},${IN_MESSAGE}"uri": ${json(r.uri)},${IN_MESSAGE}"version": ${json(r.version)}` +
    tail(r) +
    (r.rawTarget !== undefined ? `,${IN_MESSAGE}"rawTarget": ${json(r.rawTarget)}` : '') +
    CLOSE_MESSAGE
  );
}

function responseText(r: HttpResponse): string {
  return (
    head(r) +
    `,${IN_MESSAGE}"status": ${json(r.status)},${IN_MESSAGE}"reason": ${json(r.reason)},${IN_MESSAGE}"version": ${json(r.version)}` +
    tail(r) +
    CLOSE_MESSAGE
  );
}

/** prettyAt(exchangeJson(x, capture, idPrefix), 2), written member by member. */
export function exchangeText(x: HttpExchange, capture?: string, idPrefix = ''): string {
  if (x.interim.length > 0 || x.notes.length > 0) return prettyAt(exchangeJson(x, capture, idPrefix), EXCHANGE_DEPTH)!;
  return (
    `{${IN_EXCHANGE}"id": ${json(idPrefix + x.id)}` +
    `,${IN_EXCHANGE}"stream": ${json(x.flow.index)}` +
    `,${IN_EXCHANGE}"client": ${endpointText(x.client)}` +
    `,${IN_EXCHANGE}"server": ${endpointText(x.server)}` +
    `,${IN_EXCHANGE}"request": ${x.request ? requestText(x.request) : 'null'}` +
    `,${IN_EXCHANGE}"response": ${x.response ? responseText(x.response) : 'null'}` +
    `,${IN_EXCHANGE}"interim": []` +
    `,${IN_EXCHANGE}"notes": []` +
    (capture !== undefined ? `,${IN_EXCHANGE}"capture": ${json(capture)}` : '') +
    CLOSE_EXCHANGE
  );
}
