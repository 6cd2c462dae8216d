// `analyze` of a capture file on several threads, with the single-threaded
// answer. Each thread reads the whole file but decodes only the frames of its
// shard (a hash of the TCP 4-tuple, parallel/shard-of.ts): connections never
// span shards, so reassembly, HTTP, hashing and XML run as they would alone.
// This thread runs shard 0 itself, then merges the others' findings into its
// collector and builds the model and the rules once, over everything.
//
// What a single pass decides by order across connections cannot be merged
// afterwards: the bounds (open flows, remembered connections, MACs), TCP
// numbering, key-log driven TLS resumption. So:
//   - each shard runs with its share of every bound, and a shard that reached
//     one proves nothing: the result is discarded (undefined) and the caller
//     runs single-threaded;
//   - TCP stream numbers are given again from the first frames of all shards'
//     connections (tshark's order of first appearance);
//   - anything outside the plain case (a TCP frame no shard claimed, TLS or
//     DNS facts in a shard other than 0, key logs inside the capture) also
//     discards the result.
// Discarding costs time, never correctness.
import { Worker } from 'node:worker_threads';
import type { AnalysisResult } from '../analysis.js';
import type { CollectorOptions, CollectorShardState } from '../analysis-collector.js';
import type { HttpExchange } from '../http/exchanges.js';
import type { FrameStats } from '../net/frame-decoder.js';
import type { PipelineResult } from '../pipeline.js';
import { MAX_CONNECTIONS } from '../reassembly/connection-log.js';
import type { ReassemblyStats } from '../reassembly/reassembly-stats.js';
import type { FlowInfo } from '../reassembly/stream-event.js';
import { DEFAULT_MAX_CLOSED_FLOWS } from '../reassembly/tcp-reassembler.js';
import { runShard } from './run-shard.js';
import type { ShardMessage, ShardTask } from './shard-message.js';

interface ShardOutcome {
  state: CollectorShardState;
  result: PipelineResult;
  flowStarts: number[];
}

/**
 * The worker script. Under the test runner this module is TypeScript source,
 * which a worker thread cannot load: the compiled twin in dist/ runs instead.
 */
function workerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL(here.replace(/\/src\/parallel\/analyze-sharded\.ts$/, '/dist/parallel/shard-worker.js'));
  return new URL('./shard-worker.js', here);
}

/** A worker thread that failed: what it said (a shard that could not read the file says nothing here). */
interface ShardFailure {
  failed: string;
}

/** Run shard `index` of `count` in a worker thread; undefined if the shard could not read the file. */
function shardInWorker(path: string, index: number, count: number, keepCheckInBodies?: boolean): { done: Promise<ShardOutcome | ShardFailure | undefined>; stop: () => void } {
  const task: ShardTask = { path, index, count, keepCheckInBodies };
  const worker = new Worker(workerUrl(), { workerData: task, stdout: false, stderr: false });
  const done = new Promise<ShardOutcome | ShardFailure | undefined>((resolve) => {
    worker.once('message', (m: ShardMessage) => resolve(m.ok ? { state: m.state, result: m.result, flowStarts: m.flowStarts } : undefined));
    // The thread itself failed (its script missing, memory): not something the capture did.
    worker.once('error', (e) => resolve({ failed: e instanceof Error ? e.message : String(e) }));
    worker.once('exit', (code) => resolve({ failed: `it stopped with code ${code}` }));
  });
  return { done: done.finally(() => void worker.terminate()), stop: () => void worker.terminate() };
}

/**
 * The sharded answer, or why there is none (the caller then runs one thread);
 * `failure` when a worker thread itself failed, which the user should hear of.
 */
export type ShardedAnalysis = { result: AnalysisResult } | { fallback: string; failure?: string };

/**
 * analyze's result for `path` computed on `count` threads, unless the sharded
 * run cannot vouch for being the single-threaded one.
 * Rejects as the single-threaded run would when the file cannot be read.
 */
export async function analyzeSharded(path: string, count: number, opts: CollectorOptions): Promise<ShardedAnalysis> {
  const workers = Array.from({ length: count - 1 }, (_, i) => shardInWorker(path, i + 1, count, opts.keepCheckInBodies));
  let own;
  try {
    own = await runShard(path, 0, count, opts);
  } catch (err) {
    for (const w of workers) w.stop();
    throw err;
  }
  const others = await Promise.all(workers.map((w) => w.done));
  const ownOutcome: ShardOutcome = { state: own.collector.shardState(), result: own.result, flowStarts: own.flowStarts };
  const failure = others.find((o): o is ShardFailure => o !== undefined && 'failed' in o);
  if (failure) return { fallback: 'a worker thread failed', failure: failure.failed };
  if (others.some((o) => o === undefined)) return { fallback: 'a worker thread failed' };
  const all = [ownOutcome, ...(others as ShardOutcome[])];
  const why = whyShardsDiffer(all);
  if (why) return { fallback: why };
  if (!renumberFlows(all)) return { fallback: 'a connection without its first frame' };
  for (const o of others as ShardOutcome[]) own.collector.absorb(o.state);
  return { result: own.collector.snapshot(path, own.result.info, mergedResult(all)) };
}

/** Why the shards together may not be what one pass would have seen (see the top of the file); undefined if they are. */
function whyShardsDiffer(all: readonly ShardOutcome[]): string | undefined {
  const [first, ...rest] = all;
  const r0 = first.result;
  if (r0.unshardedTcp > 0) return 'TCP that is not Ethernet/IPv4 or came in IP fragments';
  if ((r0.info.secrets?.length ?? 0) > 0) return 'TLS key log inside the capture';
  let flows = 0;
  let connections = 0;
  for (const { state, result } of all) {
    if (result.reassembly.evictedFlows > 0) return 'open-flow limit reached';
    if (state.connectionsEvicted > 0 || state.connectionsDropped > 0) return 'connection log limit reached';
    if (state.macsFull) return 'MAC table limit reached';
    if (result.records !== r0.records || result.warnings.length !== r0.warnings.length) return 'threads read different records';
    flows += result.reassembly.flows;
    connections += state.connections.length;
  }
  // One pass forgets the oldest closed flows beyond this many (then a late segment opens a new one).
  if (flows > DEFAULT_MAX_CLOSED_FLOWS) return 'more connections than closed flows remembered';
  if (connections >= MAX_CONNECTIONS) return 'connection log limit reached';
  for (const { state, result } of rest) {
    const d = result.decode;
    const tls = result.tls;
    if (state.discoveryFacts > 0) return 'DNS or DHCP outside shard 0';
    if (tls.sessions.length + tls.undecryptable.length + tls.alerts.length > 0) return 'TLS outside shard 0';
    if (d.malformed.size + d.unknownLinkTypes.size + d.unknownEtherTypes.size + d.unknownIpProtocols.size > 0) return 'undecodable frames outside shard 0';
    if (d.fragments > 0 || d.llcFrames > 0) return 'fragments or LLC outside shard 0';
  }
  return undefined;
}

/** TCP stream numbers as one pass gives them: by first frame over all shards. */
function renumberFlows(all: readonly ShardOutcome[]): boolean {
  const starts = all.flatMap((o) => o.flowStarts).sort((a, b) => a - b);
  const rank = (frame: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] === frame) return mid;
      if (starts[mid] < frame) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  const done = new Set<FlowInfo>();
  const renumber = (flow: FlowInfo): boolean => {
    if (done.has(flow)) return true;
    done.add(flow);
    flow.index = rank(flow.firstFrame);
    return flow.index >= 0;
  };
  for (const o of all) {
    for (const x of o.state.exchanges) {
      if (!renumber(x.flow)) return false;
      renameExchange(x);
    }
    const tls = o.result.tls;
    for (const e of [...tls.sessions, ...tls.undecryptable, ...tls.alerts]) if (!renumber(e.flow)) return false;
  }
  return true;
}

/** `${flow.index}.${n}`: the same n, the flow's new number. */
function renameExchange(x: HttpExchange): void {
  x.id = `${x.flow.index}${x.id.slice(x.id.indexOf('.'))}`;
}

function mergedResult(all: readonly ShardOutcome[]): PipelineResult {
  const r0 = all[0].result;
  const decode: FrameStats = { ...r0.decode, byLinkType: new Map(r0.decode.byLinkType) };
  const reassembly: ReassemblyStats = { ...r0.reassembly };
  for (const { result } of all.slice(1)) {
    decode.frames += result.decode.frames;
    for (const [type, n] of result.decode.byLinkType) decode.byLinkType.set(type, (decode.byLinkType.get(type) ?? 0) + n);
    for (const k of Object.keys(reassembly) as Array<keyof ReassemblyStats>) reassembly[k] += result.reassembly[k];
  }
  return { ...r0, decode, reassembly };
}
