// Big buffers are views of the first bytes of an allocation above glibc's
// 32 MiB ceiling for its dynamic mmap threshold (util/big-buffer.ts): the view
// is exactly the size asked for, and the allocation is above the ceiling.
import { describe, expect, it } from 'vitest';
import { bigBuffer, bigSharedArrayBuffer, bigSharedBuffer, UNTRACKED_ALLOCATION_BYTES } from '../../src/util/big-buffer.js';

describe('big buffers', () => {
  it('is a buffer of the size asked for, over an allocation above 32 MiB', () => {
    expect(UNTRACKED_ALLOCATION_BYTES).toBeGreaterThan(32 * 1024 * 1024);
    for (const make of [bigBuffer, bigSharedBuffer]) {
      const b = make(1310720);
      expect(b.length).toBe(1310720);
      expect(b.byteOffset).toBe(0);
      expect(b.buffer.byteLength).toBe(UNTRACKED_ALLOCATION_BYTES);
      b.fill(7, 1310710);
      expect(b.subarray(1310710)).toEqual(Buffer.alloc(10, 7));
    }
    expect(bigSharedBuffer(10).buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(bigBuffer(10).buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(bigSharedArrayBuffer(4 << 20).byteLength).toBe(UNTRACKED_ALLOCATION_BYTES);
  });

  it('takes a size beyond the ceiling as it is', () => {
    const size = UNTRACKED_ALLOCATION_BYTES + 5;
    expect(bigBuffer(size).buffer.byteLength).toBe(size);
    expect(bigSharedArrayBuffer(size).byteLength).toBe(size);
  });
});
