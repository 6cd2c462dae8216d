// Whether objects that only WeakRefs point at are collected. A WeakRef's target
// lives at least to the end of the job that made the WeakRef, and a file or a
// thread that is closing may hold something a moment longer: collect and look
// again, up to 50 times 10 ms apart. What is really kept stays alive however
// long one waits.
import { collectGarbage } from '../../src/util/heap-policy.js';

/** How many of `refs` still have their target (an absent one counts as gone). */
export function countAlive(refs: ReadonlyArray<WeakRef<object> | undefined>): number {
  let n = 0;
  for (const r of refs) if (r?.deref() !== undefined) n++;
  return n;
}

/** Collect garbage until `alive()` is 0, or 50 times; what `alive()` then says. */
export async function aliveAfterCollecting(alive: () => number): Promise<number> {
  for (let tries = 0; tries < 50 && alive() > 0; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (!collectGarbage(0)) throw new Error('no gc function: V8 refused --expose-gc');
  }
  return alive();
}
