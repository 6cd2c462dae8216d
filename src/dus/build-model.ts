// Builds the DusModel from what the pipeline delivered: classifies each HTTP
// exchange, decodes check-in bodies, ties exchanges to phones (by the MAC in
// the XML, the Ethernet source of the client's frames, then the IP), links
// downloads to the check-in that offered them, and lays out each phone's
// timeline. It states facts only; src/diagnose/ judges.
import { decodeContent } from '../http/content-decoding.js';
import type { HttpExchange } from '../http/exchanges.js';
import type { KeepBody } from '../http/http1-parser.js';
import { headerValue, type HttpMessage } from '../http/message.js';
import type { ConnectionRecord } from '../reassembly/connection-log.js';
import type { CaptureJson } from '../report/flows-json.js';
import { classify, NO_REQUEST_CLASS, targetPath, type DusClassification } from './exchange-kind.js';
import { StoredExchange } from './stored-exchange.js';
import type { CaptureHealth, DusExchange, DusModel, Phone, TimelineEntry, UpxResult } from './model.js';
import { decodeUpx } from './upx-codec.js';
import { TwoKeyMemo } from '../util/two-key-memo.js';
import { cachedDecode } from './upx-decode-cache.js';
import type { UpxRequest, UpxResponse } from './upx-types.js';

/** ucdevice.upx bodies are under 2 KB; anything kept beyond this is not decoded. */
const MAX_UPX_BODY = 1024 * 1024;
/** IIS error pages are a few KB; a download's error body up to this is kept (it names the substatus, 500.19 or 403.4). */
const MAX_ERROR_BODY = 64 * 1024;

/** Gaps between a phone's entries that mean something (seed: the reboot after an update takes about 5-8 minutes). */
function gapMeaning(seconds: number): TimelineEntry['gapMeaning'] {
  if (seconds >= 240 && seconds <= 900) return 'idle-reboot';
  if (seconds >= 20 * 3600 && seconds <= 28 * 3600) return 'daily-check';
  return undefined;
}

function decodeBody<T extends UpxRequest | UpxResponse>(m: HttpMessage, kind: T['kind']): UpxResult<T> | undefined {
  const body = m.body;
  if (m.bodySize === 0 || !body || body.length > MAX_UPX_BODY) return undefined;
  const encoding = headerValue(m.headers, 'content-encoding');
  // The same body decodes the same way: phones repeat their check-ins, servers their answers.
  return cachedDecode(body, m.bodySha256, `${kind}\u0000${encoding ?? ''}`, () => {
    const content = decodeContent(body, encoding, MAX_UPX_BODY);
    const bytes = content.ok ? content.bytes : body;
    return decodeUpx(bytes, { kind }) as UpxResult<T>;
  });
}

/** A check-in's decoded bodies, as buildModel keeps them on its DusExchange. */
export interface CheckInBodies {
  upxRequest?: UpxResult<UpxRequest>;
  upxResponse?: UpxResult<UpxResponse>;
}

/**
 * Decode a check-in's request and (200) response bodies. buildModel does it
 * for exchanges that come without; a collector can do it as each exchange
 * arrives, on the thread that found it (analyze --threads).
 */
export function decodeCheckIn(http: HttpExchange): CheckInBodies {
  const b: CheckInBodies = {};
  if (http.request) b.upxRequest = decodeBody<UpxRequest>(http.request, 'request');
  if (http.response && http.response.status === 200) b.upxResponse = decodeBody<UpxResponse>(http.response, 'response');
  return b;
}

/** What an exchange is to the service, by its request line (nothing, without one). */
export function classOf(http: HttpExchange): DusClassification {
  return http.request ? classify(http.request.method, http.request.uri) : NO_REQUEST_CLASS;
}

export interface StoreOptions {
  /** Keep the whole exchange (the terminal UI, tickets and live sessions show headers and bodies). @default true */
  keep?: boolean;
  /** Keep check-in bodies once decoded. @default true */
  keepCheckInBodies?: boolean;
}

/**
 * The bodies storedExchange() below may keep or read, decided from each
 * message's head while it is parsed (Http1ParserOptions.keepBody): a
 * check-in's, a response's with an error status, or one whose request is not
 * known. Others (firmware downloads above all) are hashed and counted but not
 * copied. Kept a superset of what storedExchange keeps, so the model is the same.
 */
export const bodyWorthKeeping: KeepBody = (request, status) =>
  (status !== undefined && status >= 400) || request === undefined || classify(request.method, request.uri).kind === 'check-in';

/**
 * An HTTP exchange as the model keeps it: classified, the bodies nothing will
 * read dropped, a check-in's bodies decoded (here, so that under analyze
 * --threads it is done on the thread that found the exchange).
 */
export function storedExchange(http: HttpExchange, opts: StoreOptions = {}): StoredExchange {
  const cls = classOf(http);
  let bodies: CheckInBodies | undefined;
  if (cls.kind === 'check-in') {
    bodies = decodeCheckIn(http);
    if (opts.keepCheckInBodies === false || opts.keep === false) {
      if (http.request) http.request.body = undefined;
      if (http.response) http.response.body = undefined;
    }
  } else {
    // Rules read request bodies only of check-ins, response bodies only of error
    // pages: IIS writes the substatus (500.19, 403.4) only in them. Firmware is hashed already.
    if (http.request) http.request.body = undefined;
    const res = http.response;
    if (res && !(res.status >= 400 && (res.body?.length ?? 0) <= MAX_ERROR_BODY)) res.body = undefined;
  }
  return new StoredExchange(http, cls, bodies, opts.keep !== false);
}

/** `00:21:63:0f:20:7b` → `0021630F207B`. */
export function macKey(mac: string): string {
  return mac.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

export interface ModelInputs {
  captures: CaptureJson[];
  /** The exchanges, as storedExchange made them; buildModel sets their phone and offers. */
  exchanges: StoredExchange[];
  connections: ConnectionRecord[];
  /** Ethernet source MAC seen for a client IP. */
  macOfIp: (ip: string) => string | undefined;
  /** Frames cut by the snap length. */
  snapCut: number;
  /** HTTPS connections whose content was not decrypted. */
  unreadableTls: number;
  endNs: bigint;
}

/** `/a/b/CPE.nbt` → `/a/b/`. */
function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}

export function buildModel(inp: ModelInputs): DusModel {
  const exchanges: StoredExchange[] = [];
  // Pass 1: learn MACs from the check-in XML.
  const xmlMacOfIp = new Map<string, string>();
  for (const x of inp.exchanges) {
    // A live session builds the model again from the same exchanges as more arrive.
    x.phone = '';
    x.offeredBy = undefined;
    x.offeredBeside = undefined;
    if (x.cls.kind === 'check-in') {
      const mac = x.upxRequest?.ok ? x.upxRequest.value.macAddress?.normalized : undefined;
      if (mac) xmlMacOfIp.set(x.client.ip, mac);
    }
    exchanges.push(x);
  }

  // Pass 2: phones.
  const phones = new Map<string, Phone>();
  const exchangesOf = new Map<string, StoredExchange[]>();
  const phoneFor = (ip: string, xmlMac?: string): Phone => {
    const linkMac = inp.macOfIp(ip);
    const mac = xmlMac ?? xmlMacOfIp.get(ip) ?? (linkMac ? macKey(linkMac) : undefined);
    const key = mac ?? `ip:${ip}`;
    let p = phones.get(key);
    if (!p) {
      p = { key, mac, ips: [], serials: [], exchanges: [], timeline: [], status: 'unknown' };
      phones.set(key, p);
    }
    if (!p.ips.includes(ip)) p.ips.push(ip);
    return p;
  };
  for (const x of exchanges) {
    if (x.cls.kind === 'other') continue;
    const req = x.upxRequest?.ok ? x.upxRequest.value : undefined;
    const p = phoneFor(x.client.ip, req?.macAddress?.normalized);
    x.phone = p.key;
    p.exchanges.push(x.id);
    let mine = exchangesOf.get(p.key);
    if (!mine) exchangesOf.set(p.key, (mine = []));
    mine.push(x);
    if (req) {
      if (req.serialNumber && !p.serials.includes(req.serialNumber)) p.serials.push(req.serialNumber);
      p.vendor = req.vendor ?? p.vendor;
      p.model = req.model ?? p.model;
      p.revision = req.revision ?? p.revision;
      p.locale = req.locale ?? p.locale;
      const cpe = req.files.find((f) => /\.nbt$/i.test(f.fileName ?? '')) ?? req.files[0];
      if (cpe?.version !== undefined) p.version = cpe.version;
    }
  }

  // Downloads: which check-in offered this URL (the latest one before it, same phone).
  // The whole target counts, spaces included: a phone that puts a raw space in
  // its request line still asked for the URL it was offered.
  // Offers are kept per phone so a capture of many phones stays linear.
  const offersOf = new Map<string, Array<{ x: DusExchange; paths: Set<string>; folders: Set<string> }>>();
  for (const x of exchanges) {
    if (x.cls.kind === 'check-in' && x.upxResponse?.ok) {
      const paths = new Set(x.upxResponse.value.files.map((f) => targetPath(f.url ?? '').toLowerCase()).filter((u) => u !== ''));
      if (paths.size === 0) continue;
      const list = offersOf.get(x.phone) ?? [];
      list.push({ x, paths, folders: new Set([...paths].map(folderOf)) });
      offersOf.set(x.phone, list);
    } else if (x.cls.kind === 'download' && x.http.request) {
      const path = targetPath(x.http.request.rawTarget ?? x.http.request.uri).toLowerCase();
      const mine = offersOf.get(x.phone) ?? [];
      // The latest offer before this download wins.
      const latest = (hit: (o: (typeof mine)[number]) => boolean) => {
        for (let i = mine.length - 1; i >= 0; i--) if (hit(mine[i])) return mine[i];
        return undefined;
      };
      const by = latest((o) => o.paths.has(path));
      if (by) x.offeredBy = by.x.id;
      else {
        const beside = latest((o) => o.folders.has(folderOf(path)));
        if (beside) x.offeredBeside = beside.x.id;
      }
    }
  }

  // Timelines are made each time one is read (a report reads each once): kept,
  // they would hold an entry per exchange for as long as the model lives.
  const timelineOf = timelineMaker();
  for (const p of phones.values()) lazyTimeline(p, exchangesOf.get(p.key) ?? [], timelineOf);

  return {
    captures: inp.captures,
    exchanges,
    phones: [...phones.values()],
    connections: inp.connections,
    macOfClient: macOfClients(inp.connections.map((c) => c.client.ip), inp.macOfIp),
    health: health(inp),
    endNs: inp.endNs,
  };
}

/**
 * The Ethernet source behind each connection's client (DusModel.macOfClient),
 * so a connection that never carried a message can still name its phone.
 */
export function macOfClients(clients: Iterable<string>, macOfIp: (ip: string) => string | undefined): Record<string, string> {
  const macOfClient: Record<string, string> = {};
  const seen = new Set<string>();
  for (const ip of clients) {
    // A phone opens many connections from one address: each address once.
    if (seen.has(ip)) continue;
    seen.add(ip);
    const mac = macOfIp(ip);
    if (mac) macOfClient[ip] = macKey(mac);
  }
  return macOfClient;
}

/**
 * Make a phone's timeline when it is read, from its exchanges. An accessor where
 * the array was: a caller that sets the timeline (logs/merge.ts) keeps its own.
 * Made here, not in buildModel: closures made there would keep buildModel's
 * scope, and with it its inputs (the collector behind `macOfIp`, every
 * connection table), for as long as the model lives.
 */
function lazyTimeline(p: Phone, mine: readonly StoredExchange[], timelineOf: (exchanges: readonly StoredExchange[]) => TimelineEntry[]): void {
  let kept: TimelineEntry[] | undefined;
  Object.defineProperty(p, 'timeline', {
    enumerable: true,
    configurable: true,
    get: () => kept ?? timelineOf(mine),
    set: (t: TimelineEntry[]) => {
      kept = t;
    },
  });
}

/** The timeline of a phone's exchanges (given in report order): its check-ins and downloads by time, with the gaps between them. */
function timelineMaker(): (exchanges: readonly StoredExchange[]) => TimelineEntry[] {
  // A phone says the same thing at each check-in: one string per summary.
  const summaries = new Map<string, string>();
  // Unbounded: it lives as long as the model, and holds a line per distinct pair.
  const checkInSummaries = new TwoKeyMemo<object, unknown, string>(Infinity);
  return (exchanges) => {
    const timeline: TimelineEntry[] = [];
    for (const x of exchanges) {
      const req = x.http.request;
      const res = x.http.response;
      const timeNs = req?.startNs ?? res?.startNs ?? 0n;
      const frames = req && res ? [req.frame, res.frame] : req ? [req.frame] : res ? [res.frame] : [];
      let summary: string;
      if (x.cls.kind === 'check-in') {
        // Decoded bodies are shared by every check-in with the same bytes
        // (upx-decode-cache.ts): the summary is made once per pair, not per check-in.
        const answerKey: unknown = !res ? NO_ANSWER : res.status !== 200 ? res.status : (x.upxResponse ?? NO_ANSWER_BODY);
        const requestKey: object = x.upxRequest ?? NO_REQUEST_BODY;
        summary = checkInSummaries.get(requestKey, answerKey) ?? checkInSummaries.remember(requestKey, answerKey, checkInSummary(x));
      } else {
        summary = `download ${req?.uri ?? '?'}: ${res ? `HTTP ${res.status}, ${res.bodySize} bytes${res.complete ? '' : ', cut short'}` : 'no response'}`;
      }
      let shared = summaries.get(summary);
      if (shared === undefined) summaries.set(summary, (shared = summary));
      timeline.push({ kind: x.cls.kind as TimelineEntry['kind'], ref: x.id, timeNs, frames, gapSeconds: undefined, gapMeaning: undefined, summary: shared });
    }
    timeline.sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0));
    for (let i = 1; i < timeline.length; i++) {
      const s = Number(timeline[i].timeNs - timeline[i - 1].timeNs) / 1e9;
      timeline[i].gapSeconds = s;
      timeline[i].gapMeaning = gapMeaning(s);
    }
    return timeline;
  };
}

/** Keys for check-ins without a decoded request or response body, or without a response. */
const NO_REQUEST_BODY = {};
const NO_ANSWER = {};
const NO_ANSWER_BODY = {};

/** A check-in's line in its phone's timeline: the files it reported and what it was told. */
function checkInSummary(x: DusExchange): string {
  const res = x.http.response;
  const reported = x.upxRequest?.ok ? x.upxRequest.value.files.map((f) => `${f.fileName ?? '?'} ${f.version ?? '?'}`).join(', ') : 'unreadable request';
  const answer = !res
    ? 'no response'
    : res.status !== 200
      ? `HTTP ${res.status}`
      : x.upxResponse?.ok
        ? x.upxResponse.value.files.length > 0
          ? `offered ${x.upxResponse.value.files.map((f) => f.version ?? f.fileName ?? '?').join(', ')}`
          : `Downloads ${x.upxResponse.value.downloadsRaw ?? '(none)'}`
        : 'unreadable response';
  return `check-in (${reported}): ${answer}`;
}

function health(inp: ModelInputs): CaptureHealth {
  const notes: string[] = [];
  let holes = 0;
  let holeBytes = 0;
  let resends = 0;
  let oneSided = 0;
  let records = 0;
  for (const c of inp.captures) {
    records += c.records;
    holes += c.stats.tcp.gaps;
    holeBytes += c.stats.tcp.gapBytes;
    resends += c.stats.tcp.retransmissions;
    oneSided += c.stats.tcp.oneSidedFlows;
  }
  if (inp.snapCut > 0) notes.push(`${inp.snapCut} frame(s) were cut by the snap length: bodies in them are incomplete`);
  if (holes > 0) notes.push(`${holes} hole(s) in TCP streams (${holeBytes} bytes the capture never saw)`);
  if (oneSided > 0) notes.push(`${oneSided} TCP connection(s) seen in one direction only: the capture may get half the traffic`);
  if (inp.unreadableTls > 0) notes.push(`${inp.unreadableTls} HTTPS connection(s) could not be read (no key)`);
  return {
    records,
    snapCut: inp.snapCut,
    tcpHoles: holes,
    tcpHoleBytes: holeBytes,
    retransmissions: resends,
    oneSidedFlows: oneSided,
    unreadableTls: inp.unreadableTls,
    whole: inp.snapCut === 0 && holes === 0 && oneSided === 0,
    notes,
  };
}
