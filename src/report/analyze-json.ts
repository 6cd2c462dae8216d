// `analyze --json`: the flows document (schema 1) extended with what the
// Device Update Service analysis found. Described by schemas/analyze.schema.json;
// the field names are a public contract (README.md).
import type { AnalysisResult } from '../analysis.js';
import { expectedView, type ExpectedView } from '../dus/expected-view.js';
import type { DusExchange, Phone } from '../dus/model.js';
import type { UpxResponseInit } from '../dus/upx-encode.js';
import type { UpxFile, UpxRequest, UpxResponse } from '../dus/upx-types.js';
import type { Finding } from '../diagnose/finding.js';
import { exchangeJson, type ExchangeJson, type FlowsDocument } from './flows-json.js';
import { joinObjects, LazyJsonArray, prettyAt, PrettyJson } from './json-pieces.js';
import { notKept, StoredExchange } from '../dus/stored-exchange.js';
import { isoNs } from './time.js';
import { TwoKeyMemo } from '../util/two-key-memo.js';

type FileJson = { fileName?: string; version?: string; timeStamp?: string; url?: string };

function fileJson(f: Pick<UpxFile, 'fileName' | 'version' | 'timeStamp' | 'url'>): FileJson {
  const j: FileJson = {};
  if (f.fileName !== undefined) j.fileName = f.fileName;
  if (f.version !== undefined) j.version = f.version;
  if (f.timeStamp !== undefined) j.timeStamp = f.timeStamp;
  if (f.url !== undefined) j.url = f.url;
  return j;
}

function unknownJson(u: Array<{ path: string; value: string }>): Array<{ path: string; value: string }> {
  return u.map((x) => ({ path: x.path, value: x.value }));
}

function requestUpx(r: UpxRequest): Record<string, unknown> {
  return {
    deviceType: r.deviceType,
    macAddress: r.macAddress?.normalized ?? r.macAddress?.raw,
    serialNumber: r.serialNumber,
    vendor: r.vendor,
    model: r.model,
    revision: r.revision,
    locale: r.locale,
    files: r.files.map(fileJson),
    unknown: unknownJson(r.unknown),
  };
}

function responseUpx(r: UpxResponse): Record<string, unknown> {
  return {
    serverVersion: r.serverVersion,
    serviceVersion: r.serviceVersion,
    updatesServerInternalUrl: r.updatesServerInternalUrl,
    updatesServerExternalUrl: r.updatesServerExternalUrl,
    downloads: r.downloadsRaw,
    files: r.files.map(fileJson),
    unknown: unknownJson(r.unknown),
  };
}

function upxJson(x: DusExchange): Record<string, unknown> | undefined {
  if (x.cls.kind !== 'check-in') return undefined;
  const side = <T>(r: { ok: true; value: T } | { ok: false; error: { code: string; offset: number; detail?: string } } | undefined, f: (v: T) => Record<string, unknown>) =>
    r === undefined ? null : r.ok ? f(r.value) : { error: { code: r.error.code, offset: r.error.offset, detail: r.error.detail } };
  return { request: side(x.upxRequest, requestUpx), response: side(x.upxResponse, responseUpx) };
}

/** What a check-in should have been answered (from the inventory or --expected), in upx.response's shape, and each difference. */
function expectedJson(v: ExpectedView): Record<string, unknown> {
  const e: UpxResponseInit = v.expected;
  const rawMatches = e.downloadsRaw !== undefined && (e.downloads === undefined || Number(e.downloadsRaw) === e.downloads);
  const response = {
    serverVersion: e.serverVersion,
    serviceVersion: e.serviceVersion,
    updatesServerInternalUrl: e.updatesServerInternalUrl,
    updatesServerExternalUrl: e.updatesServerExternalUrl,
    downloads: rawMatches ? e.downloadsRaw : e.downloads !== undefined ? String(e.downloads) : undefined,
    files: (e.files ?? []).map(fileJson),
    unknown: unknownJson([...(v.opts.unknown?.expected ?? [])]),
  };
  const j: Record<string, unknown> = { source: v.source };
  if (v.reason) j.decision = v.reason;
  if (v.unpinned.length) j.notCompared = v.unpinned;
  j.response = response;
  j.differences = v.differences.map((d) => ({ field: d.field, expected: d.expected ?? null, actual: d.actual ?? null, kind: d.kind }));
  return j;
}

function phoneJson(p: Phone): Record<string, unknown> {
  return {
    key: p.key,
    mac: p.mac ?? null,
    ips: p.ips,
    serials: p.serials,
    vendor: p.vendor ?? null,
    model: p.model ?? null,
    revision: p.revision ?? null,
    locale: p.locale ?? null,
    version: p.version ?? null,
    status: p.status,
    exchanges: p.exchanges,
    timeline: p.timeline.map((t) => ({
      kind: t.kind,
      ref: t.ref,
      time: isoNs(t.timeNs),
      frames: t.frames,
      gapSeconds: t.gapSeconds ?? null,
      gapMeaning: t.gapMeaning ?? null,
      summary: t.summary,
      ...(t.source ? { source: { file: t.source.file, line: t.source.line } } : {}),
      ...(t.notes?.length ? { notes: t.notes } : {}),
    })),
  };
}

export function findingJson(f: Finding): Record<string, unknown> {
  const j: Record<string, unknown> = {
    code: f.code,
    severity: f.severity,
    phone: { mac: f.phone.mac ?? null, ip: f.phone.ip ?? null },
    message: f.message,
    remedy: f.remedy ?? null,
    evidence: {
      frames: f.evidence.frames,
      exchanges: f.evidence.exchanges ?? [],
      ...(f.evidence.field ? { field: f.evidence.field } : {}),
      ...(f.evidence.lines?.length ? { lines: f.evidence.lines.map((l) => ({ file: l.file, line: l.line })) } : {}),
    },
  };
  if (f.caveat) j.caveat = f.caveat;
  return j;
}

export interface AnalyzeDocument extends FlowsDocument {
  health: Record<string, unknown>;
  phones: Array<Record<string, unknown>>;
  exchanges: Array<ExchangeJson & { kind: string; phone: string | null; upx?: Record<string, unknown>; expected?: Record<string, unknown> }>;
  findings: Array<Record<string, unknown>>;
  /** With --audit-log/--iis-log: each log file and how much of it the capture shows. */
  logs?: Record<string, unknown>;
}

/** The `logs` member: per file, its size and the lines tied to exchanges; the requests the IIS logs lack. */
function logsJson(r: AnalysisResult): Record<string, unknown> | undefined {
  const logs = r.model.logs;
  if (!logs) return undefined;
  const matched = new Map<string, number>();
  for (const m of logs.matches) matched.set(m.source.file, (matched.get(m.source.file) ?? 0) + 1);
  const files = [
    ...logs.analysis.audits.map((a) => {
      const clock = logs.auditClocks.find((k) => k.file === a.file);
      return { file: a.file, kind: 'audit', lines: a.lines, records: a.records.length, matched: matched.get(a.file) ?? 0, clockSeconds: clock?.seconds ?? null, clockFrom: clock?.from ?? null };
    }),
    ...logs.analysis.iis.map((l) => ({ file: l.file, kind: 'iis', lines: l.lines, records: l.entries.length, matched: matched.get(l.file) ?? 0, clockSeconds: 0, clockFrom: null })),
  ];
  return { files, unlogged: logs.unlogged.map((u) => u.exchange), offTimeline: logs.otherPhoneLines + logs.cappedLines + logs.undatedLines };
}

/** The document, narrowed to `phoneKeys` when given (exchanges, phones and findings of those phones). */
export function analyzeDocument(r: AnalysisResult, phoneKeys?: Set<string>): AnalyzeDocument {
  return documentOf(r, phoneKeys, (items) => [...items()], (items) => [...items()]);
}

/**
 * The same document for printing with writeJsonPieces: its exchanges and
 * phones (whose timelines have an entry per exchange) are made one at a time
 * as they are written, so a big capture's report never holds all their JSON at once.
 */
export function analyzeDocumentToWrite(r: AnalysisResult, phoneKeys?: Set<string>): Record<string, unknown> {
  return documentOf(
    r,
    phoneKeys,
    (items) => new LazyJsonArray(items),
    (items) => new LazyJsonArray(items),
  ) as unknown as Record<string, unknown>;
}

type DocExchange = AnalyzeDocument['exchanges'][number];
/** Key of a check-in without a decoded body on one side. */
const NO_BODY = {};
type DocPhone = AnalyzeDocument['phones'][number];

function documentOf<L, P>(
  r: AnalysisResult,
  phoneKeys: Set<string> | undefined,
  list: (items: () => Iterable<DocExchange>) => L,
  phoneList: (items: () => Iterable<DocPhone>) => P,
): Omit<AnalyzeDocument, 'exchanges' | 'phones'> & { exchanges: L; phones: P } {
  const keep = (key: string | undefined): boolean => !phoneKeys || (key !== undefined && phoneKeys.has(key));
  // The model lists every exchange in report order, each with its HTTP exchange.
  function* exchanges(): Generator<DocExchange> {
    for (const x of r.model.exchanges) {
      const phone = x.phone || null;
      if (!keep(phone ?? undefined)) continue;
      // A spooled exchange's JSON was made when it completed; what is known only now is added to it.
      const text = x instanceof StoredExchange ? x.reportText() : undefined;
      // A lean exchange's `http` has no headers or digests: its JSON is the spooled one or none.
      if (text === undefined && x instanceof StoredExchange && !x.full) notKept();
      const ev = expectedView(r.model, x);
      if (text === undefined) {
        const out = exchangeJson(x.http, undefined, '', x.http.decrypted) as DocExchange;
        out.kind = x.cls.kind;
        out.phone = phone;
        const upx = upxJson(x);
        if (upx) out.upx = upx;
        if (ev) out.expected = expectedJson(ev);
        yield out;
        continue;
      }
      // The same members as text, joined to the spooled text; `upx` is the same for every check-in with the same bodies.
      const decrypted = (x as StoredExchange).decrypted;
      let joined = joinObjects(text, decrypted ? prettyAt({ tls: decrypted, kind: x.cls.kind, phone }, 2)! : kindAndPhone(x.cls.kind, phone), 2);
      const upx = upxText(x);
      if (upx !== undefined) joined = joinObjects(joined, upx, 2);
      if (ev) joined = joinObjects(joined, prettyAt({ expected: expectedJson(ev) }, 2)!, 2);
      yield new PrettyJson(joined, 2) as unknown as DocExchange;
    }
  }
  // Every exchange of a phone has the same two members: made once per phone and kind.
  const kindsAndPhones = new TwoKeyMemo<string, string | null, string>(4096);
  function kindAndPhone(kind: string, phone: string | null): string {
    return kindsAndPhones.get(kind, phone) ?? kindsAndPhones.remember(kind, phone, prettyAt({ kind, phone }, 2)!);
  }
  // Check-ins repeat their bodies (upx-decode-cache.ts shares the decoded ones): their `upx` member is made once per pair.
  const upxTexts = new TwoKeyMemo<object, object, string>(4096);
  function upxText(x: DusExchange): string | undefined {
    if (x.cls.kind !== 'check-in') return undefined;
    const req: object = x.upxRequest ?? NO_BODY;
    const res: object = x.upxResponse ?? NO_BODY;
    return upxTexts.get(req, res) ?? upxTexts.remember(req, res, prettyAt({ upx: upxJson(x) }, 2)!);
  }
  const phones = r.model.phones.filter((p) => keep(p.key));
  const findings = r.findings.filter((f) => !phoneKeys || phones.some((p) => (f.phone.mac && p.mac === f.phone.mac) || (f.phone.ip && p.ips.includes(f.phone.ip))));
  const h = r.model.health;
  return {
    schema: r.flows.schema,
    captures: r.flows.captures,
    exchanges: list(exchanges),
    warnings: r.flows.warnings,
    health: {
      whole: h.whole,
      records: h.records,
      snapCut: h.snapCut,
      tcpHoles: h.tcpHoles,
      tcpHoleBytes: h.tcpHoleBytes,
      retransmissions: h.retransmissions,
      oneSidedFlows: h.oneSidedFlows,
      unreadableTls: h.unreadableTls,
      notes: h.notes,
    },
    phones: phoneList(function* () {
      for (const p of phones) yield phoneJson(p);
    }),
    findings: findings.map(findingJson),
    ...(r.model.logs ? { logs: logsJson(r) } : {}),
  };
}
