// One exchange of the model as the analysis keeps it for the whole run. A
// capture of a day's updates holds tens of thousands of exchanges, and the
// whole HttpExchange (headers, digests, BigInt times, four objects) costs about
// a kilobyte each. So, unless the caller needs the whole exchange (the terminal
// UI, tickets, live sessions), only what the model and the rules read is kept,
// in one compact object; the report's JSON of the exchange was written to a spool
// file when it completed (report/exchange-spool.ts). `http` then rebuilds a lean
// HttpExchange from these fields when asked: its headers are only
// Content-Length and Content-Encoding, its digests are empty, its notes,
// trailers and streams offsets are not kept. The rules read nothing else.
import { deserialize, serialize } from 'node:v8';
import type { HttpExchange } from '../http/exchanges.js';
import { NO_HEADERS, NO_NOTES, NO_RESPONSES, headerValue, type HttpHeader, type HttpMessage, type HttpRequest, type HttpResponse } from '../http/message.js';
import type { Endpoint, FlowInfo } from '../reassembly/stream-event.js';
import { ExchangeSpool, type SpoolPlace } from '../report/exchange-spool.js';
import type { TlsJson } from '../report/flows-json.js';
import { classify, NO_REQUEST_CLASS, type DusClassification } from './exchange-kind.js';
import { sharedEndpoint } from '../reassembly/shared-endpoint.js';
import { Numbered } from '../util/column.js';
import type { DusExchange, UpxResult } from './model.js';
import type { UpxRequest, UpxResponse } from './upx-types.js';
import type { CheckInBodies } from './build-model.js';

/** What a lean message shares with others: its start line's words and the two headers the rules read. */
interface MessageHead {
  readonly method: string;
  readonly status: number;
  readonly reason: string;
  readonly version: string;
  readonly headers: HttpHeader[];
  /** The two headers' values (null: absent), as a record holds them. */
  readonly length: string | null;
  readonly encoding: string | null;
}

/** Heads are few (one per method, status and body size): shared, up to this many. */
const MAX_HEADS = 4096;
const heads = new Map<string, MessageHead>();
/**
 * The head last made for a header list: the parser hands out one shared list
 * for a header block seen again and again (http/intern.ts), so most messages
 * find their head here without a key being made.
 */
const byList = new WeakMap<readonly HttpHeader[], MessageHead>();

function headOf(m: HttpMessage): MessageHead {
  const known = byList.get(m.headers);
  const method = m.type === 'request' ? m.method : '';
  const status = m.type === 'response' ? m.status : 0;
  const reason = m.type === 'response' ? m.reason : '';
  if (known !== undefined && known.method === method && known.status === status && known.reason === reason && known.version === m.version) return known;
  const head = headByKey(m, method, status, reason);
  if (Object.isFrozen(m.headers)) byList.set(m.headers, head);
  return head;
}

function headByKey(m: HttpMessage, method: string, status: number, reason: string): MessageHead {
  return sharedHead(method, status, reason, m.version, headerValue(m.headers, 'content-length'), headerValue(m.headers, 'content-encoding'));
}

function sharedHead(method: string, status: number, reason: string, version: string, length: string | undefined, encoding: string | undefined): MessageHead {
  const key = `${method}\u0000${status}\u0000${reason}\u0000${version}\u0000${length ?? '\u0001'}\u0000${encoding ?? '\u0001'}`;
  let head = heads.get(key);
  if (head === undefined) {
    const headers: HttpHeader[] = [];
    if (length !== undefined) headers.push({ name: 'Content-Length', value: length });
    if (encoding !== undefined) headers.push({ name: 'Content-Encoding', value: encoding });
    head = Object.freeze({ method, status, reason, version, headers: headers.length ? (Object.freeze(headers) as HttpHeader[]) : NO_HEADERS, length: length ?? null, encoding: encoding ?? null });
    if (heads.size < MAX_HEADS) heads.set(key, head);
  }
  return head;
}

/** A head as a record holds it: its words and the two headers, undefined for none. */
type HeadRecord = [method: string, status: number, reason: string, version: string, length: string | null, encoding: string | null] | null;

function headRecord(h: MessageHead | undefined): HeadRecord {
  return h === undefined ? null : [h.method, h.status, h.reason, h.version, h.length, h.encoding];
}

function headOfRecord(r: HeadRecord): MessageHead | undefined {
  return r === null ? undefined : sharedHead(r[0], r[1], r[2], r[3], r[4] ?? undefined, r[5] ?? undefined);
}

/**
 * Values a record names by number instead of holding: the decoded bodies,
 * which every check-in with the same bytes shares (upx-decode-cache.ts), so
 * an exchange read back from its record has the very objects it had; 0 is
 * none.
 */
export function sharedValues(): Numbered<unknown> {
  return new Numbered<unknown>([undefined]);
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
  /** How TLS was decrypted (known when the pipeline is done). */
  decrypted?: TlsJson;
  /** Ends of messages that took longer than END_DELTA_MAX to arrive. */
  requestEndNs?: bigint;
  responseEndNs?: bigint;
}

const NS = 1_000_000_000n;
/** A message's end is kept as nanoseconds after its start when that is a small integer (about 1 s). */
const END_DELTA_MAX = 0x3fffffff;

// Bits of `flags`.
const SWAPPED = 1; // the client is the flow's server
const REQUEST_COMPLETE = 2;
const RESPONSE_COMPLETE = 4;
const OFFER_BESIDE = 8; // `offer` is offeredBeside, not offeredBy

/** The request's and the response's numbers, in the order the class declares them (and a record holds them). */
const REQUEST_NUMBERS = ['qFrame', 'qFirstFrame', 'qStartS', 'qStartN', 'qEndDelta', 'qBodySize'] as const;
const RESPONSE_NUMBERS = ['sFrame', 'sFirstFrame', 'sStartS', 'sStartN', 'sEndDelta', 'sBodySize'] as const;

/** Where a record (StoredExchange.toRecord) holds the request's numbers, and the response's head (its numbers follow). */
const REQUEST_AT = 17;
const RESPONSE_HEAD_AT = REQUEST_AT + REQUEST_NUMBERS.length;

function numbersOf(x: StoredExchange, names: readonly string[]): number[] {
  return names.map((k) => (x as unknown as Record<string, number>)[k]);
}

/**
 * One number per field where a field of each kind would do: an object is
 * paid per field, and tens of thousands of these live until the report is written.
 */
export class StoredExchange implements DusExchange {
  id: string;
  readonly cls: DusClassification;
  phone = '';
  upxRequest: UpxResult<UpxRequest> | undefined;
  upxResponse: UpxResult<UpxResponse> | undefined;
  readonly flow: FlowInfo;
  /** The whole exchange when the caller keeps it, else the spool with its report JSON (once put aside). */
  private source: HttpExchange | ExchangeSpool | undefined;
  private textAt = 0;
  private textLength = 0;
  private flags = 0;
  private offer: string | undefined = undefined;
  private rare: Rare | undefined;
  // The request (qHead undefined: none) and the response (sHead undefined: none).
  private readonly qHead: MessageHead | undefined;
  private readonly qUri: string;
  private readonly qFrame: number;
  private readonly qFirstFrame: number;
  private readonly qStartS: number;
  private readonly qStartN: number;
  private readonly qEndDelta: number;
  private readonly qBodySize: number;
  private readonly sHead: MessageHead | undefined;
  private readonly sFrame: number;
  private readonly sFirstFrame: number;
  private readonly sStartS: number;
  private readonly sStartN: number;
  private readonly sEndDelta: number;
  private readonly sBodySize: number;

  /** `keep`: keep the whole exchange as well (`http` is then that very object). */
  constructor(x: HttpExchange, cls: DusClassification, bodies: { upxRequest?: UpxResult<UpxRequest>; upxResponse?: UpxResult<UpxResponse> } | undefined, keep: boolean) {
    this.id = x.id;
    this.cls = cls;
    this.upxRequest = bodies?.upxRequest;
    this.upxResponse = bodies?.upxResponse;
    this.source = keep ? x : undefined;
    this.flow = x.flow;
    const q = x.request;
    const s = x.response;
    let rare: Rare | undefined;
    const note = <K extends keyof Rare>(k: K, v: Rare[K]) => ((rare ??= {})[k] = v);
    if (q?.rawTarget !== undefined) note('rawTarget', q.rawTarget);
    if (q && q.notes.length) note('requestNotes', q.notes);
    if (s && s.notes.length) note('responseNotes', s.notes);
    if (s?.body !== undefined) note('responseBody', s.body);
    if (x.interim.length) note('interim', x.interim);
    if (x.notes.length) note('notes', x.notes);
    if (x.decrypted) note('decrypted', x.decrypted);
    const qDelta = q ? q.endNs - q.startNs : 0n;
    const sDelta = s ? s.endNs - s.startNs : 0n;
    if (q && (qDelta < 0n || qDelta > END_DELTA_MAX)) note('requestEndNs', q.endNs);
    if (s && (sDelta < 0n || sDelta > END_DELTA_MAX)) note('responseEndNs', s.endNs);
    this.rare = rare;
    this.flags = (x.client.ip === x.flow.client.ip && x.client.port === x.flow.client.port ? 0 : SWAPPED) | (q?.complete ? REQUEST_COMPLETE : 0) | (s?.complete ? RESPONSE_COMPLETE : 0);
    this.qHead = q ? headOf(q) : undefined;
    this.qUri = q ? q.uri : '';
    this.qFrame = q ? q.frame : 0;
    this.qFirstFrame = q ? q.firstFrame : 0;
    this.qStartS = q ? Number(q.startNs / NS) : 0;
    this.qStartN = q ? Number(q.startNs % NS) : 0;
    this.qEndDelta = rare?.requestEndNs === undefined ? Number(qDelta) : 0;
    this.qBodySize = q ? q.bodySize : 0;
    this.sHead = s ? headOf(s) : undefined;
    this.sFrame = s ? s.frame : 0;
    this.sFirstFrame = s ? s.firstFrame : 0;
    this.sStartS = s ? Number(s.startNs / NS) : 0;
    this.sStartN = s ? Number(s.startNs % NS) : 0;
    this.sEndDelta = rare?.responseEndNs === undefined ? Number(sDelta) : 0;
    this.sBodySize = s ? s.bodySize : 0;
  }

  /**
   * The exchange as a record (what the report reads of it: see the top of the
   * file), for a report made a part at a time (analysis-parts.ts): its fields
   * as JSON text, and what is rare on it, when anything is, put in `records`
   * first as bytes. Only for an exchange whose JSON is in a spool.
   */
  toRecord(shared: Numbered<unknown>, records: ExchangeSpool): string {
    if (!(this.source instanceof ExchangeSpool)) throw new Error('only a spooled exchange has a record');
    const f = this.flow;
    const rare = this.rare === undefined ? null : records.appendBytes(serialize(this.rare));
    return JSON.stringify([
      this.id, f.index, f.client.ip, f.client.port, f.server.ip, f.server.port, f.firstFrame, f.sawSyn,
      this.flags, this.offer ?? null, this.textAt, this.textLength, shared.id(this.upxRequest), shared.id(this.upxResponse),
      rare === null ? null : [rare.at, rare.length],
      headRecord(this.qHead), this.qUri, ...numbersOf(this, REQUEST_NUMBERS),
      headRecord(this.sHead), ...numbersOf(this, RESPONSE_NUMBERS),
    ]);
  }

  /**
   * The exchange of a record toRecord made (its rare part in `records`), its
   * JSON in `spool`. `flows` gives the exchanges of one connection one
   * FlowInfo, as the pipeline did.
   */
  static fromRecord(text: string, shared: Numbered<unknown>, spool: ExchangeSpool, records: ExchangeSpool, flows: Map<number, FlowInfo>): StoredExchange {
    const r = JSON.parse(text) as unknown[];
    const index = r[1] as number;
    let flow = flows.get(index);
    if (flow === undefined) {
      flow = { index, client: sharedEndpoint(r[2] as string, r[3] as number), server: sharedEndpoint(r[4] as string, r[5] as number), firstFrame: r[6] as number, sawSyn: r[7] as boolean };
      flows.set(index, flow);
    }
    const rarePlace = r[14] as [number, number] | null;
    // Node's deserializer makes a typed array (an error page's body) a view of
    // the bytes it reads, which the spool reuses (and places it wrong in bytes
    // that do not start their ArrayBuffer): it reads a copy of its own.
    const rare = rarePlace === null ? undefined : (deserialize(new Uint8Array(records.readBytes({ at: rarePlace[0], length: rarePlace[1] }))) as Rare);
    const qHead = headOfRecord(r[15] as HeadRecord);
    const qUri = r[16] as string;
    const x = StoredExchange.blank();
    x.id = r[0];
    x.cls = qHead ? classify(qHead.method, qUri) : NO_REQUEST_CLASS;
    x.upxRequest = shared.at(r[12] as number);
    x.upxResponse = shared.at(r[13] as number);
    x.flow = flow;
    x.source = spool;
    x.textAt = r[10];
    x.textLength = r[11];
    x.flags = r[8];
    x.offer = r[9] ?? undefined;
    x.rare = rare;
    x.qHead = qHead;
    x.qUri = qUri;
    REQUEST_NUMBERS.forEach((k, i) => (x[k] = r[REQUEST_AT + i]));
    x.sHead = headOfRecord(r[RESPONSE_HEAD_AT] as HeadRecord);
    RESPONSE_NUMBERS.forEach((k, i) => (x[k] = r[RESPONSE_HEAD_AT + 1 + i]));
    return x as unknown as StoredExchange;
  }

  /**
   * An exchange that can give only its report JSON (in `spool` at `place`)
   * and what the JSON report adds to it (analyze-json.ts: kind and handler,
   * phone, decoded bodies, TLS): what the report of a capture made a part at a
   * time reads of each exchange, kept as numbers until then (analysis-parts.ts).
   */
  static forReport(id: string, cls: DusClassification, bodies: CheckInBodies, spool: ExchangeSpool, place: SpoolPlace, decrypted: TlsJson | undefined): StoredExchange {
    const x = StoredExchange.blank();
    x.id = id;
    x.cls = cls;
    x.upxRequest = bodies.upxRequest;
    x.upxResponse = bodies.upxResponse;
    x.source = spool;
    x.textAt = place.at;
    x.textLength = place.length;
    x.rare = decrypted === undefined ? undefined : { decrypted };
    return x as unknown as StoredExchange;
  }

  /**
   * An exchange made without the constructor, every field at its empty value
   * and in the order the class declares them: the objects made either way
   * then share one shape.
   */
  private static blank(): Record<string, unknown> {
    const x = Object.create(StoredExchange.prototype) as Record<string, unknown>;
    x.id = '';
    x.cls = NO_REQUEST_CLASS;
    x.phone = '';
    x.upxRequest = undefined;
    x.upxResponse = undefined;
    x.flow = undefined;
    x.source = undefined;
    x.textAt = 0;
    x.textLength = 0;
    x.flags = 0;
    x.offer = undefined;
    x.rare = undefined;
    x.qHead = undefined;
    x.qUri = '';
    for (const k of REQUEST_NUMBERS) x[k] = 0;
    x.sHead = undefined;
    for (const k of RESPONSE_NUMBERS) x[k] = 0;
    return x;
  }

  /** Where the spool holds the report JSON of the exchange (once spooled). */
  get reportPlace(): SpoolPlace {
    return { at: this.textAt, length: this.textLength };
  }

  /** The whole exchange, when kept. */
  get full(): HttpExchange | undefined {
    const s = this.source;
    return s !== undefined && !(s instanceof ExchangeSpool) ? s : undefined;
  }

  get client(): Endpoint {
    return this.flags & SWAPPED ? this.flow.server : this.flow.client;
  }

  get server(): Endpoint {
    return this.flags & SWAPPED ? this.flow.client : this.flow.server;
  }

  /** How TLS was decrypted, known when the pipeline is done. */
  get decrypted(): TlsJson | undefined {
    return this.rare?.decrypted;
  }

  set decrypted(t: TlsJson | undefined) {
    if (t === undefined && this.rare?.decrypted === undefined) return;
    (this.rare ??= {}).decrypted = t;
    const full = this.full;
    if (full) full.decrypted = t;
  }

  get offeredBy(): string | undefined {
    return this.flags & OFFER_BESIDE ? undefined : this.offer;
  }

  set offeredBy(id: string | undefined) {
    this.setOffer(id, 0);
  }

  get offeredBeside(): string | undefined {
    return this.flags & OFFER_BESIDE ? this.offer : undefined;
  }

  set offeredBeside(id: string | undefined) {
    this.setOffer(id, OFFER_BESIDE);
  }

  /** An exchange is offered by one check-in or beside one, never both (build-model.ts). */
  private setOffer(id: string | undefined, kind: number): void {
    if (id === undefined) {
      if ((this.flags & OFFER_BESIDE) === kind) this.offer = undefined;
      return;
    }
    this.offer = id;
    this.flags = (this.flags & ~OFFER_BESIDE) | kind;
  }

  /** Where the spool holds the report's JSON of the exchange (without `tls`: known only at the end). */
  spooled(spool: ExchangeSpool, place: SpoolPlace): void {
    this.source = spool;
    this.textAt = place.at;
    this.textLength = place.length;
  }

  /** The text spoolText put aside, if any. */
  reportText(): string | undefined {
    const s = this.source;
    return s instanceof ExchangeSpool ? s.read({ at: this.textAt, length: this.textLength }) : undefined;
  }

  /** Where the exchange starts in the capture (request first frame, else response): the reports' order. */
  get startFrame(): number {
    return this.qHead ? this.qFirstFrame : this.sHead ? this.sFirstFrame : 0;
  }

  /** The whole exchange when kept, else a lean one rebuilt from what is kept (see the top of the file). */
  get http(): HttpExchange {
    const full = this.full;
    if (full) return full;
    // Rules read several fields of one exchange in a row: the last one rebuilt is handed out again.
    if (lastLean?.of !== this) lastLean = new LeanExchange(this);
    return lastLean;
  }

  /** Interim responses and exchange notes, when there were any (for the lean exchange). */
  get interim(): HttpResponse[] {
    return this.rare?.interim ?? NO_RESPONSES;
  }

  get notes(): HttpExchange['notes'] {
    return this.rare?.notes ?? NO_NOTES;
  }

  /** The lean request (LeanExchange makes it when first read). */
  leanRequest(): HttpRequest | null {
    const h = this.qHead;
    return h ? new LeanRequest(this, h, this.qUri, this.qFrame, this.qFirstFrame, this.qBodySize, (this.flags & REQUEST_COMPLETE) !== 0, this.rare) : null;
  }

  /** The lean response (LeanExchange makes it when first read). */
  leanResponse(): HttpResponse | null {
    const h = this.sHead;
    return h ? new LeanResponse(this, h, this.sFrame, this.sFirstFrame, this.sBodySize, (this.flags & RESPONSE_COMPLETE) !== 0, this.rare) : null;
  }

  /** The start or end time of the request or the response (for the lean messages). */
  messageNs(response: boolean, end: boolean): bigint {
    const start = response ? BigInt(this.sStartS) * NS + BigInt(this.sStartN) : BigInt(this.qStartS) * NS + BigInt(this.qStartN);
    if (!end) return start;
    const kept = response ? this.rare?.responseEndNs : this.rare?.requestEndNs;
    return kept ?? start + BigInt(response ? this.sEndDelta : this.qEndDelta);
  }
}

/**
 * A lean exchange: a view of its StoredExchange, read through (one object made
 * per rebuild); its messages are made when first read (a rule reads the
 * endpoints of every exchange, the messages of fewer).
 */
class LeanExchange implements HttpExchange {
  private req: HttpRequest | null | undefined = undefined;
  private res: HttpResponse | null | undefined = undefined;

  constructor(readonly of: StoredExchange) {}

  get id(): string {
    return this.of.id;
  }

  get flow(): FlowInfo {
    return this.of.flow;
  }

  get client(): Endpoint {
    return this.of.client;
  }

  get server(): Endpoint {
    return this.of.server;
  }

  get interim(): HttpResponse[] {
    return this.of.interim;
  }

  get notes(): HttpExchange['notes'] {
    return this.of.notes;
  }

  get decrypted(): TlsJson | undefined {
    return this.of.decrypted;
  }

  set decrypted(t: TlsJson | undefined) {
    this.of.decrypted = t;
  }

  get request(): HttpRequest | null {
    return this.req === undefined ? (this.req = this.of.leanRequest()) : this.req;
  }

  get response(): HttpResponse | null {
    return this.res === undefined ? (this.res = this.of.leanResponse()) : this.res;
  }
}

/** What a lean request and a lean response share; their times are BigInts made only when read (few rules read them). */
abstract class LeanMessage {
  readonly version: string;
  readonly headers: HttpHeader[];
  readonly trailers = NO_HEADERS;
  readonly streamStart = 0;
  readonly streamEnd = 0;
  readonly bodySha256 = '';

  constructor(
    private readonly of: StoredExchange,
    private readonly isResponse: boolean,
    h: MessageHead,
    readonly frame: number,
    readonly firstFrame: number,
    readonly bodySize: number,
    readonly complete: boolean,
    readonly notes: HttpMessage['notes'],
  ) {
    this.version = h.version;
    this.headers = h.headers;
  }

  get startNs(): bigint {
    return this.of.messageNs(this.isResponse, false);
  }

  get endNs(): bigint {
    return this.of.messageNs(this.isResponse, true);
  }
}

class LeanRequest extends LeanMessage implements HttpRequest {
  readonly type = 'request' as const;
  readonly method: string;
  readonly rawTarget: string | undefined;

  constructor(of: StoredExchange, h: MessageHead, readonly uri: string, frame: number, firstFrame: number, bodySize: number, complete: boolean, rare: Rare | undefined) {
    super(of, false, h, frame, firstFrame, bodySize, complete, rare?.requestNotes ?? NO_NOTES);
    this.method = h.method;
    this.rawTarget = rare?.rawTarget;
  }
}

class LeanResponse extends LeanMessage implements HttpResponse {
  readonly type = 'response' as const;
  readonly status: number;
  readonly reason: string;
  readonly body: Uint8Array | undefined;

  constructor(of: StoredExchange, h: MessageHead, frame: number, firstFrame: number, bodySize: number, complete: boolean, rare: Rare | undefined) {
    super(of, true, h, frame, firstFrame, bodySize, complete, rare?.responseNotes ?? NO_NOTES);
    this.status = h.status;
    this.reason = h.reason;
    this.body = rare?.responseBody;
  }
}

/** What asking for the JSON of an exchange kept lean without it (CollectorOptions.lean) meets. */
export function notKept(): never {
  throw new Error("the exchanges' JSON was not kept by this analysis (lean, for a text report)");
}

let lastLean: LeanExchange | undefined;
