// `--threads <n|auto>`: how many threads read a capture file. Threads pay off
// only on big files (each starts a worker and reads the whole file), and only
// with cores to spare: one thread already keeps about 1.2 cores busy (V8's
// garbage collector and the file read ahead run beside it), and on the 2-core
// benchmark machine 2 threads were no faster than 1 (BENCHMARKS.md).
import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import { UsageError } from './io.js';

/** Files smaller than this are read by one thread under `auto`. */
export const AUTO_THREADS_MIN_BYTES = 64 * 1024 * 1024;
/** Most threads `auto` uses. */
const AUTO_THREADS_MAX = 4;
/** Fewest cores on which `auto` uses threads (one core is left to the GC and reads). */
const AUTO_THREADS_MIN_CORES = 4;
/** Most threads anyone may ask for: each is a JavaScript heap of its own and reads the whole file. */
const THREADS_MAX = 16;

/** `--threads`' value as a number of threads, 'auto', or a usage error. */
function parseThreads(value: string | undefined): number | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > THREADS_MAX) throw new UsageError(`--threads: expected a number from 1 to ${THREADS_MAX} or auto, got ${JSON.stringify(value)}`);
  return n;
}

export async function threadsOption(value: string | undefined, path: string): Promise<number> {
  const asked = parseThreads(value);
  if (asked === 'auto') {
    if (path === '-') return 1;
    const size = await stat(path).then(
      (s) => (s.isFile() ? s.size : 0),
      () => 0,
    );
    const cores = availableParallelism();
    if (size < AUTO_THREADS_MIN_BYTES || cores < AUTO_THREADS_MIN_CORES) return 1;
    return Math.min(cores - 1, AUTO_THREADS_MAX);
  }
  return asked;
}

/**
 * Whether long bodies are hashed on a thread of their own (parallel/hash-thread.ts):
 * whenever there is a second core, unless `--threads 1` asked for one thread in all.
 * Hashing is about a fifth of the work on a firmware download and needs nothing
 * but the bytes, so unlike the shards it pays on two cores.
 */
export function hashThreadOption(value: string | undefined): boolean {
  return parseThreads(value) !== 1 && availableParallelism() >= 2;
}
