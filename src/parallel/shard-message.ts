// What crosses between the analyzing thread and a shard's worker thread.
import type { CollectorShardState } from '../analysis-collector.js';
import type { PipelineResult } from '../pipeline.js';

export interface ShardTask {
  path: string;
  index: number;
  count: number;
  keepCheckInBodies?: boolean;
}

export type ShardMessage =
  | { ok: true; state: CollectorShardState; result: PipelineResult; flowStarts: number[] }
  | { ok: false; message: string };
