// One exchange of the model as the analysis keeps it for the whole run. A
// capture of a day's updates holds tens of thousands of exchanges, and the
// whole HttpExchange (headers, digests, BigInt times, four objects) costs about
// a kilobyte each. So, unless the caller needs the whole exchange (the terminal
// UI, tickets, live sessions), only what the model and the rules read is kept,
// in one flat object; the report's JSON of the exchange was written to a spool
// file when it completed (report/exchange-spool.ts). `http` then rebuilds a lean
// HttpExchange from these fields when asked: its headers are only
// Content-Length and Content-Encoding, its digests are empty, its notes,
// trailers and streams offsets are not kept. The rules read nothing else.
import type { HttpExchange } from '../http/exchanges.js';
import { NO_HEADERS, NO_NOTES, NO_RESPONSES, headerValue, type HttpHeader, type HttpMessage, type HttpRequest, type HttpResponse } from '../http/message.js';
import type { Endpoint, FlowInfo } from '../reassembly/stream-event.js';
import type { ExchangeSpool } from '../report/exchange-spool.js';
import type { TlsJson } from '../report/flows-json.js';
import type { DusClassification } from './exchange-kind.js';
import type { DusExchange, UpxResult } from './model.js';
import type { UpxRequest, UpxResponse } from './upx-types.js';

/** What a lean message shares with others: its start line's words and the two headers the rules read. */
interface MessageHead {
  readonly method: string;
  readonly status: number;
  readonly reason: string;
  readonly version: string;
  readonly headers: HttpHeader[];
}

/** Heads are few (one per method, status and body size): shared, up to this many. */
const MAX_HEADS = 4096;
const heads = new Map<string, MessageHead>();

function headOf(m: HttpMessage): MessageHead {
  const length = headerValue(m.headers, 'content-length');
  const encoding = headerValue(m.headers, 'content-encoding');
  const method = m.type === 'request' ? m.method : '';
  const status = m.type === 'response' ? m.status : 0;
  const reason = m.type === 'response' ? m.reason : '';
  const key = `${method}\u0000${status}\u0000${reason}\u0000${m.version}\u0000${length ?? '\u0001'}\u0000${encoding ?? '\u0001'}`;
  let head = heads.get(key);
  if (head === undefined) {
    const headers: HttpHeader[] = [];
    if (length !== undefined) headers.push({ name: 'Content-Length', value: length });
    if (encoding !== undefined) headers.push({ name: 'Content-Encoding', value: encoding });
    head = Object.freeze({ method, status, reason, version: m.version, headers: headers.length ? (Object.freeze(headers) as HttpHeader[]) : NO_HEADERS });
    if (heads.size < MAX_HEADS) heads.set(key, head);
  }
  return head;
}

/** What is rare on an exchange, kept beside it only when present. */
interface Rare {
  rawTarget?: string;
  requestNotes?: HttpMessage['notes'];
  responseNotes?: HttpMessage['notes'];
  /** An error page (the rules read IIS's substatus in it). */
  responseBody?: Uint8Array;
  interim?: HttpResponse[];
  notes?: HttpExchange['notes'];
}

const NS = 1_000_000_000n;
const secondsOf = (ns: bigint): number => Number(ns / NS);
const nanosOf = (ns: bigint): number => Number(ns % NS);
const timeOf = (s: number, n: number): bigint => BigInt(s) * NS + BigInt(n);

export class StoredExchange implements DusExchange {
  id: string;
  readonly cls: DusClassification;
  phone = '';
  upxRequest: UpxResult<UpxRequest> | undefined;
  upxResponse: UpxResult<UpxResponse> | undefined;
  offeredBy: string | undefined = undefined;
  offeredBeside: string | undefined = undefined;
  /** How TLS was decrypted, known when the pipeline is done. */
  decrypted: TlsJson | undefined = undefined;
  /** Where the spool holds the report's JSON of this exchange (none: the whole exchange is kept). */
  private spool: ExchangeSpool | undefined = undefined;
  private textAt = 0;
  private textLength = 0;
  /** The whole exchange, when the caller keeps it. */
  readonly full: HttpExchange | undefined;
  readonly flow: FlowInfo;
  readonly client: Endpoint;
  readonly server: Endpoint;
  private readonly rare: Rare | undefined;
  // The request (qHead undefined: none) and the response (sHead undefined: none).
  private readonly qHead: MessageHead | undefined;
  private readonly qUri: string;
  private readonly qFrame: number;
  private readonly qFirstFrame: number;
  private readonly qStartS: number;
  private readonly qStartN: number;
  private readonly qEndS: number;
  private readonly qEndN: number;
  private readonly qBodySize: number;
  private readonly qComplete: boolean;
  private readonly sHead: MessageHead | undefined;
  private readonly sFrame: number;
  private readonly sFirstFrame: number;
  private readonly sStartS: number;
  private readonly sStartN: number;
  private readonly sEndS: number;
  private readonly sEndN: number;
  private readonly sBodySize: number;
  private readonly sComplete: boolean;

  /** `keep`: keep the whole exchange as well (`http` is then that very object). */
  constructor(x: HttpExchange, cls: DusClassification, bodies: { upxRequest?: UpxResult<UpxRequest>; upxResponse?: UpxResult<UpxResponse> } | undefined, keep: boolean) {
    this.id = x.id;
    this.cls = cls;
    this.upxRequest = bodies?.upxRequest;
    this.upxResponse = bodies?.upxResponse;
    this.full = keep ? x : undefined;
    this.flow = x.flow;
    this.client = x.client;
    this.server = x.server;
    this.decrypted = x.decrypted;
    const q = x.request;
    const s = x.response;
    let rare: Rare | undefined;
    const note = (k: keyof Rare, v: unknown) => ((rare ??= {}) as Record<string, unknown>)[k] = v;
    if (q?.rawTarget !== undefined) note('rawTarget', q.rawTarget);
    if (q && q.notes.length) note('requestNotes', q.notes);
    if (s && s.notes.length) note('responseNotes', s.notes);
    if (s?.body !== undefined) note('responseBody', s.body);
    if (x.interim.length) note('interim', x.interim);
    if (x.notes.length) note('notes', x.notes);
    this.rare = rare;
    this.qHead = q ? headOf(q) : undefined;
    this.qUri = q ? q.uri : '';
    this.qFrame = q ? q.frame : 0;
    this.qFirstFrame = q ? q.firstFrame : 0;
    this.qStartS = q ? secondsOf(q.startNs) : 0;
    this.qStartN = q ? nanosOf(q.startNs) : 0;
    this.qEndS = q ? secondsOf(q.endNs) : 0;
    this.qEndN = q ? nanosOf(q.endNs) : 0;
    this.qBodySize = q ? q.bodySize : 0;
    this.qComplete = q ? q.complete : false;
    this.sHead = s ? headOf(s) : undefined;
    this.sFrame = s ? s.frame : 0;
    this.sFirstFrame = s ? s.firstFrame : 0;
    this.sStartS = s ? secondsOf(s.startNs) : 0;
    this.sStartN = s ? nanosOf(s.startNs) : 0;
    this.sEndS = s ? secondsOf(s.endNs) : 0;
    this.sEndN = s ? nanosOf(s.endNs) : 0;
    this.sBodySize = s ? s.bodySize : 0;
    this.sComplete = s ? s.complete : false;
  }

  /** Put the report's JSON of the exchange (without `tls`: known only at the end) aside. */
  spoolText(spool: ExchangeSpool, text: string): void {
    const place = spool.append(text);
    this.spool = spool;
    this.textAt = place.at;
    this.textLength = place.length;
  }

  /** The text spoolText put aside, if any. */
  reportText(): string | undefined {
    return this.spool?.read({ at: this.textAt, length: this.textLength });
  }

  /** Where the exchange starts in the capture (request first frame, else response): the reports' order. */
  get startFrame(): number {
    return this.qHead ? this.qFirstFrame : this.sHead ? this.sFirstFrame : 0;
  }

  /** The whole exchange when kept, else a lean one rebuilt from what is kept (see the top of the file). */
  get http(): HttpExchange {
    if (this.full) return this.full;
    // Rules read several fields of one exchange in a row: the last one rebuilt is handed out again.
    if (lastLean?.of !== this || lastLean.http.decrypted !== this.decrypted) lastLean = { of: this, http: this.lean() };
    return lastLean.http;
  }

  private lean(): HttpExchange {
    const rare = this.rare;
    const x: HttpExchange = {
      id: this.id,
      flow: this.flow,
      client: this.client,
      server: this.server,
      request: this.qHead ? this.leanRequest(this.qHead, rare) : null,
      response: this.sHead ? this.leanResponse(this.sHead, rare) : null,
      interim: rare?.interim ?? NO_RESPONSES,
      notes: rare?.notes ?? NO_NOTES,
    };
    if (this.decrypted) x.decrypted = this.decrypted;
    return x;
  }

  private leanRequest(h: MessageHead, rare: Rare | undefined): HttpRequest {
    const q: HttpRequest = {
      type: 'request',
      method: h.method,
      uri: this.qUri,
      version: h.version,
      headers: h.headers,
      trailers: NO_HEADERS,
      firstFrame: this.qFirstFrame,
      frame: this.qFrame,
      startNs: timeOf(this.qStartS, this.qStartN),
      endNs: timeOf(this.qEndS, this.qEndN),
      streamStart: 0,
      streamEnd: 0,
      bodySize: this.qBodySize,
      bodySha256: '',
      complete: this.qComplete,
      notes: rare?.requestNotes ?? NO_NOTES,
    };
    if (rare?.rawTarget !== undefined) q.rawTarget = rare.rawTarget;
    return q;
  }

  private leanResponse(h: MessageHead, rare: Rare | undefined): HttpResponse {
    return {
      type: 'response',
      status: h.status,
      reason: h.reason,
      version: h.version,
      headers: h.headers,
      trailers: NO_HEADERS,
      firstFrame: this.sFirstFrame,
      frame: this.sFrame,
      startNs: timeOf(this.sStartS, this.sStartN),
      endNs: timeOf(this.sEndS, this.sEndN),
      streamStart: 0,
      streamEnd: 0,
      bodySize: this.sBodySize,
      body: rare?.responseBody,
      bodySha256: '',
      complete: this.sComplete,
      notes: rare?.responseNotes ?? NO_NOTES,
    };
  }
}

let lastLean: { of: StoredExchange; http: HttpExchange } | undefined;
