// One shard of a sharded analysis: the whole pipeline over the file, decoding
// only this shard's frames (parallel/shard-of.ts), into a collector whose
// order-dependent bounds are this shard's share of analyze's, so that a shard
// staying within its share proves the single-threaded run stayed within the
// whole (analyze-sharded.ts checks it).
import { AnalysisCollector, MAX_KEPT_CONNECTIONS, MAX_MACS, type CollectorOptions } from '../analysis-collector.js';
import { openCapture } from '../capture/open.js';
import { runPipeline, type PipelineResult } from '../pipeline.js';
import { DEFAULT_MAX_OPEN_FLOWS } from '../reassembly/tcp-reassembler.js';

export interface ShardRun {
  collector: AnalysisCollector;
  result: PipelineResult;
  /** First frame of every TCP connection this shard made, ascending: their global numbering comes from all shards'. */
  flowStarts: number[];
}

export async function runShard(path: string, index: number, count: number, opts: CollectorOptions = {}): Promise<ShardRun> {
  const source = await openCapture(path);
  const collector = new AnalysisCollector({
    ...opts,
    maxOtherExchanges: Number.POSITIVE_INFINITY,
    maxKeptConnections: Math.floor(MAX_KEPT_CONNECTIONS / count),
    maxMacs: Math.floor(MAX_MACS / count),
  });
  const hooks = collector.hooks();
  const flowStarts: number[] = [];
  const result = await runPipeline(source, {
    ...hooks,
    onStreamEvent: (e) => {
      if (e.kind === 'open') flowStarts.push(e.flow.firstFrame);
      hooks.onStreamEvent?.(e);
    },
    shard: { index, count },
    maxOpenFlows: Math.floor(DEFAULT_MAX_OPEN_FLOWS / count),
    heapPolicy: false,
  });
  return { collector, result, flowStarts };
}
