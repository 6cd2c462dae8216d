// `analyze`'s engine: the pipeline with the observers the Device Update Service
// model needs (AnalysisCollector: connection attempts, the MAC behind each IP,
// DNS and DHCP, frames cut by the snap length, the HTTP exchanges), then the
// model, then the rules. Reporters take it from here.
import { AnalysisCollector } from './analysis-collector.js';
import { openCapture } from './capture/open.js';
import type { CaptureSource } from './capture/source.js';
import type { CliIo } from './cli/io.js';
import type { Inventory } from './dus/inventory.js';
import type { DusModel } from './dus/model.js';
import type { UpxResponse } from './dus/upx-types.js';
import type { Rule } from './diagnose/diagnose.js';
import type { Finding } from './diagnose/finding.js';
import { RULES } from './diagnose/rules/index.js';
import type { HttpExchange } from './http/exchanges.js';
import type { LogAnalysis } from './logs/log-findings.js';
import { runPipeline, type TlsKeys } from './pipeline.js';
import { analyzeSharded } from './parallel/analyze-sharded.js';
import { collectGarbage } from './util/heap-policy.js';
import type { FlowsDocument } from './report/flows-json.js';

export interface AnalysisResult {
  /** The flows document (schema 1) that analyze's JSON extends. */
  flows: FlowsDocument;
  model: DusModel;
  findings: Finding[];
}

export async function analyzeCapture(
  path: string,
  io: Pick<CliIo, 'stdin'>,
  rules: readonly Rule[] = RULES,
  extra: Pick<AnalyzeOptions, 'inventory' | 'expected' | 'tls' | 'logs' | 'threads' | 'keepCheckInBodies' | 'hashThread' | 'spool' | 'lean' | 'parts' | 'putAsideAfter' | 'asideAfterCloses' | 'forgetAsideAfterNs' | 'partExchanges'> & {
    /** Told when the worker threads failed and one thread did the work instead (the result is the same). */
    warn?: (line: string) => void;
  } = {},
): Promise<AnalysisResult> {
  const threads = extra.threads ?? 1;
  // Threads read the file each on their own, and TLS keys tie connections together (resumption).
  if (threads > 1 && path !== '-' && !hasKeys(extra.tls)) {
    const sharded = await analyzeSharded(path, threads, {
      rules,
      inventory: extra.inventory,
      expected: extra.expected,
      logs: extra.logs,
      keepCheckInBodies: extra.keepCheckInBodies,
    });
    if ('result' in sharded) return sharded.result;
    if (sharded.failure !== undefined) extra.warn?.(`--threads ${threads}: a worker thread failed (${sharded.failure}); the capture was analysed on one thread`);
  }
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
  /** Server logs of the same traffic (`--audit-log`, `--iis-log`), merged into the timelines. */
  logs?: LogAnalysis;
  /**
   * Threads for a capture file (worker threads sharded by flow); the result is
   * the single-threaded one, which is computed instead whenever the threads
   * could not vouch for it. @default 1
   */
  threads?: number;
  /** Keep check-in bodies after decoding them (as the terminal UI and the ticket show them). @default true */
  keepCheckInBodies?: boolean;
  /** Hash long bodies on a second thread (PipelineOptions.hashThread); the result is the same. @default false */
  hashThread?: boolean;
  /**
   * Keep only what the model and rules read of each exchange, its report JSON
   * in a temporary file (CollectorOptions.spool); the result's reports are the
   * same, its exchanges' `http` lean. @default false
   */
  spool?: boolean;
  /** The same without the JSON, for the text report (CollectorOptions.lean). @default false */
  lean?: boolean;
  /**
   * With `spool`, the analysis made a part at a time (CollectorOptions.parts):
   * the result is the same, its model for writing the JSON report once. @default false
   */
  parts?: boolean;
  /** Exchanges kept in memory before they are put aside (tests). @default PUT_ASIDE_AFTER */
  putAsideAfter?: number;
  /** Closed connections kept in memory before they are put aside (tests). @default ASIDE_AFTER_CLOSES */
  asideAfterCloses?: number;
  /** Capture time after which the tuple of a connection put aside is forgotten (tests). @default TIME_WAIT_NS */
  forgetAsideAfterNs?: bigint;
  /** The most exchanges and connections of one batch of parts (tests). @default PART_EXCHANGES */
  partExchanges?: number;
}

function hasKeys(tls: TlsKeys | undefined): boolean {
  return tls !== undefined && (tls.rsaKeys.length > 0 || !tls.keyLog.isEmpty());
}

/** Analyze any capture source (a file, or a live capture) labelled `path` in the report. */
export async function analyzeSource(source: CaptureSource, path: string, opts: AnalyzeOptions = {}): Promise<AnalysisResult> {
  // A file's report lists every exchange, so nothing is bounded away here (live mode bounds it).
  const collector = new AnalysisCollector({
    rules: opts.rules ?? RULES,
    inventory: opts.inventory,
    expected: opts.expected,
    logs: opts.logs,
    keepCheckInBodies: opts.keepCheckInBodies,
    spool: opts.spool,
    lean: opts.lean,
    parts: opts.parts,
    putAsideAfter: opts.putAsideAfter,
    asideAfterCloses: opts.asideAfterCloses,
    forgetAsideAfterNs: opts.forgetAsideAfterNs,
    partExchanges: opts.partExchanges,
    maxOtherExchanges: Number.POSITIVE_INFINITY,
  });
  const result = await runPipeline(source, { ...collector.hooks(opts.onExchange), signal: opts.signal, tls: opts.tls, hashThread: opts.hashThread });
  // Reading is over: what it held is garbage, and the model and the report are made next.
  collectGarbage();
  return collector.snapshot(path, source.info, result);
}
