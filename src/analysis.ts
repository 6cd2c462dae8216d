// `analyze`'s engine: the pipeline with the observers the Device Update Service
// model needs (connection attempts, the MAC behind each IP, frames cut by the
// snap length), then the model, then the rules. Reporters take it from here.
import { openCapture } from './capture/open.js';
import type { CaptureSource } from './capture/source.js';
import type { CliIo } from './cli/io.js';
import { pipelineWarnings } from './cli/warnings.js';
import { buildModel } from './dus/build-model.js';
import { DiscoveryCollector, DnsTcpTracker } from './dus/discovery.js';
import type { Inventory } from './dus/inventory.js';
import type { DusModel } from './dus/model.js';
import type { UpxResponse } from './dus/upx-types.js';
import { phoneStatus } from './dus/phone-status.js';
import { diagnose, type Rule } from './diagnose/diagnose.js';
import type { Finding } from './diagnose/finding.js';
import { RULES } from './diagnose/rules/index.js';
import type { HttpExchange } from './http/exchanges.js';
import { runPipeline, type TlsKeys } from './pipeline.js';
import { ConnectionLog } from './reassembly/connection-log.js';
import {
  captureJson,
  exchangeJson,
  exchangeStartFrame,
  tlsByStream,
  FLOWS_SCHEMA,
  warningJson,
  type FlowsDocument,
} from './report/flows-json.js';

export interface AnalysisResult {
  /** The flows document (schema 1) that analyze's JSON extends. */
  flows: FlowsDocument;
  model: DusModel;
  findings: Finding[];
}

/** Most distinct client IPs whose Ethernet MAC is remembered. */
const MAX_MACS = 65_536;
/** ucdevice.upx bodies are small; firmware bodies are hashed, not kept, beyond this. */
const KEEP_BODY_BYTES = 256 * 1024;

export async function analyzeCapture(
  path: string,
  io: Pick<CliIo, 'stdin'>,
  rules: readonly Rule[] = RULES,
  extra: Pick<AnalyzeOptions, 'inventory' | 'expected' | 'tls'> = {},
): Promise<AnalysisResult> {
  const source = await openCapture(path, { stdin: io.stdin });
  return analyzeSource(source, path, { rules, ...extra });
}

export interface AnalyzeOptions {
  rules?: readonly Rule[];
  /** Called as each HTTP exchange completes (live mode shows progress with it). */
  onExchange?: (x: HttpExchange) => void;
  signal?: AbortSignal;
  /** The server's inventory: check-in responses are diffed against what it says they should be. */
  inventory?: Inventory;
  /** A known-good response body every check-in response is diffed against. */
  expected?: UpxResponse;
  /** Keys to decrypt HTTPS check-ins with. */
  tls?: TlsKeys;
}

/** Analyze any capture source (a file, or a live capture) labelled `path` in the report. */
export async function analyzeSource(source: CaptureSource, path: string, opts: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const rules = opts.rules ?? RULES;
  const exchanges: HttpExchange[] = [];
  const connections = new ConnectionLog();
  const macs = new Map<string, string>();
  const discovery = new DiscoveryCollector();
  const dnsOverTcp = new DnsTcpTracker(discovery);
  let snapCut = 0;
  const result = await runPipeline(source, {
    keepBodies: true,
    maxBodyBytes: KEEP_BODY_BYTES,
    signal: opts.signal,
    tls: opts.tls,
    onExchange: (x) => {
      // Keep what the model needs; a firmware body over the cap was never kept.
      exchanges.push(x);
      opts.onExchange?.(x);
    },
    onStreamEvent: (e) => dnsOverTcp.accept(e),
    onFrame: (f) => {
      if (f.capLen < f.origLen) snapCut++;
      if (f.tcp) connections.push(f);
      else if (f.udp) discovery.udpFrame(f);
      if (f.ip && f.link?.src && !macs.has(f.ip.src) && macs.size < MAX_MACS) macs.set(f.ip.src, f.link.src);
    },
  });
  const capture = captureJson(path, result);
  const tlsJson = tlsByStream(result.tls.sessions);
  for (const x of exchanges) {
    const t = tlsJson.get(x.flow.index);
    if (t) x.decrypted = t;
  }
  const flowJsons = exchanges.map((x) => ({ json: exchangeJson(x, undefined, '', x.decrypted), http: x }));
  flowJsons.sort((a, b) => exchangeStartFrame(a.json) - exchangeStartFrame(b.json) || a.json.id.localeCompare(b.json.id));
  const flows: FlowsDocument = {
    schema: FLOWS_SCHEMA,
    captures: [capture],
    exchanges: flowJsons.map((e) => e.json),
    warnings: pipelineWarnings(result).map((w) => warningJson(w)),
  };
  const conns = connections.all();
  const model = buildModel({
    captures: [capture],
    exchanges: flowJsons.map((e) => ({ id: e.json.id, http: e.http })),
    connections: conns,
    macOfIp: (ip) => macs.get(ip),
    snapCut,
    unreadableTls: result.tls.undecryptable.length,
    endNs: result.lastTimestampNs ?? 0n,
  });
  model.discovery = discovery.facts();
  model.tls = result.tls;
  if (opts.inventory) model.inventory = opts.inventory;
  if (opts.expected) model.expected = opts.expected;
  const findings = diagnose(model, rules);
  for (const p of model.phones) p.status = phoneStatus(p, model, findings);
  return { flows, model, findings };
}
