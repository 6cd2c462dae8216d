// The flows document's JSON of one exchange, written straight to text as
// prettyAt(exchangeJson(x), depth) writes it: analyze makes one for every
// exchange as it completes (report/exchange-spool.ts), and building the object
// to hand it to JSON.stringify cost about a twentieth of a gigabyte's analysis.
// Strings still go through JSON.stringify, so the escaping is its own.
import type { HttpExchange } from '../http/exchanges.js';
import type { HttpHeader, HttpRequest, HttpResponse } from '../http/message.js';
import type { DecodeError } from '../net/decode-error.js';
import { isoNs } from './time.js';

const INDENTS = Array.from({ length: 16 }, (_, d) => '  '.repeat(d));
const indent = (d: number): string => INDENTS[d] ?? '  '.repeat(d);

const str = (s: string): string => JSON.stringify(s);
/** A number as JSON.stringify writes it (null when not finite). */
const num = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

/** `{ members }` at `depth`, each member already `"key": value`. */
function object(depth: number, members: string[]): string {
  if (members.length === 0) return '{}';
  const inner = indent(depth + 1);
  return `{\n${inner}${members.join(`,\n${inner}`)}\n${indent(depth)}}`;
}

function array(depth: number, items: string[]): string {
  if (items.length === 0) return '[]';
  const inner = indent(depth + 1);
  return `[\n${inner}${items.join(`,\n${inner}`)}\n${indent(depth)}]`;
}

function headers(depth: number, list: readonly HttpHeader[]): string {
  return array(
    depth,
    list.map((h) => object(depth + 1, [`"name": ${str(h.name)}`, `"value": ${str(h.value)}`])),
  );
}

function request(depth: number, r: HttpRequest): string {
  const m = [`"frame": ${num(r.frame)}`, `"firstFrame": ${num(r.firstFrame)}`, `"time": ${str(isoNs(r.endNs))}`, `"method": ${str(r.method)}`, `"uri": ${str(r.uri)}`];
  m.push(`"version": ${str(r.version)}`, `"headers": ${headers(depth + 1, r.headers)}`, `"bodySize": ${num(r.bodySize)}`, `"bodySha256": ${str(r.bodySha256)}`, `"complete": ${r.complete}`);
  // requestJson adds rawTarget last.
  if (r.rawTarget !== undefined) m.push(`"rawTarget": ${str(r.rawTarget)}`);
  return object(depth, m);
}

function response(depth: number, r: HttpResponse): string {
  return object(depth, [
    `"frame": ${num(r.frame)}`,
    `"firstFrame": ${num(r.firstFrame)}`,
    `"time": ${str(isoNs(r.endNs))}`,
    `"status": ${num(r.status)}`,
    `"reason": ${str(r.reason)}`,
    `"version": ${str(r.version)}`,
    `"headers": ${headers(depth + 1, r.headers)}`,
    `"bodySize": ${num(r.bodySize)}`,
    `"bodySha256": ${str(r.bodySha256)}`,
    `"complete": ${r.complete}`,
  ]);
}

function note(depth: number, e: DecodeError): string {
  const m = [`"code": ${str(e.code)}`, `"layer": ${str(e.layer)}`, `"offset": ${num(e.offset)}`];
  if (e.frame !== undefined) m.push(`"frame": ${num(e.frame)}`);
  if (e.detail !== undefined) m.push(`"detail": ${str(e.detail)}`);
  return object(depth, m);
}

/** prettyAt(exchangeJson(x), depth): no capture name, no tls (added by the caller when known). */
export function exchangeJsonText(x: HttpExchange, depth: number): string {
  const d = depth + 1;
  return object(depth, [
    `"id": ${str(x.id)}`,
    `"stream": ${num(x.flow.index)}`,
    `"client": ${object(d, [`"ip": ${str(x.client.ip)}`, `"port": ${num(x.client.port)}`])}`,
    `"server": ${object(d, [`"ip": ${str(x.server.ip)}`, `"port": ${num(x.server.port)}`])}`,
    `"request": ${x.request ? request(d, x.request) : 'null'}`,
    `"response": ${x.response ? response(d, x.response) : 'null'}`,
    `"interim": ${array(
      d,
      x.interim.map((r) => object(d + 1, [`"frame": ${num(r.frame)}`, `"status": ${num(r.status)}`, `"reason": ${str(r.reason)}`])),
    )}`,
    `"notes": ${array(
      d,
      x.notes.map((n) => note(d + 1, n)),
    )}`,
  ]);
}
