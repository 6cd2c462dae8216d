// Incremental analysis of a capture that is still being made. The records go
// through the same pipeline as a file's; exchanges are reported as they
// complete, diagnosis runs again (at most every `intervalMs`, and on a timer
// while the link is quiet) and each new finding is reported once. At the end
// the final diagnosis is exactly analyze's on the same records.
import type { AnalysisResult } from '../analysis.js';
import type { CaptureRecord, CaptureSource } from '../capture/source.js';
import type { Rule } from '../diagnose/diagnose.js';
import type { Finding } from '../diagnose/finding.js';
import type { HttpExchange } from '../http/exchanges.js';
import { runPipeline, type PipelineResult } from '../pipeline.js';
import { FindingTracker } from './finding-tracker.js';
import { AnalysisCollector } from '../analysis-collector.js';
import type { Inventory } from '../dus/inventory.js';
import type { UpxResponse } from '../dus/upx-types.js';
import type { TlsKeys } from '../pipeline.js';
import type { StreamEvent } from '../reassembly/stream-event.js';

export type LiveEvent =
  | { kind: 'exchange'; exchange: HttpExchange }
  | { kind: 'finding'; finding: Finding; nowNs: bigint }
  | { kind: 'withdrawn'; finding: Finding };

export interface LiveSessionOptions {
  /** Name of the capture in reports (`live:eth0`). */
  label: string;
  rules?: readonly Rule[];
  onEvent: (e: LiveEvent) => void;
  /** Sees every batch before the analysis does (to write it to disk). */
  onBatch?: (batch: readonly CaptureRecord[]) => void;
  /** Least wall time between two diagnoses. @default 1000 */
  intervalMs?: number;
  /** Bound on unrelated HTTP exchanges kept. */
  maxOtherExchanges?: number;
  /** Wall clock in ms (tests and the soak bench pass their own). @default Date.now */
  now?: () => number;
  signal?: AbortSignal;
  /** As analyze's --inventory and --expected. */
  inventory?: Inventory;
  expected?: UpxResponse;
  /** As analyze's --rsa-key and --keylog. */
  tls?: TlsKeys;
  /** The analysis after each diagnosis, mid-capture and the final one (for the dashboard). */
  onSnapshot?: (result: AnalysisResult) => void;
  /** Every TCP stream event, before HTTP sees it (download progress reads these). */
  onStreamEvent?: (e: StreamEvent) => void;
}

export interface LiveSessionResult {
  result: AnalysisResult;
  pipeline: PipelineResult;
  /** Unrelated exchanges forgotten by the memory bound. */
  otherDropped: number;
  /** Diagnoses run during the capture (the final one not counted). */
  diagnoses: number;
}

export async function runLiveSession(source: CaptureSource, opts: LiveSessionOptions): Promise<LiveSessionResult> {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 1000;
  const collector = new AnalysisCollector({
    rules: opts.rules,
    maxOtherExchanges: opts.maxOtherExchanges,
    inventory: opts.inventory,
    expected: opts.expected,
  });
  const tracker = new FindingTracker();
  let dirty = false;
  let lastRun = -Infinity;
  let lastCost = 0;
  let lastRecordWall = now();
  let diagnoses = 0;

  /**
   * Capture time "now": the last packet's time, moved on by the wall time
   * since it arrived, so absence findings settle on a quiet link too, while a
   * replayed capture keeps its own clock.
   */
  const captureNow = (): bigint => {
    const last = collector.lastNs ?? 0n;
    return last + BigInt(Math.max(0, Math.round(now() - lastRecordWall))) * 1_000_000n;
  };

  const diagnoseNow = (): void => {
    const t0 = now();
    const snap = collector.snapshot(opts.label, source.info);
    const at = captureNow();
    for (const f of tracker.update(snap.findings, at)) opts.onEvent({ kind: 'finding', finding: f, nowNs: at });
    opts.onSnapshot?.(snap);
    lastRun = now();
    // A snapshot costs time linear in what is kept; never spend more than a tenth of the time on it.
    lastCost = lastRun - t0;
    dirty = false;
    diagnoses++;
  };
  const due = (): boolean => now() - lastRun >= Math.max(interval, lastCost * 10);

  const tapped: CaptureSource = {
    get info() {
      return source.info;
    },
    get warnings() {
      return source.warnings;
    },
    get recordCount() {
      return source.recordCount;
    },
    async *batches(signal?: AbortSignal) {
      for await (const batch of source.batches(signal)) {
        opts.onBatch?.(batch);
        if (batch.length > 0) lastRecordWall = now();
        yield batch;
        if (dirty && due()) diagnoseNow();
      }
    },
  };

  // While the link is quiet, held findings still settle and late ones still show.
  const timer = setInterval(
    () => {
      if ((dirty || tracker.waitingCount > 0) && due()) diagnoseNow();
    },
    Math.max(250, interval),
  );
  timer.unref();
  let pipeline: PipelineResult;
  try {
    const hooks = collector.hooks((x) => {
      dirty = true;
      opts.onEvent({ kind: 'exchange', exchange: x });
    });
    const onStream = opts.onStreamEvent;
    pipeline = await runPipeline(tapped, {
      ...hooks,
      onStreamEvent: onStream
        ? (e) => {
            hooks.onStreamEvent?.(e);
            onStream(e);
          }
        : hooks.onStreamEvent,
      signal: opts.signal,
      tls: opts.tls,
    });
  } finally {
    clearInterval(timer);
  }
  const result = collector.snapshot(opts.label, source.info, pipeline);
  const end = tracker.finish(result.findings);
  const at = pipeline.lastTimestampNs ?? 0n;
  for (const f of end.told) opts.onEvent({ kind: 'finding', finding: f, nowNs: at });
  for (const f of end.withdrawn) opts.onEvent({ kind: 'withdrawn', finding: f });
  opts.onSnapshot?.(result);
  return { result, pipeline, otherDropped: collector.otherDropped, diagnoses };
}
