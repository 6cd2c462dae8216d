// Stream events in, HTTP exchanges (request + its response) out. One request
// parser and one response parser per TCP connection. HTTP is recognised by
// content, on any port: the first line of one direction must look like a
// request-line or a status-line (Wireshark's heuristic dissectors and
// conversation_set_dissector do the same). A connection that is not HTTP is
// pinned as such and its bytes are dropped unread. If the reassembler's guessed
// client turns out to send the responses, the roles are swapped.
//
// Responses pair with requests in order (RFC 9112 section 9.3: keep-alive and
// pipelining keep order); 1xx other than 101 are interim answers.
import type { DecodeError } from '../net/decode-error.js';
import type { Direction, Endpoint, FlowInfo, FrameSpan, StreamEndReason, StreamEvent } from '../reassembly/stream-event.js';
import { Http1Parser, type HttpEvent, type KeepBody } from './http1-parser.js';
import { NO_NOTES, NO_RESPONSES, type HttpRequest, type HttpResponse } from './message.js';
import type { OffThreadHasher } from './off-thread-hasher.js';
import { PROBE_MAX_LINE, probeStartLine, type StartProbe } from './start-line.js';

/** A request and the response that answered it, on one connection. */
export interface HttpExchange {
  /** `${flow.index}.${n}`, n counting from 1 in request order. */
  id: string;
  flow: FlowInfo;
  /** The side that sent the request (the flow's server when roles were swapped). */
  client: Endpoint;
  server: Endpoint;
  /** Null when the capture holds a response but not its request. */
  request: HttpRequest | null;
  /** Null when no final response was seen before the connection ended. */
  response: HttpResponse | null;
  /** 1xx interim responses (100 Continue...), in order. */
  interim: HttpResponse[];
  /** Parser problems met between messages around this exchange. */
  notes: DecodeError[];
  /** Set by the pipeline's caller when the connection was decrypted from TLS. */
  decrypted?: { version: string; cipherSuite: string; keySource: string; resumed: boolean };
}

export interface HttpExchangeTrackerOptions {
  /** Keep bodies in messages. @default false */
  keepBodies?: boolean;
  /** Largest body kept. @default 64 MiB */
  maxBodyBytes?: number;
  /** Hash long bodies that are not kept on another thread (Http1ParserOptions.hasher). */
  hasher?: OffThreadHasher;
  /** Which bodies keepBodies keeps (Http1ParserOptions.keepBody). @default all */
  keepBody?: KeepBody;
}

/** What push() returns when nothing completed: shared, so frozen. */
const NO_EXCHANGES: readonly HttpExchange[] = Object.freeze([]);

/** Bytes held per direction while deciding whether a connection is HTTP. */
const PROBE_KEEP = 2 * PROBE_MAX_LINE;

type Held = { kind: 'data'; bytes: Uint8Array; spans: FrameSpan[] } | { kind: 'gap'; length: number; frame: number };

interface DirProbe {
  verdict: StartProbe;
  held: Held[];
  heldBytes: number;
  /** First event was a gap, or the first line was not HTTP: start by resynchronising. */
  lost: boolean;
  ended: StreamEndReason | null;
  sawData: boolean;
}

interface Slot {
  n: number;
  request: HttpRequest | null;
  requestDone: boolean;
  response: HttpResponse | null;
  interim: HttpResponse[];
  notes: DecodeError[];
}

interface FlowState {
  flow: FlowInfo;
  mode: 'probing' | 'http' | 'not-http';
  probe: Record<Direction, DirProbe>;
  /** Which direction carries requests. */
  reqDir: Direction;
  req: Http1Parser | null;
  resp: Http1Parser | null;
  slots: Slot[];
  nextN: number;
  ended: Set<Direction>;
  pendingNotes: DecodeError[];
  orphanInterim: HttpResponse[];
  /** Exchanges completed by the event in progress; allocated only when there is one. */
  out: HttpExchange[] | null;
}

export class HttpExchangeTracker {
  private readonly keepBodies: boolean;
  private readonly maxBodyBytes?: number;
  private readonly hasher?: OffThreadHasher;
  private readonly keepBody?: KeepBody;
  private readonly flows = new Map<number, FlowState>();

  constructor(opts: HttpExchangeTrackerOptions = {}) {
    this.keepBodies = opts.keepBodies ?? false;
    this.maxBodyBytes = opts.maxBodyBytes;
    this.hasher = opts.hasher;
    this.keepBody = opts.keepBody;
  }

  /** Feed one stream event; returns the exchanges it completed (read them, do not modify the array). */
  push(e: StreamEvent): readonly HttpExchange[] {
    if (e.kind === 'open' || e.kind === 'anomaly') return NO_EXCHANGES;
    let f = this.flows.get(e.flow.index);
    if (!f) {
      f = newFlow(e.flow);
      this.flows.set(e.flow.index, f);
    }
    f.out = null;
    if (f.mode === 'probing') this.probeEvent(f, e);
    else if (f.mode === 'http') this.httpEvent(f, e);
    if (e.kind === 'end') {
      f.ended.add(e.dir);
      if (f.ended.size === 2) this.closeFlow(f);
    }
    return takeOut(f);
  }

  /** End of input: finish every open connection and return what is left. */
  flush(): HttpExchange[] {
    const out: HttpExchange[] = [];
    for (const f of [...this.flows.values()]) {
      f.out = null;
      if (f.mode === 'http') {
        for (const dir of ['c2s', 's2c'] as const) {
          if (!f.ended.has(dir)) this.httpEvent(f, { kind: 'end', flow: f.flow, dir, reason: 'eof', frame: 0, timestampNs: 0n });
        }
      }
      this.closeFlow(f);
      out.push(...takeOut(f));
    }
    this.flows.clear();
    return out;
  }

  // --- content detection -----------------------------------------------------

  private probeEvent(f: FlowState, e: Exclude<StreamEvent, { kind: 'open' | 'anomaly' }>): void {
    const p = f.probe[e.dir];
    if (e.kind === 'end') {
      p.ended = e.reason;
    } else if (e.kind === 'gap') {
      if (!p.sawData) p.lost = true;
      hold(p, { kind: 'gap', length: e.length, frame: e.frame });
    } else {
      p.sawData = p.sawData || e.bytes.length > 0;
      hold(p, { kind: 'data', bytes: e.bytes, spans: e.spans });
      if (p.verdict === 'more') {
        const v = probeStartLine(joinHeld(p));
        p.verdict = v === 'more' && p.heldBytes >= PROBE_KEEP ? 'no' : v;
      }
    }
    const other = f.probe[e.dir === 'c2s' ? 's2c' : 'c2s'];
    if (p.verdict === 'request' || p.verdict === 'response') {
      const speaksRequests = p.verdict === 'request';
      f.reqDir = speaksRequests === (e.dir === 'c2s') ? 'c2s' : 's2c';
      this.startHttp(f);
      return;
    }
    const settled = (d: DirProbe) => d.verdict === 'no' || (d.ended !== null && d.verdict === 'more');
    if (settled(p) && settled(other)) {
      // Neither side speaks HTTP: pin the connection and drop what was held.
      f.mode = 'not-http';
      f.probe.c2s.held = [];
      f.probe.s2c.held = [];
    }
  }

  private startHttp(f: FlowState): void {
    f.mode = 'http';
    const opts = { keepBodies: this.keepBodies, maxBodyBytes: this.maxBodyBytes, hasher: this.hasher, keepBody: this.keepBody };
    const respDir: Direction = f.reqDir === 'c2s' ? 's2c' : 'c2s';
    const resp = new Http1Parser('response', { ...opts, resync: f.probe[respDir].lost || f.probe[respDir].verdict === 'no' });
    const req = new Http1Parser('request', {
      ...opts,
      resync: f.probe[f.reqDir].lost || f.probe[f.reqDir].verdict === 'no',
      onRequestHead: (method, uri) => {
        resp.expectResponseTo(method, uri);
        f.slots.push({ n: f.nextN++, request: null, requestDone: false, response: null, interim: [], notes: f.pendingNotes });
        f.pendingNotes = [];
      },
    });
    f.req = req;
    f.resp = resp;
    // Replay requests first: a response parser needs the methods before it frames a body.
    for (const dir of [f.reqDir, respDir]) {
      const p = f.probe[dir];
      for (const h of p.held) {
        if (h.kind === 'data') this.httpEvent(f, { kind: 'data', flow: f.flow, dir, offset: 0, bytes: h.bytes, spans: h.spans });
        else this.httpEvent(f, { kind: 'gap', flow: f.flow, dir, offset: 0, length: h.length, frame: h.frame });
      }
      p.held = [];
    }
    for (const dir of [f.reqDir, respDir]) {
      const reason = f.probe[dir].ended;
      if (reason !== null) this.httpEvent(f, { kind: 'end', flow: f.flow, dir, reason, frame: 0, timestampNs: 0n });
    }
  }

  // --- parsing and pairing ---------------------------------------------------

  private httpEvent(f: FlowState, e: Exclude<StreamEvent, { kind: 'open' | 'anomaly' }>): void {
    const isReq = e.dir === f.reqDir;
    const parser = isReq ? f.req! : f.resp!;
    if (f.ended.size > 0 && f.ended.has(e.dir) && e.kind !== 'end') return;
    let events: readonly HttpEvent[];
    if (e.kind === 'data') events = parser.push(e.bytes, e.spans);
    else if (e.kind === 'gap') events = parser.gap(e.length, e.frame);
    else events = parser.end(e.reason, e);
    // Most events (a body segment) complete nothing: then no slot changed and
    // the response parser cannot have entered a tunnel, so there is nothing to do.
    if (events.length === 0) return;
    for (let k = 0; k < events.length; k++) {
      const ev = events[k];
      if (ev.kind === 'error') this.attachError(f, ev.error, isReq);
      else if (ev.message.type === 'request') this.onRequest(f, ev.message);
      else this.onResponse(f, ev.message);
    }
    // 101 or CONNECT 2xx: both directions stop carrying HTTP.
    if (!isReq && f.resp!.tunneled) f.req!.enterTunnel();
    this.drain(f);
  }

  private onRequest(f: FlowState, m: HttpRequest): void {
    const slot = f.slots.find((s) => !s.requestDone);
    if (slot) {
      slot.request = m;
      slot.requestDone = true;
    } else {
      f.slots.push({ n: f.nextN++, request: m, requestDone: true, response: null, interim: [], notes: this.takeNotes(f) });
    }
  }

  private onResponse(f: FlowState, m: HttpResponse): void {
    const waiting = f.slots.find((s) => s.response === null);
    if (m.status >= 100 && m.status < 200 && m.status !== 101) {
      if (waiting) waiting.interim.push(m);
      else f.orphanInterim.push(m);
      return;
    }
    if (waiting) {
      waiting.response = m;
      return;
    }
    // The capture began after the request was sent.
    f.slots.push({ n: f.nextN++, request: null, requestDone: true, response: m, interim: f.orphanInterim, notes: this.takeNotes(f) });
    f.orphanInterim = [];
  }

  private attachError(f: FlowState, error: DecodeError, fromRequests: boolean): void {
    const waiting = fromRequests ? undefined : f.slots.find((s) => s.response === null);
    if (waiting) waiting.notes.push(error);
    else f.pendingNotes.push(error);
  }

  private takeNotes(f: FlowState): DecodeError[] {
    const n = f.pendingNotes;
    f.pendingNotes = [];
    return n;
  }

  /** Emit exchanges from the front, in request order, once answered and the request is whole. */
  private drain(f: FlowState, all = false): void {
    while (f.slots.length > 0) {
      const s = f.slots[0];
      if (!all && !(s.response !== null && s.requestDone)) break;
      f.slots.shift();
      (f.out ??= []).push(this.exchange(f, s));
    }
  }

  private exchange(f: FlowState, s: Slot): HttpExchange {
    const swapped = f.reqDir === 's2c';
    return {
      id: `${f.flow.index}.${s.n}`,
      flow: f.flow,
      client: swapped ? f.flow.server : f.flow.client,
      server: swapped ? f.flow.client : f.flow.server,
      request: s.request,
      response: s.response,
      interim: s.interim.length === 0 ? NO_RESPONSES : s.interim,
      notes: s.notes.length === 0 ? NO_NOTES : s.notes,
    };
  }

  /** Both directions ended (or input ended): emit what is left and forget the connection. */
  private closeFlow(f: FlowState): void {
    if (f.mode === 'http') this.drain(f, true);
    this.flows.delete(f.flow.index);
  }
}

function newFlow(flow: FlowInfo): FlowState {
  const dir = (): DirProbe => ({ verdict: 'more', held: [], heldBytes: 0, lost: false, ended: null, sawData: false });
  return {
    flow,
    mode: 'probing',
    probe: { c2s: dir(), s2c: dir() },
    reqDir: 'c2s',
    req: null,
    resp: null,
    slots: [],
    nextN: 1,
    ended: new Set(),
    pendingNotes: [],
    orphanInterim: [],
    out: null,
  };
}

/** The exchanges the event in progress completed; the flow starts the next event empty. */
function takeOut(f: FlowState): readonly HttpExchange[] {
  const out = f.out;
  f.out = null;
  return out ?? NO_EXCHANGES;
}

/** Keep a copy of probed data (the event's bytes are only lent), bounded; past the bound, only count it. */
function hold(p: DirProbe, h: Held): void {
  const prev = p.held[p.held.length - 1];
  if (h.kind === 'data') {
    const room = PROBE_KEEP - p.heldBytes;
    if (room <= 0 || p.verdict === 'no') {
      const last = h.spans[h.spans.length - 1];
      hold(p, { kind: 'gap', length: h.bytes.length, frame: last ? last.frame : 0 });
      return;
    }
    const take = Math.min(room, h.bytes.length);
    p.held.push({ kind: 'data', bytes: new Uint8Array(h.bytes.subarray(0, take)), spans: h.spans });
    p.heldBytes += take;
    if (take < h.bytes.length) {
      const last = h.spans[h.spans.length - 1];
      p.held.push({ kind: 'gap', length: h.bytes.length - take, frame: last ? last.frame : 0 });
    }
    return;
  }
  // Runs of dropped bytes stay one entry, so holding is bounded in entries too.
  if (prev && prev.kind === 'gap') {
    prev.length += h.length;
    prev.frame = h.frame;
  } else {
    p.held.push({ ...h });
  }
}

/** The held data since the last gap, for the heuristic. */
function joinHeld(p: DirProbe): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const h of p.held) {
    if (h.kind === 'gap') parts.length = 0;
    else parts.push(h.bytes);
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let o = 0;
  for (const b of parts) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}
