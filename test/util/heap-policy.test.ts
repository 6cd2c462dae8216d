import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectGarbage, HEAP_GROWING_PERCENT, OLD_GENERATION_SLACK_BYTES, oldGenerationSlack, YOUNG_GENERATION_BYTES } from '../../src/util/heap-policy.js';

// V8's flags are the whole process's: the young generation is tried in a
// process of its own, with the built module (npm test builds first).
const BUILT = fileURLToPath(new URL('../../dist/util/heap-policy.js', import.meta.url));

/** The largest young generation a process that keeps a sliding window of objects alive reaches. */
function youngGenerationPeak(hold: boolean): number {
  const script = `
    import { holdYoungGeneration, youngGenerationBytes } from ${JSON.stringify(BUILT)};
    let window = [];
    let peak = 0;
    for (let i = 0; i < 3_000_000; i++) {
      window.push({ i, text: 'x' + i });
      if (window.length > 100_000) window = [];
      if (i % 1000 === 0) {
        if (${hold}) holdYoungGeneration();
        peak = Math.max(peak, youngGenerationBytes());
      }
    }
    process.stdout.write(String(peak));`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

/**
 * The largest old generation of a process whose objects live long enough to be
 * promoted and then die (as connection state does), and how often it collected.
 */
function oldGenerationPeak(bound: boolean): { peak: number; collections: number } {
  const script = `
    import { boundOldGeneration } from ${JSON.stringify(BUILT)};
    import { getHeapSpaceStatistics } from 'node:v8';
    const oldSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size;
    let window = [];
    let peak = 0;
    let collections = 0;
    for (let i = 0; i < 4_000_000; i++) {
      window.push({ i, text: 'x' + i });
      if (window.length > 200_000) window = [];
      if (i % 1000 === 0) {
        if (${bound} && boundOldGeneration()) collections++;
        peak = Math.max(peak, oldSpace());
      }
    }
    process.stdout.write(JSON.stringify({ peak, collections }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { peak: number; collections: number };
}

describe('heap policy', () => {
  it('holds the young generation at its working size, where V8 alone grows it further', () => {
    expect(youngGenerationPeak(false)).toBeGreaterThan(YOUNG_GENERATION_BYTES);
    expect(youngGenerationPeak(true)).toBe(YOUNG_GENERATION_BYTES);
  });

  it('keeps the old generation near what is live in it, where V8 alone lets garbage fill it', () => {
    const alone = oldGenerationPeak(false);
    const bounded = oldGenerationPeak(true);
    expect(alone.collections).toBe(0);
    expect(bounded.collections).toBeGreaterThan(0);
    // At most 200,000 small objects are live (about 15 MB): V8 alone lets the old generation reach several times that
    // (about 80 MiB here), the bound about 18-28 MiB (more when other processes slow V8's helper threads).
    expect(bounded.peak).toBeLessThan(40 * 1024 * 1024);
    expect(alone.peak).toBeGreaterThan(1.5 * bounded.peak);
  });

  it("lets a large heap grow by V8's own percentage before collecting it, a small one by 4 MiB", () => {
    const MiB = 1024 * 1024;
    expect(oldGenerationSlack(0)).toBe(OLD_GENERATION_SLACK_BYTES);
    expect(oldGenerationSlack(20 * MiB)).toBe(OLD_GENERATION_SLACK_BYTES);
    expect(oldGenerationSlack(400 * MiB)).toBe((400 * MiB * HEAP_GROWING_PERCENT) / 100);
    expect(oldGenerationSlack(400 * MiB)).toBeGreaterThan(OLD_GENERATION_SLACK_BYTES);
  });

  it('collects what nothing refers to any more', async () => {
    let target: number[] | undefined = new Array<number>(10_000).fill(7);
    const ref = new WeakRef(target);
    target = undefined;
    // A WeakRef's target lives at least to the end of the job that made the WeakRef.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(collectGarbage(0)).toBe(true);
    expect(ref.deref()).toBeUndefined();
  });

  it('does not collect while the heap is below the size given', () => {
    expect(collectGarbage(Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});
