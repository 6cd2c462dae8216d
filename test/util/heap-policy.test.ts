import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/util/heap-policy.js';

// The report phase of a big capture starts from a collected heap: this checks
// that the call really collects (in this Node, from inside the program, without
// --expose-gc on the command line), and that it leaves a small heap alone.

describe('collectGarbage', () => {
  it('collects what nothing refers to any more', async () => {
    let target: number[] | undefined = new Array<number>(10_000).fill(7);
    const ref = new WeakRef(target);
    target = undefined;
    // A WeakRef's target lives at least to the end of the job that made the WeakRef.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(collectGarbage(0)).toBe(true);
    expect(ref.deref()).toBeUndefined();
  });

  it('does nothing while the heap is below the size given', () => {
    expect(collectGarbage(Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});
