// Runs in a worker thread beside the fuzz loop. The loop publishes the case in
// progress (target index, input bytes, start time) in shared memory; a case
// that blocks the loop for longer than the hang bound cannot be interrupted
// from inside, so the watchdog saves its input as a regression and kills the
// process.
import { workerData } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const { shared, targets, outDir, hangMs, seed } = workerData;
const meta = new Float64Array(shared, 0, 4); // [target index, input length, start ms, case number]
const input = new Uint8Array(shared, 32);

setInterval(() => {
  const start = meta[2];
  if (start === 0 || Date.now() - start < hangMs) return;
  const target = targets[meta[0]];
  const len = meta[1];
  const bytes = len >= 0 ? input.slice(0, len) : new Uint8Array(0);
  const sha = createHash('sha1').update(bytes).digest('hex');
  const dir = join(outDir, target);
  mkdirSync(dir, { recursive: true });
  if (len >= 0) writeFileSync(join(dir, `${sha}.bin`), bytes);
  writeFileSync(
    join(dir, `${sha}.txt`),
    `hang: case blocked the loop for more than ${hangMs} ms\nseed ${seed} case ${meta[3]}${len < 0 ? ' (input too large to keep: regenerate it with this seed and case)' : ''}\n`,
  );
  // Straight to fd 2: a worker's process.stderr goes through the blocked main thread.
  writeSync(2, `\nfuzz: HANG in ${target} (seed ${seed}, case ${meta[3]}), input saved as ${dir}/${sha}.bin; killing the run\n`);
  process.kill(process.pid, 'SIGKILL');
}, 500);
