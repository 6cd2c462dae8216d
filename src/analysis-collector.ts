// What the analysis keeps from the pipeline (connections, the MAC behind each
// IP, DNS and DHCP facts, snap-length cuts, the HTTP exchanges), and the
// analysis built from it at any moment. `analyze` asks for one snapshot at
// the end of the file; a live session asks mid-capture too, and bounds what
// hours of unrelated web traffic would otherwise pile up. One collector for
// both, so a live session and `analyze` on the file it wrote give the same findings.
import type { AnalysisResult } from './analysis.js';
import type { CaptureSource } from './capture/source.js';
import { pipelineWarnings } from './cli/warnings.js';
import { bodyWorthKeeping, buildModel, classOf, storedExchange, type CheckInBodies } from './dus/build-model.js';
import { notKept, StoredExchange } from './dus/stored-exchange.js';
import { ExchangeSpool, SpoolQueue } from './report/exchange-spool.js';
import { ReportParts } from './analysis-parts.js';
import { exchangeText } from './report/exchange-text.js';
import { DiscoveryCollector, DnsTcpTracker } from './dus/discovery.js';
import { classify } from './dus/exchange-kind.js';
import { setPhoneStatuses } from './dus/phone-status.js';
import { diagnose, type Rule } from './diagnose/diagnose.js';
import { mergeLogs, withLogFindings } from './logs/merge.js';
import type { LogAnalysis } from './logs/log-findings.js';
import { RULES } from './diagnose/rules/index.js';
import type { HttpExchange } from './http/exchanges.js';
import type { DecodedFrame } from './net/packet.js';
import type { Inventory } from './dus/inventory.js';
import type { UpxResponse } from './dus/upx-types.js';
import type { PipelineOptions, PipelineResult } from './pipeline.js';
import { ConnectionLog, type ConnectionRecord } from './reassembly/connection-log.js';
import { TupleTable } from './reassembly/tuple-table.js';
import type { StreamEvent } from './reassembly/stream-event.js';
import { captureJson, exchangeJson, FLOWS_SCHEMA, reportOrder, tlsByStream, warningJson, type CaptureJson, type ExchangeJson, type FlowsDocument, type WarningJson } from './report/flows-json.js';
import { isoNs } from './report/time.js';

/** Most distinct client IPs whose Ethernet MAC is remembered (as analyze). */
export const MAX_MACS = 65_536;
/** Closed ordinary connections remembered (as analyze). */
export const MAX_KEPT_CONNECTIONS = 8192;
/** ucdevice.upx bodies are small; firmware bodies are hashed, not kept, beyond this (as analyze). */
export const KEEP_BODY_BYTES = 256 * 1024;
/**
 * Exchanges that are no Device Update Service traffic (other web sites on port
 * 80) kept at most: a mirror port sees them all day. Rules look at them only
 * to tell a download connection from a failed check-in, so the most recent
 * are enough; the older ones are counted and forgotten.
 */
export const MAX_OTHER_EXCHANGES = 2_000;
/** Paths the rules look at even when the request is no well-formed DUS request (request-url.ts). */
const SERVICE_LIKE = /ucdevice\.upx|deviceupdatefiles|ocinterim|requesthandler/i;

export interface CollectorOptions {
  rules?: readonly Rule[];
  /** @default MAX_OTHER_EXCHANGES */
  maxOtherExchanges?: number;
  /** As analyze's --inventory and --expected. */
  inventory?: Inventory;
  expected?: UpxResponse;
  /** Server logs of the same traffic: merged into the model, their findings added. */
  logs?: LogAnalysis;
  /** Closed ordinary connections remembered (ConnectionLog maxKept). @default 8192 */
  maxKeptConnections?: number;
  /** Client IPs whose MAC is remembered. @default MAX_MACS */
  maxMacs?: number;
  /**
   * Keep check-in bodies once decoded (the terminal UI, report.md and the HAR
   * show them; the rules and the JSON and text reports need only the decoded
   * form). @default true
   */
  keepCheckInBodies?: boolean;
  /**
   * Keep of each exchange only what the model and the rules read, its report
   * JSON put aside in a temporary file as it completes (analyze's JSON and text
   * reports): a few hundred bytes an exchange instead of a kilobyte and more.
   * Check-in bodies are then not kept either. @default false
   */
  spool?: boolean;
  /**
   * The same without the JSON (analyze's text report, which does not print
   * it): the result's exchanges then have no JSON to give. @default false
   */
  lean?: boolean;
  /**
   * With `spool`, for analyze's JSON report: past `putAsideAfter` exchanges,
   * put each exchange aside whole as well, and make the analysis a part at a
   * time (analysis-parts.ts), so that memory does not grow with the
   * exchanges. The result's model then reads its exchanges back as they are
   * iterated: it is for writing the report, once. Not with `logs`, which are
   * merged with every exchange at once. @default false
   */
  parts?: boolean;
  /** Exchanges kept in memory before they are put aside (opts.parts). @default PUT_ASIDE_AFTER */
  putAsideAfter?: number;
  /** Closed connections kept in memory before they are put aside (opts.parts; ConnectionLog). @default ASIDE_AFTER_CLOSES */
  asideAfterCloses?: number;
  /** Capture time after which the connection log forgets the tuple of a connection put aside (ConnectionLog). @default TIME_WAIT_NS */
  forgetAsideAfterNs?: bigint;
  /** Exchanges and connections judged at once, at most (ReportParts). @default PART_EXCHANGES */
  partExchanges?: number;
}

/**
 * Exchanges kept in memory by an analysis that may put them aside
 * (CollectorOptions.parts): about as many as 1 GB of a mass update holds
 * (4 MB of them). Fewer, the report is made at once, from memory, which is
 * quicker; more, they are put aside and the report made a part at a time.
 */
export const PUT_ASIDE_AFTER = 8192;

/**
 * What one shard's collector holds at the end of its frames (worker threads
 * sharded by flow): plain data, so it crosses threads by structured clone.
 */
export interface CollectorShardState {
  exchanges: HttpExchange[];
  /** The check-ins' decoded bodies, by index into `exchanges`. */
  bodies: Array<CheckInBodies | undefined>;
  connections: ConnectionRecord[];
  connectionsEvicted: number;
  connectionsDropped: number;
  macs: Map<string, string>;
  /** Frame where each MAC was first seen behind its IP, to merge shards as one pass would. */
  macFrames: Map<string, number>;
  macsFull: boolean;
  snapCut: number;
  /** DNS and DHCP facts found (only shard 0 sees UDP and port 53, so others must have none). */
  discoveryFacts: number;
}

/** Whether the model needs this exchange for as long as the session runs. */
function isServiceExchange(x: HttpExchange): boolean {
  if (!x.request) return true; // an answer whose request was missed: could be anyone's
  return classify(x.request.method, x.request.uri).kind !== 'other' || SERVICE_LIKE.test(x.request.rawTarget ?? x.request.uri);
}

/**
 * The flows document of the analysis. Its exchanges' JSON is made each time it
 * is read, from the exchanges in report order: a big capture's report is
 * written one exchange at a time (analyze-json.ts) and never holds them all.
 */
function flowsDocument(capture: CaptureJson, exchanges: Iterable<StoredExchange>, warnings: WarningJson[]): FlowsDocument {
  const doc = { schema: FLOWS_SCHEMA, captures: [capture] } as FlowsDocument;
  Object.defineProperty(doc, 'exchanges', {
    enumerable: true,
    get: () => Array.from(exchanges, flowsExchangeJson),
  });
  doc.warnings = warnings;
  return doc;
}

/** An exchange of the flows document: from the whole exchange, or from its spooled text. */
function flowsExchangeJson(x: StoredExchange): ExchangeJson {
  if (x.full) return exchangeJson(x.full, undefined, '', x.full.decrypted);
  const j = JSON.parse(x.reportText() ?? notKept()) as ExchangeJson;
  if (x.decrypted) j.tls = x.decrypted;
  return j;
}

export class AnalysisCollector {
  private readonly service: StoredExchange[] = [];
  /** Ring of unrelated exchanges, oldest first from `otherStart`. */
  private readonly other: StoredExchange[] = [];
  private otherStart = 0;
  /** Where the report JSON of each exchange goes (opts.spool). */
  private readonly spool: SpoolQueue | undefined;
  /** Where exchanges go past putAsideAfter, instead of `service` and `other` (opts.parts). */
  private readonly parts: ReportParts | undefined;
  private readonly putAsideAfter: number;
  /** Connections that carried Device Update Service traffic, until the connection log has put them aside and forgotten their tuple. */
  private readonly serviceFlows = new TupleTable<true>();
  private readonly connections: ConnectionLog;
  /** Connections of other shards, merged in by absorb(). */
  private readonly absorbed: ConnectionRecord[] = [];
  private readonly macs = new Map<string, string>();
  private readonly macFrames = new Map<string, number>();
  private readonly maxMacs: number;
  private readonly discovery = new DiscoveryCollector();
  private readonly dnsOverTcp = new DnsTcpTracker(this.discovery);
  private snapCut = 0;
  private readonly rules: readonly Rule[];
  private readonly maxOther: number;
  /** Unrelated exchanges forgotten because of the bound. */
  otherDropped = 0;
  records = 0;
  firstNs: bigint | undefined;
  lastNs: bigint | undefined;

  constructor(private readonly opts: CollectorOptions = {}) {
    this.rules = opts.rules ?? RULES;
    this.maxOther = opts.maxOtherExchanges ?? MAX_OTHER_EXCHANGES;
    this.maxMacs = opts.maxMacs ?? MAX_MACS;
    if (opts.spool) this.spool = new SpoolQueue(new ExchangeSpool(), (x) => exchangeText(x));
    if (opts.parts && this.spool && !opts.logs && this.maxOther === Number.POSITIVE_INFINITY) this.parts = new ReportParts(this.spool.spool);
    this.putAsideAfter = opts.putAsideAfter ?? PUT_ASIDE_AFTER;
    this.connections = new ConnectionLog({
      maxKept: opts.maxKeptConnections ?? MAX_KEPT_CONNECTIONS,
      // Diagnosis needs failed connections and the service's own; ordinary web traffic can go.
      // (Once true, this stays true for a connection with a SYN-ACK for as long as the log holds it: its
      // resets stay, and its service-flow entry goes only once the log has put it aside and forgotten its tuple.)
      keep: (r) => r.synAckFrame === undefined || r.resets.length > 0 || this.serviceFlows.get(r.client.ip, r.client.port, r.server.ip, r.server.port) === true,
      aside: this.parts?.shelf,
      asideAfterCloses: opts.asideAfterCloses,
      forgetAsideAfterNs: opts.forgetAsideAfterNs,
      // The log asks `keep` only of connections it holds, and no more of one whose tuple it forgot.
      forgotten: (client, server) => this.serviceFlows.delete(client.ip, client.port, server.ip, server.port),
    });
  }

  /** Exchanges kept (service ones and the recent unrelated ones). */
  get exchangeCount(): number {
    return this.service.length + this.other.length - this.otherStart + (this.parts?.count ?? 0);
  }

  /** The pipeline hooks that feed this collector (plus `onExchange` of the caller). */
  hooks(
    onExchange?: (x: HttpExchange) => void,
  ): Pick<PipelineOptions, 'keepBodies' | 'maxBodyBytes' | 'keepBody' | 'onExchange' | 'onFrame' | 'onStreamEvent'> {
    return {
      keepBodies: true,
      maxBodyBytes: KEEP_BODY_BYTES,
      keepBody: bodyWorthKeeping,
      onExchange: (x) => {
        this.addExchange(x);
        onExchange?.(x);
      },
      onStreamEvent: (e: StreamEvent) => this.dnsOverTcp.accept(e),
      onFrame: (f: DecodedFrame) => this.frame(f),
    };
  }

  frame(f: DecodedFrame): void {
    this.records++;
    if (this.firstNs === undefined) this.firstNs = f.timestampNs;
    this.lastNs = f.timestampNs;
    if (f.capLen < f.origLen) this.snapCut++;
    if (f.tcp) this.connections.push(f);
    else if (f.udp) this.discovery.udpFrame(f);
    if (f.ip && f.link?.src && !this.macs.has(f.ip.src) && this.macs.size < this.maxMacs) {
      this.macs.set(f.ip.src, f.link.src);
      this.macFrames.set(f.ip.src, f.frame);
    }
  }

  /** This shard's part of the analysis, for absorb() in shard 0's collector. */
  shardState(): CollectorShardState {
    const facts = this.discovery.facts();
    if (this.spool || this.opts.lean) throw new Error('a shard keeps whole exchanges: neither spool nor lean');
    const stored = [...this.service, ...this.other.slice(this.otherStart)];
    return {
      exchanges: stored.map((x) => x.full!),
      bodies: stored.map((x) => (x.cls.kind === 'check-in' ? { upxRequest: x.upxRequest, upxResponse: x.upxResponse } : undefined)),
      connections: this.connections.allPlain(),
      connectionsEvicted: this.connections.evicted,
      connectionsDropped: this.connections.dropped,
      macs: this.macs,
      macFrames: this.macFrames,
      macsFull: this.macs.size >= this.maxMacs,
      snapCut: this.snapCut,
      discoveryFacts: facts.lookups.length + facts.dhcpClients.length + facts.dropped,
    };
  }

  /**
   * Merge another shard's state into this one (shard 0's), as if its frames
   * had come through here. Only for file analysis with an unbounded list of
   * other exchanges: the order-dependent bounds were checked by the caller.
   */
  absorb(s: CollectorShardState): void {
    // Shard 0's own exchanges may have been renamed (the merged TCP numbering).
    for (const x of this.service) if (x.full) x.id = x.full.id;
    for (const x of this.other) if (x.full) x.id = x.full.id;
    s.exchanges.forEach((x, i) => {
      const stored = new StoredExchange(x, classOf(x), s.bodies[i], true);
      if (isServiceExchange(x)) this.service.push(stored);
      else this.other.push(stored);
    });
    this.absorbed.push(...s.connections);
    for (const [ip, mac] of s.macs) {
      const frame = s.macFrames.get(ip) ?? 0;
      const mine = this.macFrames.get(ip);
      if (mine === undefined || frame < mine) {
        this.macs.set(ip, mac);
        this.macFrames.set(ip, frame);
      }
    }
    this.snapCut += s.snapCut;
  }

  addExchange(x: HttpExchange): void {
    const stored = storedExchange(x, { keep: !this.spool && !this.opts.lean, keepCheckInBodies: this.opts.keepCheckInBodies });
    const queue = this.spool;
    const parts = this.parts;
    if (queue && parts) {
      // Kept, or put aside, once its JSON is in the spool (a record says where that is).
      const service = isServiceExchange(x);
      queue.add(x, (place) => {
        stored.spooled(queue.spool, place);
        if (parts.count === 0 && this.service.length + this.other.length < this.putAsideAfter) (service ? this.service : this.other).push(stored);
        else this.putAside(parts, stored);
      });
      if (service) this.serviceFlows.set(x.client.ip, x.client.port, x.server.ip, x.server.port, true);
      return;
    }
    if (queue) queue.add(x, (place) => stored.spooled(queue.spool, place));
    if (isServiceExchange(x)) {
      this.service.push(stored);
      this.serviceFlows.set(x.client.ip, x.client.port, x.server.ip, x.server.port, true);
      return;
    }
    this.other.push(stored);
    if (this.other.length - this.otherStart > this.maxOther) {
      this.otherStart++;
      this.otherDropped++;
      // Compact now and then instead of shifting on every exchange.
      if (this.otherStart >= this.maxOther) {
        this.other.splice(0, this.otherStart);
        this.otherStart = 0;
      }
    }
  }

  /** Put an exchange aside, and the ones kept so far with the first. */
  private putAside(parts: ReportParts, x: StoredExchange): void {
    if (parts.count === 0) {
      for (const kept of this.service) parts.add(kept);
      for (const kept of this.other) parts.add(kept);
      this.service.length = 0;
      this.other.length = 0;
    }
    parts.add(x);
  }

  /**
   * The analysis of everything so far. Mid-capture (`result` absent) the
   * capture statistics are not known yet and count as zero; at the end,
   * pass the pipeline's result and the answer is analyze's.
   */
  snapshot(path: string, info: CaptureSource['info'], result?: PipelineResult): AnalysisResult {
    const capture: CaptureJson = result ? captureJson(path, result) : this.interimCapture(path, info);
    if (result) this.spool?.drain(true);
    if (this.parts && this.parts.count > 0 && result) return this.partedSnapshot(capture, result, this.parts);
    const kept = [...this.service, ...this.other.slice(this.otherStart)];
    // What TLS said about each connection is known only once the pipeline is done (as analyze).
    if (result) {
      const tlsJson = tlsByStream(result.tls.sessions);
      for (const x of kept) {
        const t = tlsJson.get(x.flow.index);
        if (t) x.decrypted = t;
      }
    }
    kept.sort(reportOrder);
    const flows = flowsDocument(capture, kept, result ? pipelineWarnings(result).map((w) => warningJson(w)) : []);
    const conns =
      this.absorbed.length > 0
        ? [...this.connections.all(), ...this.absorbed].sort((x, y) => x.firstFrame - y.firstFrame)
        : this.parts
          ? this.parts.allConnections(this.connections.all())
          : this.connections.all();
    const model = buildModel({
      captures: [capture],
      exchanges: kept,
      connections: conns,
      macOfIp: (ip) => this.macs.get(ip),
      snapCut: this.snapCut,
      unreadableTls: result ? result.tls.undecryptable.length : 0,
      endNs: result?.lastTimestampNs ?? this.lastNs ?? 0n,
    });
    model.discovery = this.discovery.facts();
    if (result) model.tls = result.tls;
    if (this.opts.inventory) model.inventory = this.opts.inventory;
    if (this.opts.expected) model.expected = this.opts.expected;
    if (this.opts.logs) mergeLogs(model, this.opts.logs);
    let findings = diagnose(model, this.rules);
    if (model.logs) findings = withLogFindings(model, findings);
    setPhoneStatuses(model, findings);
    return { flows, model, findings };
  }

  /** snapshot() at the end of the capture, with the exchanges put aside (opts.parts). */
  private partedSnapshot(capture: CaptureJson, result: PipelineResult, parts: ReportParts): AnalysisResult {
    const { model, findings } = parts.analysis({
      captures: [capture],
      connections: this.connections.all(),
      macOfIp: (ip) => this.macs.get(ip),
      snapCut: this.snapCut,
      unreadableTls: result.tls.undecryptable.length,
      endNs: result.lastTimestampNs ?? this.lastNs ?? 0n,
      rules: this.rules,
      inventory: this.opts.inventory,
      expected: this.opts.expected,
      discovery: this.discovery.facts(),
      tls: result.tls,
      tlsJson: tlsByStream(result.tls.sessions),
      partExchanges: this.opts.partExchanges,
    });
    const flows = flowsDocument(capture, model.exchanges as Iterable<StoredExchange>, pipelineWarnings(result).map((w) => warningJson(w)));
    return { flows, model, findings };
  }

  private interimCapture(path: string, info: CaptureSource['info']): CaptureJson {
    return {
      path,
      format: info.format,
      gzip: info.gzip,
      records: this.records,
      firstTime: this.firstNs === undefined ? null : isoNs(this.firstNs),
      lastTime: this.lastNs === undefined ? null : isoNs(this.lastNs),
      stats: {
        linkTypes: {},
        unknownLinkTypes: {},
        unknownEtherTypes: {},
        unknownIpProtocols: {},
        malformed: {},
        ipFragments: { fragments: 0, reassembled: 0, incomplete: 0 },
        tcp: { flows: 0, segments: 0, bytes: 0, gaps: 0, gapBytes: 0, retransmissions: 0, outOfOrder: 0, overlaps: 0, conflicts: 0, oneSidedFlows: 0 },
      },
    };
  }
}
