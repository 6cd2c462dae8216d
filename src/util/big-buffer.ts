// Buffers of a megabyte or so that a run makes a few of and drops (the read
// buffers, the hashing ring, the spool's write buffer), made so that dropping
// them does not leave malloc keeping more memory for the rest of the process
// (BENCHMARKS.md step 77).
//
// glibc's malloc gives an allocation of at least its mmap threshold (128 KiB
// at first) a mapping of its own, returned to the system when freed. But when
// such a mapping of at most 32 MiB is freed, it raises the threshold to that
// size and the trim threshold to twice it: from then on, blocks below it come
// from the heaps, and each heap (one per thread that allocates: V8's helper
// threads among them) keeps up to twice it unused at its top. Two 1.25 MiB read
// buffers dropped a second into a run, and the 4 MiB ring at the end of
// reading, cost 3-5 MiB of peak RSS at 1 GB and 4 GB that way, and 9 in the
// 4 GB report. Freeing a mapping over 32 MiB changes neither threshold, and
// its pages take memory only once written: a big buffer is a view of the
// first bytes of one. Only address space is spent (other allocators, and other
// systems, lose nothing). But V8 counts all of it as memory to collect, and
// collects the heap early when much of it is made: these are for buffers a run
// makes a few of (a stream's byte queue makes one for each read: plain ones).

/** Above glibc's ceiling for the dynamic mmap threshold (DEFAULT_MMAP_THRESHOLD_MAX, 32 MiB on 64-bit). */
export const UNTRACKED_ALLOCATION_BYTES = 32 * 1024 * 1024 + 64 * 1024;

/** A buffer of `size` bytes whose memory, once dropped, goes back to the system without raising malloc's thresholds. */
export function bigBuffer(size: number): Buffer {
  return Buffer.from(new ArrayBuffer(Math.max(size, UNTRACKED_ALLOCATION_BYTES)), 0, size);
}

/** The same over a SharedArrayBuffer (to lend to another thread); its byteLength is larger than `size`. */
export function bigSharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(Math.max(size, UNTRACKED_ALLOCATION_BYTES)), 0, size);
}

/** The SharedArrayBuffer itself, for structures that index it from 0 by their own sizes (the hashing ring). */
export function bigSharedArrayBuffer(size: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(size, UNTRACKED_ALLOCATION_BYTES));
}
