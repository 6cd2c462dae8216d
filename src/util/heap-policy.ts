// How upxray asks V8 to size its heap: a file of gigabytes must be analysed in
// the same memory as one of a hundred megabytes (BENCHMARKS.md steps 43-45, 58-59).
//
// - The young generation: V8 doubles it while enough objects survive, up to
//   32 MiB (two semi-spaces of 16) on these machines. Reading keeps a working
//   set of a few MB (the frames of the lent read buffers, the flows' state), so
//   the last doubling bought no speed and cost 16 MiB; the pipeline holds it at
//   16 MiB (not when it runs beside other pipelines, as shards: the flag is the
//   process's, and holding it would stop theirs wherever they stood).
// - Growth: after each full collection V8 lets the old generation grow to up
//   to four times what is live before the next one (a factor it derives from
//   the speeds of marking and allocating). The analysis allocates fast and keeps
//   little, so its heap floated 20-40 MB above what was live, by chance of where
//   the run stood. Told to grow by 10 % (at least 8 MB), it stays close to it.
// - The old generation's slack: V8 starts marking the old generation only
//   when it has grown by 8 MB plus the young generation's capacity beyond what
//   was live, and the pages it grew into stay the process's. Connection state
//   lives long enough to be promoted and then dies, so the old generation filled
//   with garbage up to that limit again and again, and a longer run met a higher
//   one: its peak rose with the capture's size. The pipeline collects it itself
//   once it has grown by 4 MiB, or by 10 % of what is live when that is more
//   (a full collection of analyze's heap takes about 10 ms, about as often as
//   V8's own would run).
// - The end of reading: all the reading stages held (flows, parsers, caches,
//   the last frames' views) is then garbage, but V8 collects the old generation
//   only at its limit, and the report's own allocations raise the heap further
//   instead of reusing that space. Collected first, the report runs in the room
//   the reading left.
//
// All four go through V8 flags set at run time (v8.setFlagsFromString), as
// the sizes given on node's command line cannot be: V8 reads
// --semi-space-growth-factor each time it grows the young generation and
// --heap-growing-percent each time it sets a limit, and gives `gc` to the
// contexts made while --expose-gc is set (one small context is made for the
// function). Where that fails, V8 keeps its defaults: the output is the same.
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How much the old generation may grow beyond what is live (V8 adds at least 8 MB). */
export const HEAP_GROWING_PERCENT = 10;

/**
 * Below this heap size the run was short: the heap is mostly the young
 * generation (16 MiB) and compiled code, and a full collection would cost more
 * than it frees (100 MB of this traffic ends with 27 MiB of heap, 1 GB with
 * about 40).
 */
export const HEAP_WORTH_COLLECTING = 32 * 1024 * 1024;

/** Set one V8 flag; false where V8 refuses it (its own behaviour then stays). */
function setV8Flag(flag: string): boolean {
  try {
    setFlagsFromString(flag);
    return true;
  } catch {
    return false;
  }
}

/** Keep the old generation close to what is live (for the whole process). */
export function tightenHeapGrowth(): void {
  setV8Flag(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/** The young generation (both semi-spaces) the pipeline lets V8 grow to. */
export const YOUNG_GENERATION_BYTES = 16 * 1024 * 1024;

/** V8's own growth factor of the young generation. */
const SEMI_SPACE_GROWTH_FACTOR = 2;

let youngHeld = false;

type HeapSpaces = ReturnType<typeof getHeapSpaceStatistics>;

function space(spaces: HeapSpaces, name: string): HeapSpaces[number] | undefined {
  for (const s of spaces) if (s.space_name === name) return s;
  return undefined;
}

/** The young generation's size now (both semi-spaces). */
export function youngGenerationBytes(spaces: HeapSpaces = getHeapSpaceStatistics()): number {
  return space(spaces, 'new_space')?.space_size ?? 0;
}

/**
 * Once the young generation has reached YOUNG_GENERATION_BYTES, stop V8 from
 * growing it further; let it grow again if V8 shrinks it (as it does when
 * allocation slows down). Cheap (a microsecond): the pipeline calls it for
 * every batch of records, many times between two growths.
 */
export function holdYoungGeneration(spaces: HeapSpaces = getHeapSpaceStatistics()): void {
  const hold = youngGenerationBytes(spaces) >= YOUNG_GENERATION_BYTES;
  if (hold === youngHeld) return;
  if (setV8Flag(`--semi-space-growth-factor=${hold ? 1 : SEMI_SPACE_GROWTH_FACTOR}`)) youngHeld = hold;
}

/** How far the old generation may grow beyond what was live in it before the pipeline collects it, at least. */
export const OLD_GENERATION_SLACK_BYTES = 4 * 1024 * 1024;

/**
 * The slack for `live` bytes in the old generation: OLD_GENERATION_SLACK_BYTES,
 * or HEAP_GROWING_PERCENT of what is live when that is more. A command that
 * keeps every exchange whole (the terminal UI, `ticket`) can hold hundreds of
 * MB: a full collection at every 4 MiB of it would mark the whole heap again
 * and again, where V8's own limit grows with it.
 */
export function oldGenerationSlack(live: number): number {
  return Math.max(OLD_GENERATION_SLACK_BYTES, (live * HEAP_GROWING_PERCENT) / 100);
}

/** What was in the old generation after the last collection (V8's or ours); -1 before the first look. */
let oldLive = -1;

/**
 * Collect all garbage once the old generation has grown by oldGenerationSlack
 * beyond what was live in it (see the top of the file). Returns whether it collected.
 * Old-space use falls only when a full collection ran, so its lowest value
 * since the last one is what V8's own collections left.
 */
export function boundOldGeneration(spaces: HeapSpaces = getHeapSpaceStatistics()): boolean {
  const used = space(spaces, 'old_space')?.space_used_size ?? 0;
  if (oldLive < 0 || used < oldLive) oldLive = used;
  if (used < oldLive + oldGenerationSlack(oldLive)) return false;
  return collectNow();
}

/** The heap policy of a pipeline reading a capture: called after every batch of records. */
export function keepHeapAtWorkingSize(): void {
  const spaces = getHeapSpaceStatistics();
  holdYoungGeneration(spaces);
  boundOldGeneration(spaces);
}

let gc: (() => void) | null | undefined;

/** Collect all garbage, and remember what is then live in the old generation. False where V8 gives no `gc`. */
function collectNow(): boolean {
  const f = gcFunction();
  if (!f) return false;
  f();
  oldLive = space(getHeapSpaceStatistics(), 'old_space')?.space_used_size ?? 0;
  return true;
}

function gcFunction(): (() => void) | null {
  if (gc !== undefined) return gc;
  if (!setV8Flag('--expose-gc')) return (gc = null);
  try {
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
  return collectNow();
}
