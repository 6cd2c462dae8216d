// `--threads <n|auto>`: how many threads read a capture file. Threads pay off
// only on big files (each starts a worker and reads the whole file), and only
// up to the cores there are.
import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import { UsageError } from './io.js';

/** Files smaller than this are read by one thread under `auto`. */
export const AUTO_THREADS_MIN_BYTES = 64 * 1024 * 1024;
/** Most threads `auto` uses. */
const AUTO_THREADS_MAX = 4;
/** Most threads anyone may ask for. */
const THREADS_MAX = 64;

export async function threadsOption(value: string | undefined, path: string): Promise<number> {
  if (value === undefined || value === 'auto') {
    if (path === '-') return 1;
    const size = await stat(path).then(
      (s) => (s.isFile() ? s.size : 0),
      () => 0,
    );
    return size >= AUTO_THREADS_MIN_BYTES ? Math.min(availableParallelism(), AUTO_THREADS_MAX) : 1;
  }
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > THREADS_MAX) throw new UsageError(`--threads: expected a number from 1 to ${THREADS_MAX} or auto, got ${JSON.stringify(value)}`);
  return n;
}
