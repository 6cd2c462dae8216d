// How upxray asks V8 to size its heap: a file of gigabytes must be analysed in
// the same memory as one of a hundred megabytes (BENCHMARKS.md steps 43-45, 58).
//
// - Growth: after each full collection V8 lets the old generation grow to up
//   to four times what is live before the next one (a factor it derives from
//   the speeds of marking and allocating). The analysis allocates fast and keeps
//   little, so its heap floated 20-40 MB above what was live, by chance of where
//   the run stood. Told to grow by 10 % (at least 8 MB), it stays close to it.
// - The end of reading: all the reading stages held (flows, parsers, caches,
//   the last frames' views) is then garbage, but V8 collects the old generation
//   only at its limit, and the report's own allocations raise the heap further
//   instead of reusing that space. Collected first, the report runs in the room
//   the reading left.
//
// Both go through V8 flags set at run time (v8.setFlagsFromString): V8 reads
// --heap-growing-percent each time it sets a limit, and gives `gc` to the
// contexts made while --expose-gc is set (one small context is made for the
// function). Where that fails, V8 keeps its defaults: the output is the same.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How much the old generation may grow beyond what is live (V8 adds at least 8 MB). */
export const HEAP_GROWING_PERCENT = 10;

/**
 * Below this heap size a run was short (its young generation, 32 MiB once V8
 * has grown it, not yet full size): little is in the old generation, and a full
 * collection would cost more than it frees.
 */
export const HEAP_WORTH_COLLECTING = 32 * 1024 * 1024;

/** Keep the old generation close to what is live (for the whole process). */
export function tightenHeapGrowth(): void {
  try {
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  } catch {
    // V8's own factor stays.
  }
}

let gc: (() => void) | null | undefined;

function gcFunction(): (() => void) | null {
  if (gc !== undefined) return gc;
  try {
    setFlagsFromString('--expose-gc');
    const f: unknown = runInNewContext('gc');
    gc = typeof f === 'function' ? (f as () => void) : null;
  } catch {
    gc = null;
  }
  return gc;
}

/**
 * Collect all garbage now if the heap has grown to `whenHeapAbove` bytes (a
 * long run that is about to change phase). Returns whether it collected.
 */
export function collectGarbage(whenHeapAbove = HEAP_WORTH_COLLECTING): boolean {
  if (getHeapStatistics().total_heap_size < whenHeapAbove) return false;
  const f = gcFunction();
  if (!f) return false;
  f();
  return true;
}
