// The `flows --json` document, schema 1. Later commands (analyze) extend this
// same document, so field names here are a public contract: see README.md.
import type { HttpExchange } from '../http/exchanges.js';
import type { HttpRequest, HttpResponse } from '../http/message.js';
import type { DecodeError } from '../net/decode-error.js';
import type { Endpoint } from '../reassembly/stream-event.js';
import type { PipelineResult } from '../pipeline.js';
import type { TlsInfoEvent } from '../tls/tls-session.js';
import { isoNs } from './time.js';

export const FLOWS_SCHEMA = 1;

export interface EndpointJson {
  ip: string;
  port: number;
}

export interface HeaderJson {
  name: string;
  value: string;
}

export interface RequestJson {
  frame: number;
  firstFrame: number;
  time: string;
  method: string;
  uri: string;
  /** Only for a malformed request line: the whole target, spaces included. */
  rawTarget?: string;
  version: string;
  headers: HeaderJson[];
  bodySize: number;
  bodySha256: string;
  complete: boolean;
}

export interface ResponseJson {
  frame: number;
  firstFrame: number;
  time: string;
  status: number;
  reason: string;
  version: string;
  headers: HeaderJson[];
  bodySize: number;
  bodySha256: string;
  complete: boolean;
}

export interface ExchangeJson {
  id: string;
  /** The capture file, when several were given. */
  capture?: string;
  /** TCP stream index, as tshark's tcp.stream. */
  stream: number;
  client: EndpointJson;
  server: EndpointJson;
  request: RequestJson | null;
  response: ResponseJson | null;
  /** 1xx answers before the final response (100 Continue). */
  interim: Array<{ frame: number; status: number; reason: string }>;
  notes: WarningJson[];
  /** Present when the exchange was decrypted from TLS: how. */
  tls?: TlsJson;
}

export interface TlsJson {
  version: string;
  cipherSuite: string;
  keySource: string;
  resumed: boolean;
}

export interface WarningJson {
  code: string;
  layer: string;
  offset: number;
  frame?: number;
  detail?: string;
  capture?: string;
}

/** What the capture holds and what it lacks, counted while reading it. */
export interface StatsJson {
  /** Frames per link type (LINKTYPE_* number). */
  linkTypes: Record<string, number>;
  unknownLinkTypes: Record<string, number>;
  unknownEtherTypes: Record<string, number>;
  unknownIpProtocols: Record<string, number>;
  /** Frames whose decoding stopped early, per error code. */
  malformed: Record<string, number>;
  ipFragments: { fragments: number; reassembled: number; incomplete: number };
  tcp: {
    flows: number;
    segments: number;
    bytes: number;
    gaps: number;
    gapBytes: number;
    retransmissions: number;
    outOfOrder: number;
    overlaps: number;
    conflicts: number;
    oneSidedFlows: number;
  };
}

export interface CaptureJson {
  path: string;
  format: string;
  gzip: boolean;
  records: number;
  firstTime: string | null;
  lastTime: string | null;
  stats: StatsJson;
}

export interface FlowsDocument {
  schema: number;
  captures: CaptureJson[];
  exchanges: ExchangeJson[];
  warnings: WarningJson[];
}

function endpoint(e: Endpoint): EndpointJson {
  return { ip: e.ip, port: e.port };
}

function requestJson(r: HttpRequest): RequestJson {
  const j: RequestJson = {
    frame: r.frame,
    firstFrame: r.firstFrame,
    time: isoNs(r.endNs),
    method: r.method,
    uri: r.uri,
    version: r.version,
    headers: r.headers.map((h) => ({ name: h.name, value: h.value })),
    bodySize: r.bodySize,
    bodySha256: r.bodySha256,
    complete: r.complete,
  };
  if (r.rawTarget !== undefined) j.rawTarget = r.rawTarget;
  return j;
}

function responseJson(r: HttpResponse): ResponseJson {
  return {
    frame: r.frame,
    firstFrame: r.firstFrame,
    time: isoNs(r.endNs),
    status: r.status,
    reason: r.reason,
    version: r.version,
    headers: r.headers.map((h) => ({ name: h.name, value: h.value })),
    bodySize: r.bodySize,
    bodySha256: r.bodySha256,
    complete: r.complete,
  };
}

export function warningJson(e: DecodeError, capture?: string): WarningJson {
  const w: WarningJson = { code: e.code, layer: e.layer, offset: e.offset };
  if (e.frame !== undefined) w.frame = e.frame;
  if (e.detail !== undefined) w.detail = e.detail;
  if (capture !== undefined) w.capture = capture;
  return w;
}

/** How each decrypted TCP stream was decrypted, by stream index. */
export function tlsByStream(sessions: readonly TlsInfoEvent[]): Map<number, TlsJson> {
  return new Map(
    sessions.map((s) => [s.flow.index, { version: s.version, cipherSuite: s.cipherSuite, keySource: s.keySource, resumed: s.resumed }]),
  );
}

export function exchangeJson(x: HttpExchange, capture?: string, idPrefix = '', tls?: TlsJson): ExchangeJson {
  const j: ExchangeJson = {
    id: idPrefix + x.id,
    stream: x.flow.index,
    client: endpoint(x.client),
    server: endpoint(x.server),
    request: x.request ? requestJson(x.request) : null,
    response: x.response ? responseJson(x.response) : null,
    interim: x.interim.map((r) => ({ frame: r.frame, status: r.status, reason: r.reason })),
    notes: x.notes.map((n) => warningJson(n)),
  };
  if (capture !== undefined) j.capture = capture;
  if (tls !== undefined) j.tls = tls;
  return j;
}

function record(map: Map<number | string, number>): Record<string, number> {
  return Object.fromEntries([...map].map(([k, v]) => [String(k), v]));
}

function statsJson(result: PipelineResult): StatsJson {
  const d = result.decode;
  const t = result.reassembly;
  return {
    linkTypes: record(d.byLinkType),
    unknownLinkTypes: record(d.unknownLinkTypes),
    unknownEtherTypes: record(d.unknownEtherTypes),
    unknownIpProtocols: record(d.unknownIpProtocols),
    malformed: record(d.malformed),
    ipFragments: { fragments: d.fragments, reassembled: d.reassembled, incomplete: d.incomplete },
    tcp: {
      flows: t.flows,
      segments: t.segments,
      bytes: t.bytesDelivered,
      gaps: t.gaps,
      gapBytes: t.gapBytes,
      retransmissions: t.retransmissions,
      outOfOrder: t.outOfOrder,
      overlaps: t.overlaps,
      conflicts: t.conflicts,
      oneSidedFlows: t.oneSidedFlows,
    },
  };
}

export function captureJson(path: string, result: PipelineResult): CaptureJson {
  return {
    stats: statsJson(result),
    path,
    format: result.info.format,
    gzip: result.info.gzip,
    records: result.records,
    firstTime: result.firstTimestampNs === undefined ? null : isoNs(result.firstTimestampNs),
    lastTime: result.lastTimestampNs === undefined ? null : isoNs(result.lastTimestampNs),
  };
}

/** The reports' order of exchanges: where each starts in the capture, then its id. */
export function reportOrder(a: { startFrame: number; id: string }, b: { startFrame: number; id: string }): number {
  return a.startFrame - b.startFrame || a.id.localeCompare(b.id);
}

/** Sort key of the reports: where the exchange starts in the capture (request first frame, else response). */
export function httpExchangeStartFrame(x: HttpExchange): number {
  return x.request?.firstFrame ?? x.response?.firstFrame ?? 0;
}
