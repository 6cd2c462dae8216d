// flows.har: the ticket's HTTP exchanges as an HTTP Archive 1.2 log (the W3C
// Web Performance draft "HTTP Archive (HAR) format", as browsers export it),
// so a vendor can open them in a browser's network panel or a HAR viewer.
// What a HAR has no field for goes in `_`-prefixed custom fields, which the
// format allows: the capture frames of each message, the TCP stream, the
// exchange id of analysis.json, the phone, and whether TLS was decrypted.
//
// Bodies: text bodies (XML, HTML, JSON, text/*) are given as text after
// content decoding; other bodies that were kept are given in base64; bodies
// the analysis did not keep (firmware) have their size only.
import { decodeContent } from '../http/content-decoding.js';
import type { HttpExchange } from '../http/exchanges.js';
import { headerValue, type HttpMessage, type HttpRequest, type HttpResponse } from '../http/message.js';
import { decodeBodyText } from '../dus/upx-charset.js';
import type { DusExchange } from '../dus/model.js';
import type { Redactor } from './redact.js';
import { isoNs } from './time.js';

export interface HarHeader {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: Record<string, unknown>;
  response: Record<string, unknown>;
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
  serverIPAddress?: string;
  connection?: string;
  comment?: string;
  [custom: `_${string}`]: unknown;
}

export interface HarDocument {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    entries: HarEntry[];
    comment?: string;
  };
}

export interface HarOptions {
  creatorVersion: string;
  /** Rewrites every string that could name a host, an address or a person. */
  redactor?: Redactor;
  comment?: string;
}

/** Largest decoded body written into the HAR. */
const MAX_HAR_BODY = 1024 * 1024;
const TEXTUAL = /^(text\/|application\/(xml|json|xhtml\+xml|javascript|x-www-form-urlencoded|soap\+xml)|[^;]*\+xml)/i;

/** TLS decryption, when the pipeline marks an exchange as decrypted (an optional flag). */
function wasDecrypted(x: HttpExchange): boolean {
  const flag = (x as HttpExchange & { decrypted?: unknown; tls?: unknown }).decrypted ?? (x as { tls?: unknown }).tls;
  return flag === true || (typeof flag === 'object' && flag !== null);
}

function ms(fromNs: bigint, toNs: bigint): number {
  const d = Number(toNs - fromNs) / 1e6;
  return d >= 0 ? Math.round(d * 1000) / 1000 : 0;
}

/** The absolute URL of a request: absolute-form as sent, else scheme + Host (or the server address) + target. */
function requestUrl(x: HttpExchange, req: HttpRequest, https: boolean): string {
  const raw = req.rawTarget ?? req.uri;
  if (/^https?:\/\//i.test(raw)) return uriSafe(raw);
  const scheme = https ? 'https' : 'http';
  let host = headerValue(req.headers, 'host')?.trim();
  if (!host || !/^[A-Za-z0-9._:[\]-]+$/.test(host)) {
    const ip = x.server.ip.includes(':') ? `[${x.server.ip}]` : x.server.ip;
    const port = x.server.port === (https ? 443 : 80) ? '' : `:${x.server.port}`;
    host = ip + port;
  }
  const path = raw.startsWith('/') ? raw : `/${raw}`;
  return `${scheme}://${host}${uriSafe(path)}`;
}

/** Percent-encode what may not stand in a URI (spaces, controls, non-ASCII), leaving existing escapes alone. */
function uriSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]|%(?![0-9A-Fa-f]{2})/g, (c) =>
    Array.from(Buffer.from(c, 'utf8'))
      .map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'))
      .join(''),
  );
}

function queryString(url: string): HarHeader[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  const query = url.slice(q + 1).split('#')[0];
  return query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const dec = (s: string) => {
        try {
          return decodeURIComponent(s.replace(/\+/g, ' '));
        } catch {
          return s;
        }
      };
      return eq < 0 ? { name: dec(p), value: '' } : { name: dec(p.slice(0, eq)), value: dec(p.slice(eq + 1)) };
    });
}

interface BodyOut {
  size: number;
  mimeType: string;
  text?: string;
  encoding?: string;
  comment?: string;
}

function body(m: HttpMessage): BodyOut {
  const mimeType = headerValue(m.headers, 'content-type') ?? (m.bodySize > 0 ? 'application/octet-stream' : '');
  if (m.bodySize === 0) return { size: 0, mimeType };
  if (!m.body) return { size: m.bodySize, mimeType, comment: 'body not kept by the analysis (only its size and sha256)' };
  const decoded = decodeContent(m.body, headerValue(m.headers, 'content-encoding'), MAX_HAR_BODY);
  const bytes = decoded.ok ? decoded.bytes : m.body;
  const note = decoded.ok ? undefined : 'content coding could not be undone: the body as sent';
  if (bytes.length > MAX_HAR_BODY) return { size: bytes.length, mimeType, comment: 'body too large for the HAR' };
  const looksText = TEXTUAL.test(mimeType) || /^\s*(\uFEFF)?</.test(decodeBodyText(bytes.subarray(0, 64)).text);
  if (looksText) {
    const out: BodyOut = { size: bytes.length, mimeType, text: decodeBodyText(bytes).text };
    if (note) out.comment = note;
    if (!m.complete) out.comment = 'the body was cut short in the capture';
    return out;
  }
  return { size: bytes.length, mimeType, text: Buffer.from(bytes).toString('base64'), encoding: 'base64', ...(note ? { comment: note } : {}) };
}

function headers(list: readonly { name: string; value: string }[], r: Redactor | undefined): HarHeader[] {
  return list.map((h) => ({ name: h.name, value: r ? r.headerValue(h.name, h.value) : h.value }));
}

function cookies(): never[] {
  // Cookie headers stay in `headers`; parsing them into HAR cookies would add nothing to a ticket.
  return [];
}

/** One exchange as a HAR entry. */
export function harEntry(dx: DusExchange | { id: string; http: HttpExchange; phone?: string; cls?: { kind: string } }, r?: Redactor): HarEntry {
  const x = dx.http;
  const req = x.request;
  const res = x.response;
  const https = wasDecrypted(x) || x.server.port === 443;
  const url = req ? requestUrl(x, req, https) : `${https ? 'https' : 'http'}://${x.server.ip.includes(':') ? `[${x.server.ip}]` : x.server.ip}:${x.server.port}/`;
  const startNs = req?.startNs ?? res?.startNs ?? 0n;
  const send = req ? ms(req.startNs, req.endNs) : -1;
  const wait = req && res ? ms(req.endNs, res.startNs) : -1;
  const receive = res ? ms(res.startNs, res.endNs) : -1;
  const reqBody = req ? body(req) : undefined;
  const request: Record<string, unknown> = {
    method: req?.method ?? '',
    url,
    httpVersion: req?.version ?? '',
    cookies: cookies(),
    headers: req ? headers(req.headers, r) : [],
    queryString: queryString(url),
    headersSize: -1,
    bodySize: req ? req.bodySize : -1,
  };
  if (req && reqBody && req.bodySize > 0) {
    const post: Record<string, unknown> = { mimeType: reqBody.mimeType, text: reqBody.text ?? '' };
    if (reqBody.encoding) post._encoding = reqBody.encoding;
    if (reqBody.comment) post.comment = reqBody.comment;
    request.postData = post;
  }
  if (!req) request.comment = 'the capture holds the response but not its request';
  const content = res ? body(res) : { size: 0, mimeType: '' };
  const response: Record<string, unknown> = {
    status: res?.status ?? 0,
    statusText: res?.reason ?? '',
    httpVersion: res?.version ?? '',
    cookies: cookies(),
    headers: res ? headers(res.headers, r) : [],
    content,
    redirectURL: (res && headerValue(res.headers, 'location')) ?? '',
    headersSize: -1,
    bodySize: res ? res.bodySize : -1,
  };
  if (!res) response.comment = 'no response in the capture';
  const entry: HarEntry = {
    startedDateTime: isoNs(startNs).replace(/(\.\d{3})\d*Z$/, '$1Z'),
    time: [send, wait, receive].filter((t) => t > 0).reduce((a, b) => a + b, 0),
    request,
    response,
    cache: {},
    timings: { send, wait, receive },
    serverIPAddress: x.server.ip,
    connection: String(x.flow.index),
    _exchange: dx.id,
    _tcpStream: x.flow.index,
    _client: `${x.client.ip}:${x.client.port}`,
    _server: `${x.server.ip}:${x.server.port}`,
    _requestFirstFrame: req?.firstFrame ?? null,
    _requestFrame: req?.frame ?? null,
    _responseFirstFrame: res?.firstFrame ?? null,
    _responseFrame: res?.frame ?? null,
    _interimFrames: x.interim.map((m) => m.frame),
    _decrypted: wasDecrypted(x),
  };
  if ('cls' in dx && dx.cls) entry._kind = dx.cls.kind;
  if ('phone' in dx && dx.phone) entry._phone = dx.phone;
  return entry;
}

/** The HAR document of `exchanges`; with a redactor, every string is rewritten after it is built. */
export function buildHar(exchanges: readonly DusExchange[], opts: HarOptions): HarDocument {
  const doc: HarDocument = {
    log: {
      version: '1.2',
      creator: { name: 'upxray', version: opts.creatorVersion },
      entries: exchanges.map((x) => harEntry(x, opts.redactor)),
    },
  };
  if (opts.comment) doc.log.comment = opts.comment;
  return doc;
}

/** The HAR as the file's text; a redactor rewrites every identifier left in it (URLs, bodies, comments). */
export function harText(doc: HarDocument, r?: Redactor): string {
  const text = JSON.stringify(doc, null, 2) + '\n';
  return r ? r.text(text) : text;
}
