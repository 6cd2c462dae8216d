// The shared memory between the parsing thread and the hashing thread
// (hash-thread.ts, hash-worker.ts): a ring of commands, a ring of body bytes
// the commands point into, a slot per finished digest, and a few slots for
// the file reads the hashing thread does for the parsing thread. One writer (the
// parsing thread) and one reader (the hashing thread) per ring, so plain
// writes published by one Atomics.store of the command count are enough.
import type { MessagePort } from 'node:worker_threads';
import { bigSharedArrayBuffer } from '../util/big-buffer.js';

/** Int32 cells of the control block. */
export const CTRL = {
  /** Commands written and published by the parsing thread (wraps as an int32). */
  head: 0,
  /** Commands the hashing thread has carried out (wraps as an int32). */
  tail: 1,
  /** 1 while the hashing thread waits for commands (notify `head` to wake it). */
  workerAsleep: 2,
  /** 1 while the parsing thread waits for room (notify `tail` to wake it). */
  mainWaiting: 3,
  /** END commands carried out: their digests are in their slots (wraps as an int32). */
  endsDone: 4,
  /** Set by the hashing thread when it failed and stopped. */
  failed: 5,
  /** File reads asked for in the read slots so far (wraps as an int32). */
  readsAsked: 6,
} as const;
export const CTRL_CELLS = 8;

/**
 * Ints per command: op (an UPDATE_SHARED also carries its buffer's number,
 * shifted by OP_BITS), body id, offset in the data ring or the shared buffer
 * (or the digest slot, or the number of a buffer being shared), length.
 */
export const CMD_INTS = 4;
/** Commands in the ring (a power of two: the index is masked). */
export const CMD_SLOTS = 8192;
/** Bytes of body data in the ring: a few read batches' worth, so neither side waits. */
export const DATA_BYTES = 4 * 1024 * 1024;
/** Largest piece one UPDATE carries; longer pieces are split. */
export const MAX_PIECE = 256 * 1024;
/** Digests held until the parsing thread reads them (a power of two). */
export const DIGEST_SLOTS = 1024;
export const DIGEST_BYTES = 32;

export const OP = {
  begin: 1,
  /** Bytes copied into the data ring. */
  update: 2,
  /** Finish a body: its digest goes to slot `offset`. */
  end: 3,
  discard: 4,
  /** The next SharedArrayBuffer on the port gets number `offset`. */
  share: 5,
  /** Bytes read in place from shared buffer number op >> OP_BITS. */
  updateShared: 6,
} as const;
export const OP_BITS = 4;
/** Read buffers read in place at most; pieces of any other are copied. */
export const MAX_SHARED_BUFFERS = 16;

/**
 * File reads in flight at once at most (the capture reader reads two buffers
 * ahead). A read is asked for in a slot of its own, not in the command ring:
 * the hashing thread does it before the commands queued ahead of it (the
 * bytes it will hash come from it, and nothing queued reads that buffer).
 */
export const READ_SLOTS = 4;
/** Int32 cells per read slot. */
export const READ_CELLS = 8;
/** What each cell of a read slot holds. */
export const READ_CELL = {
  fd: 0,
  /** One of READ_STATE. */
  state: 1,
  /** The bytes read, or -1 (the error's message is on the port). */
  result: 2,
  /** The number of the shared buffer read into, where, and how many bytes at most. */
  buffer: 3,
  at: 4,
  length: 5,
} as const;
/** States of a read slot. */
export const READ_STATE = { free: 0, asked: 1, done: 2 } as const;

/** The shared buffers, as handed to the hashing thread. */
export interface HashRingBuffers {
  ctrl: SharedArrayBuffer;
  cmds: SharedArrayBuffer;
  data: SharedArrayBuffer;
  digests: SharedArrayBuffer;
  /** READ_CELLS int32 per read slot. */
  reads: SharedArrayBuffer;
  /** The file position of each read slot (a float64: files grow past 2^31 bytes). */
  readPositions: SharedArrayBuffer;
}

/** What the hashing thread starts with: the ring, and the port read buffers come on. */
export interface HashWorkerData extends HashRingBuffers {
  port: MessagePort;
}

export function newHashRingBuffers(): HashRingBuffers {
  return {
    ctrl: new SharedArrayBuffer(CTRL_CELLS * 4),
    cmds: new SharedArrayBuffer(CMD_SLOTS * CMD_INTS * 4),
    // The ring's bytes: a buffer freed at the end of every run (util/big-buffer.ts).
    data: bigSharedArrayBuffer(DATA_BYTES),
    digests: new SharedArrayBuffer(DIGEST_SLOTS * DIGEST_BYTES),
    reads: new SharedArrayBuffer(READ_SLOTS * READ_CELLS * 4),
    readPositions: new SharedArrayBuffer(READ_SLOTS * 8),
  };
}
