// The JSON text of one exchange as the spool keeps it for the report: exactly
// prettyAt(exchangeJson(x), 2), made when each exchange completes (thousands a
// gigabyte). Most of that text is the two header lists, and those are shared:
// the parser hands out one frozen list for a head seen again (http/intern.ts,
// http/head-memo.ts). So a shared list is turned into text once, and the text
// is set into the exchange's text in place of a marker.
import type { HttpExchange } from '../http/exchanges.js';
import type { HttpHeader } from '../http/message.js';
import { exchangeJson, type HeaderJson, type HeadersJson } from './flows-json.js';
import { prettyAt } from './json-pieces.js';

/** Where an exchange's text sits in the report (an element of the top-level `exchanges` array). */
const EXCHANGE_DEPTH = 2;
/** A header list is a member of the request or response, a member of the exchange. */
const HEADERS_DEPTH = EXCHANGE_DEPTH + 2;

// Lone surrogates, which JSON.stringify writes escaped and which no text decoded
// from bytes (latin1 or UTF-8) can hold: the quoted marker cannot occur otherwise.
const MARKS = { request: '\ud800request headers\ud800', response: '\ud800response headers\ud800' } as const;
const QUOTED = { request: JSON.stringify(MARKS.request), response: JSON.stringify(MARKS.response) } as const;

/** Texts of shared header lists, kept as long as their list. */
const texts = new WeakMap<readonly HttpHeader[], string>();

function headersText(headers: HttpHeader[]): string {
  let text = texts.get(headers);
  if (text === undefined) {
    text = prettyAt(headers.map((h) => ({ name: h.name, value: h.value })), HEADERS_DEPTH)!;
    texts.set(headers, text);
  }
  return text;
}

/** prettyAt(exchangeJson(x, capture, idPrefix), 2), with shared header lists written from their text. */
export function exchangeText(x: HttpExchange, capture?: string, idPrefix = ''): string {
  const marked: Array<{ quoted: string; headers: HttpHeader[] }> = [];
  const headers: HeadersJson = (list, of) => {
    // Only a frozen list is shared and never changes.
    if (!Object.isFrozen(list) || list.length === 0) return list.map((h) => ({ name: h.name, value: h.value }));
    marked.push({ quoted: QUOTED[of], headers: list });
    return MARKS[of] as unknown as HeaderJson[];
  };
  const text = prettyAt(exchangeJson(x, capture, idPrefix, undefined, headers), EXCHANGE_DEPTH)!;
  if (marked.length === 0) return text;
  // One new string of the pieces (the request's marker comes first), not one per marker.
  let out = '';
  let from = 0;
  for (const m of marked) {
    const at = text.indexOf(m.quoted, from);
    out += text.slice(from, at) + headersText(m.headers);
    from = at + m.quoted.length;
  }
  return out + text.slice(from);
}
