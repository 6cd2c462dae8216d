// Small helpers the rule families share: who an exchange or connection
// belongs to, which frames show it, how to quote capture text in a message,
// and how to build a finding from its catalogue entry.
import type { ConnectionRecord } from '../../reassembly/connection-log.js';
import type { DusExchange, DusModel } from '../../dus/model.js';
import { decodeContent } from '../../http/content-decoding.js';
import { headerValue, type HttpMessage } from '../../http/message.js';
import type { UpxRequest, UpxResponse } from '../../dus/upx-types.js';
import { catalogueEntry, type FindingCode } from '../catalogue.js';
import { TupleTable } from '../../reassembly/tuple-table.js';
import type { Evidence, Finding, PhoneRef } from '../finding.js';

/** The phone an exchange belongs to: its MAC when the model knows one, and the client IP. */
export function phoneOf(m: DusModel, x: DusExchange): PhoneRef {
  const p = m.phones.find((ph) => ph.key === x.phone);
  return p?.mac ? { mac: p.mac, ip: x.http.client.ip } : { ip: x.http.client.ip };
}

/** The phone behind a connection: the MAC of a known phone at that IP, else the link-layer source. */
export function phoneOfConnection(m: DusModel, c: ConnectionRecord): PhoneRef {
  const ip = c.client.ip;
  const mac = m.phones.find((p) => p.mac && p.ips.includes(ip))?.mac ?? m.macOfClient?.[ip];
  return mac ? { mac, ip } : { ip };
}

/** Frames where Wireshark shows the request and the response (each message's last segment). */
export function exchangeFrames(x: DusExchange): number[] {
  return uniqueFrames([x.http.request?.frame, x.http.response?.frame]);
}

/** Sorted distinct frame numbers, undefined ones dropped. */
export function uniqueFrames(frames: ReadonlyArray<number | undefined>): number[] {
  const set = new Set(frames.filter((f): f is number => f !== undefined && f > 0));
  return [...set].sort((a, b) => a - b);
}

// Connections by 4-tuple, built once per model: rules look one up per exchange.
// Numbers, not a text key per connection: a day's capture has tens of thousands.
// Nearly every tuple has one connection: it is the entry itself, a list only
// when a tuple was used again (a list per connection was a MB of a 4 GB report).
const connectionIndex = new WeakMap<DusModel, TupleTable<ConnectionRecord | ConnectionRecord[]>>();

function connectionsByTuple(m: DusModel): TupleTable<ConnectionRecord | ConnectionRecord[]> {
  let index = connectionIndex.get(m);
  if (!index) {
    index = new TupleTable();
    for (const c of m.connections) {
      const known = index.get(c.client.ip, c.client.port, c.server.ip, c.server.port);
      if (known === undefined) index.set(c.client.ip, c.client.port, c.server.ip, c.server.port, c);
      else if (Array.isArray(known)) known.push(c);
      else index.set(c.client.ip, c.client.port, c.server.ip, c.server.port, [known, c]);
    }
    connectionIndex.set(m, index);
  }
  return index;
}

/** The connection attempt that carried an exchange (same endpoints, frames in its span). */
export function connectionOf(m: DusModel, x: DusExchange): ConnectionRecord | undefined {
  const at = x.http.request?.firstFrame ?? x.http.response?.firstFrame ?? x.http.flow.firstFrame;
  const { client, server } = x.http.flow;
  // The table finds a tuple whichever side is named first: the client must be the flow's.
  const carried = (c: ConnectionRecord) => c.client.ip === client.ip && c.client.port === client.port && c.firstFrame <= at && at <= c.lastFrame;
  const found = connectionsByTuple(m).get(client.ip, client.port, server.ip, server.port);
  if (found === undefined) return undefined;
  if (!Array.isArray(found)) return carried(found) ? found : undefined;
  return found.find(carried);
}

/** The first FIN or RST of a connection after `frame`: where it ended, if the capture shows it. */
export function endFrameAfter(c: ConnectionRecord | undefined, frame: number): { frame: number; how: 'FIN' | 'RST' } | undefined {
  if (!c) return undefined;
  const fin = c.finFrames.find((f) => f > frame);
  const rst = c.resets.find((r) => r.frame > frame)?.frame;
  if (fin === undefined && rst === undefined) return undefined;
  if (rst !== undefined && (fin === undefined || rst < fin)) return { frame: rst, how: 'RST' };
  return { frame: fin!, how: 'FIN' };
}

/** The request target as the phone sent it (spaces included when the line had them). */
export function targetOf(x: DusExchange): string {
  const q = x.http.request;
  return q ? (q.rawTarget ?? q.uri) : '';
}

// C0, DEL, C1 and the bidi controls: never put into a message, whatever the capture holds.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Capture text for a message: control characters shown as \xNN, cut to `max` characters. */
export function quote(text: string, max = 160): string {
  const plain = text.replace(UNSAFE, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return plain.length > max ? `${plain.slice(0, max)}…` : plain;
}

/** Body of a kept message as text (content-decoded when it can be; Latin-1 so every byte maps to one character). */
export function bodyText(msg: HttpMessage | null | undefined, max = 64 * 1024): string {
  if (!msg?.body || msg.body.length === 0) return '';
  const dec = decodeContent(msg.body, headerValue(msg.headers, 'content-encoding'), max);
  const bytes = dec.ok ? dec.bytes : msg.body;
  return new TextDecoder('latin1').decode(bytes.subarray(0, max));
}

/** A finding with the catalogue's severity and remedy (an empty remedy when the catalogue has none). */
export function finding(
  code: FindingCode,
  phone: PhoneRef,
  message: string,
  evidence: Evidence,
  caveat?: string,
): Finding {
  const entry = catalogueEntry(code);
  const f: Finding = { code, severity: entry.severity, phone, message, remedy: entry.remedy ?? '', evidence };
  if (caveat !== undefined) f.caveat = caveat;
  return f;
}

/** Evidence of one exchange: its frames and id, plus extra frames and the offending field. */
export function exchangeEvidence(x: DusExchange, extra: Array<number | undefined> = [], field?: string): Evidence {
  const e: Evidence = { frames: uniqueFrames([...exchangeFrames(x), ...extra]), exchanges: [x.id] };
  if (field !== undefined) e.field = field;
  return e;
}

/** A check-in whose response body decoded, with its request when that decoded too. */
export interface DecodedCheckIn {
  x: DusExchange;
  req?: UpxRequest;
  res: UpxResponse;
}

// Made once per model, as the connection index: five rule families read it, and on a
// day's capture it is tens of thousands of entries that would be made five times.
const checkInsOf = new WeakMap<DusModel, { exchanges: readonly DusExchange[]; list: readonly DecodedCheckIn[] }>();

/** Check-ins whose response body decoded (shared by the rules of one model: do not edit). */
export function decodedCheckIns(m: DusModel): readonly DecodedCheckIn[] {
  const known = checkInsOf.get(m);
  if (known && known.exchanges === m.exchanges) return known.list;
  const list: DecodedCheckIn[] = [];
  for (const x of m.exchanges) {
    if (x.cls.kind !== 'check-in' || !x.upxResponse?.ok) continue;
    list.push({ x, req: x.upxRequest?.ok ? x.upxRequest.value : undefined, res: x.upxResponse.value });
  }
  checkInsOf.set(m, { exchanges: m.exchanges, list });
  return list;
}

/**
 * Let go of the indexes the rules shared for `m` (diagnose() calls it once every
 * rule has run): they are as big as the model's connections and check-ins, and
 * the report that is written next does not read them.
 */
export function forgetRuleIndexes(m: DusModel): void {
  connectionIndex.delete(m);
  checkInsOf.delete(m);
}

type ReportedFiles = ReadonlyArray<{ fileName?: string; version?: string }>;
// A decoded request's file list is frozen and shared by every check-in with the same body (upx-decode-cache.ts).
const reportedOf = new WeakMap<ReportedFiles, { version: string | undefined }>();

/** The CPE version a check-in reports (the .nbt file, else the first file). */
export function reportedVersion(files: ReportedFiles): string | undefined {
  const known = reportedOf.get(files);
  if (known) return known.version;
  const cpe = files.find((f) => /\.nbt$/i.test(f.fileName?.trim() ?? '')) ?? files[0];
  if (Object.isFrozen(files)) reportedOf.set(files, { version: cpe?.version });
  return cpe?.version;
}

/** Sentence for a caveat on a finding that rests on absence, when the capture is not whole. */
export function absenceCaveat(m: DusModel): string | undefined {
  if (m.health.whole) return undefined;
  const why = m.health.notes.length > 0 ? ` (${m.health.notes.join('; ')})` : '';
  return `The capture is not whole${why}: what it lacks may simply not have been captured.`;
}

/** A duration for a message: milliseconds under a second, else seconds. */
export function duration(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(1)} s`;
}

/** The IIS status.substatus an error page names ("HTTP Error 500.19 - ..."), if any. */
export function iisSubstatus(page: string): string | undefined {
  return /HTTP Error (\d{3}\.\d{1,3})\b/i.exec(page)?.[1];
}
