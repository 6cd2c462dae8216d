// Small hand-built models for the rule tests: a phone at 10.0.0.5 talking to a
// server at 10.0.0.1, check-ins and downloads with the frames and times a test
// names, and connection records. Only what the rules read is filled in.
import { classify } from '../../../src/dus/exchange-kind.js';
import type { DusExchange, DusModel, Phone } from '../../../src/dus/model.js';
import type { UpxFile, UpxRequest, UpxResponse } from '../../../src/dus/upx-types.js';
import type { HttpExchange } from '../../../src/http/exchanges.js';
import type { HttpHeader, HttpRequest, HttpResponse } from '../../../src/http/message.js';
import type { ConnectionRecord } from '../../../src/reassembly/connection-log.js';

export const PHONE_IP = '10.0.0.5';
export const SERVER_IP = '10.0.0.1';
export const MAC = '0021630F207B';
export const SEC = 1_000_000_000n;
export const HOST = 'http://ocs.demo.local';
export const INTERIM_URL = `${HOST}/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt`;
export const FIRMWARE_URL = `${HOST}/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt`;

function message<T extends 'request' | 'response'>(type: T, frame: number, atNs: bigint, body?: string) {
  const bytes = body === undefined ? undefined : new TextEncoder().encode(body);
  return {
    type,
    version: 'HTTP/1.1',
    headers: [] as HttpHeader[],
    trailers: [] as HttpHeader[],
    firstFrame: frame,
    frame,
    startNs: atNs,
    endNs: atNs,
    streamStart: 0,
    streamEnd: 0,
    bodySize: bytes?.length ?? 0,
    body: bytes,
    bodySha256: '',
    complete: true,
    notes: [],
  };
}

export interface ExchangeInit {
  id: string;
  method?: string;
  uri: string;
  rawTarget?: string;
  /** Frame of the request; the response is `reqFrame + 2` unless given. */
  reqFrame: number;
  resFrame?: number;
  /** Seconds from the epoch of the test capture. */
  at?: number;
  status?: number;
  reason?: string;
  /** Response body text. */
  body?: string;
  headers?: HttpHeader[];
  complete?: boolean;
  bodySize?: number;
  /** No response at all. */
  noResponse?: boolean;
  clientPort?: number;
  serverPort?: number;
  serverIp?: string;
}

/** An exchange with a classified request and, unless told otherwise, a response. */
export function exchange(init: ExchangeInit): DusExchange {
  const atNs = BigInt(Math.round((init.at ?? 0) * 1000)) * 1_000_000n;
  const method = init.method ?? 'GET';
  const request: HttpRequest = { ...message('request', init.reqFrame, atNs), method, uri: init.uri };
  if (init.rawTarget !== undefined) request.rawTarget = init.rawTarget;
  let response: HttpResponse | null = null;
  if (!init.noResponse) {
    response = {
      ...message('response', init.resFrame ?? init.reqFrame + 2, atNs + 1_000_000n, init.body),
      status: init.status ?? 200,
      reason: init.reason ?? 'OK',
    };
    if (init.headers) response.headers = init.headers;
    if (init.complete !== undefined) response.complete = init.complete;
    if (init.bodySize !== undefined) response.bodySize = init.bodySize;
  }
  const client = { ip: PHONE_IP, port: init.clientPort ?? 49200 };
  const server = { ip: init.serverIp ?? SERVER_IP, port: init.serverPort ?? 80 };
  const http: HttpExchange = {
    id: init.id,
    flow: { index: 0, client, server, firstFrame: init.reqFrame - 3, sawSyn: true },
    client,
    server,
    request,
    response,
    interim: [],
    notes: [],
  };
  return { id: init.id, cls: classify(method, init.rawTarget ?? init.uri), http, phone: MAC };
}

export function upxRequest(init: Partial<UpxRequest> & { version?: string } = {}): UpxRequest {
  const { version, ...rest } = init;
  return {
    kind: 'request',
    root: 'Request',
    encoding: 'utf-8',
    bom: false,
    notes: [],
    unknown: [],
    deviceType: 'UCPhone',
    macAddress: { raw: MAC, normalized: MAC },
    vendor: 'LG-Nortel',
    model: 'IP8540',
    revision: 'A',
    locale: 'ENU',
    files: [file({ fileName: 'cpe.nbt', version: version ?? '1.0.522.103' })],
    ...rest,
  };
}

export function file(init: Partial<UpxFile>): UpxFile {
  return { unknown: [], offset: 0, ...init };
}

export function upxResponse(init: Partial<UpxResponse> = {}): UpxResponse {
  const files = init.files ?? [];
  return {
    kind: 'response',
    root: 'Response',
    encoding: 'utf-8',
    bom: false,
    notes: [],
    unknown: [],
    serverVersion: '3.5.6907.0',
    serviceVersion: '3.5.6907.0',
    downloads: files.length,
    downloadsRaw: String(files.length),
    ...init,
    files,
  };
}

/** An offer of one file. */
export function offer(url: string, version: string): UpxFile {
  return file({ fileName: 'CPE.nbt', version, url });
}

export interface CheckInInit extends Partial<ExchangeInit> {
  id: string;
  reqFrame: number;
  req?: UpxRequest;
  res?: UpxResponse;
}

/** A check-in POST to /RequestHandler/ucdevice.upx with decoded bodies. */
export function checkIn(init: CheckInInit): DusExchange {
  const x = exchange({ uri: '/RequestHandler/ucdevice.upx', method: 'POST', ...init });
  x.upxRequest = { ok: true, value: init.req ?? upxRequest() };
  if (x.http.response?.status === 200) x.upxResponse = { ok: true, value: init.res ?? upxResponse() };
  return x;
}

/** A download; `offeredBy` links it as the model builder would. */
export function download(init: ExchangeInit & { offeredBy?: string; offeredBeside?: string }): DusExchange {
  const x = exchange(init);
  if (init.offeredBy) x.offeredBy = init.offeredBy;
  if (init.offeredBeside) x.offeredBeside = init.offeredBeside;
  return x;
}

/** A connection record with sensible defaults (answered, clean close, no payload). */
export function connection(init: Partial<ConnectionRecord> & { firstFrame: number }): ConnectionRecord {
  return {
    client: { ip: PHONE_IP, port: 49200 },
    server: { ip: SERVER_IP, port: 443 },
    lastFrame: init.firstFrame + 10,
    synFrames: [init.firstFrame],
    resets: [],
    finFrames: [],
    clientBytes: 0,
    serverBytes: 0,
    tls: false,
    ...init,
  };
}

export interface ModelInit {
  exchanges?: DusExchange[];
  connections?: ConnectionRecord[];
  /** Whether the capture is whole. @default true */
  whole?: boolean;
  /** Capture end, seconds. @default 3600 */
  end?: number;
  macOfClient?: Record<string, string>;
}

/** A model with one phone (MAC) owning every exchange. */
export function model(init: ModelInit = {}): DusModel {
  const exchanges = init.exchanges ?? [];
  const phone: Phone = {
    key: MAC,
    mac: MAC,
    ips: [PHONE_IP],
    serials: [],
    locale: 'ENU',
    exchanges: exchanges.map((x) => x.id),
    timeline: [],
    status: 'unknown',
  };
  const whole = init.whole ?? true;
  return {
    captures: [],
    exchanges,
    phones: exchanges.length > 0 ? [phone] : [],
    connections: init.connections ?? [],
    macOfClient: init.macOfClient,
    health: {
      records: 100,
      snapCut: 0,
      tcpHoles: whole ? 0 : 1,
      tcpHoleBytes: whole ? 0 : 1448,
      retransmissions: 0,
      oneSidedFlows: 0,
      unreadableTls: 0,
      whole,
      notes: whole ? [] : ['1 hole(s) in TCP streams (1448 bytes the capture never saw)'],
    },
    endNs: BigInt(init.end ?? 3600) * SEC,
  };
}
