// Worker thread entry: run one shard and post what it found to the thread
// that started it (structured clone: plain data, Maps, bigints, byte arrays).
import { parentPort, workerData } from 'node:worker_threads';
import { runShard } from './run-shard.js';
import type { ShardMessage, ShardTask } from './shard-message.js';

const task = workerData as ShardTask;
const post = (m: ShardMessage): void => parentPort!.postMessage(m);

runShard(task.path, task.index, task.count, { keepCheckInBodies: task.keepCheckInBodies }).then(
  (run) => post({ ok: true, state: run.collector.shardState(), result: run.result, flowStarts: run.flowStarts }),
  (err: unknown) => post({ ok: false, message: err instanceof Error ? err.message : String(err) }),
);
