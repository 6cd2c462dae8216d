// Hashing thread entry (hash-thread.ts starts it): carry out the commands of
// the shared ring in order, a sha256 per body and the capture file's reads
// asked for by the parsing thread, until terminated. When there is
// nothing to do it naps on the command count and looks again; the parsing
// thread wakes it only when it waits for it.
import { createHash, type Hash } from 'node:crypto';
import { readSync } from 'node:fs';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import {
  CMD_INTS,
  CMD_SLOTS,
  CTRL,
  DIGEST_BYTES,
  DIGEST_SLOTS,
  OP,
  OP_BITS,
  READ_CELL,
  READ_CELLS,
  READ_SLOTS,
  READ_STATE,
  type HashWorkerData,
} from './hash-ring.js';

/**
 * How long to sleep when there is nothing to do before looking again. The
 * parsing thread does not wake this one after each read batch (a wake-up
 * costs it more than the batch's hashing hand-off), only when it waits.
 */
const IDLE_NAP_MS = 0.5;

const shared = workerData as HashWorkerData;
const ctrl = new Int32Array(shared.ctrl);
const cmds = new Int32Array(shared.cmds);
const data = new Uint8Array(shared.data);
const digests = new Uint8Array(shared.digests);
const reads = new Int32Array(shared.reads);
const readPositions = new Float64Array(shared.readPositions);
/** The capture's read buffers, by the number the parsing thread gave them. */
const readBuffers: Uint8Array[] = [];

/** The buffer the parsing thread posted just before the SHARE command (posting is synchronous). */
function nextSharedBuffer(): Uint8Array {
  const m = receiveMessageOnPort(shared.port);
  if (!m || !(m.message instanceof SharedArrayBuffer)) throw new Error('no shared buffer on the port');
  return new Uint8Array(m.message);
}

function run(): void {
  const bodies = new Map<number, Hash>();
  let tail = Atomics.load(ctrl, CTRL.tail);
  let ends = 0;
  for (;;) {
    readsFirst();
    let head = Atomics.load(ctrl, CTRL.head);
    if (head === tail) {
      // Say we sleep, then look once more: the parsing thread stores the head before it reads this flag.
      Atomics.store(ctrl, CTRL.workerAsleep, 1);
      head = Atomics.load(ctrl, CTRL.head);
      if (head === tail && Atomics.load(ctrl, CTRL.readsAsked) === readsSeen) Atomics.wait(ctrl, CTRL.head, tail, IDLE_NAP_MS);
      Atomics.store(ctrl, CTRL.workerAsleep, 0);
      continue;
    }
    while (tail !== head) {
      const at = (tail & (CMD_SLOTS - 1)) * CMD_INTS;
      const word = cmds[at];
      const op = word & ((1 << OP_BITS) - 1);
      const id = cmds[at + 1];
      const off = cmds[at + 2];
      if (op === OP.updateShared) {
        bodies.get(id)!.update(readBuffers[word >> OP_BITS].subarray(off, off + cmds[at + 3]));
      } else if (op === OP.update) {
        bodies.get(id)!.update(data.subarray(off, off + cmds[at + 3]));
      } else if (op === OP.begin) {
        bodies.set(id, createHash('sha256'));
      } else if (op === OP.end) {
        const slot = off & (DIGEST_SLOTS - 1);
        digests.set(bodies.get(id)!.digest(), slot * DIGEST_BYTES);
        bodies.delete(id);
        ends = (ends + 1) | 0;
        Atomics.store(ctrl, CTRL.endsDone, ends);
      } else if (op === OP.discard) {
        bodies.delete(id);
      } else if (op === OP.share) {
        readBuffers[off] = nextSharedBuffer();
      }
      tail = (tail + 1) | 0;
      Atomics.store(ctrl, CTRL.tail, tail);
      if (Atomics.load(ctrl, CTRL.mainWaiting) !== 0) Atomics.notify(ctrl, CTRL.tail);
      readsFirst();
    }
  }
}

/** Read requests looked at (CTRL.readsAsked as last seen with none left waiting). */
let readsSeen = 0;

/**
 * Carry out the file reads asked for, ahead of any queued command: the
 * parsing thread waits for them, and nothing queued reads the buffers they
 * fill (ByteQueue lets a buffer be read into again only once beforeReuse
 * has seen the commands reading it done). A read into a buffer whose SHARE
 * command is still queued waits for it.
 */
function readsFirst(): void {
  const asked = Atomics.load(ctrl, CTRL.readsAsked);
  if (asked === readsSeen) return;
  let waiting = false;
  for (let slot = 0; slot < READ_SLOTS; slot++) {
    const c = slot * READ_CELLS;
    if (Atomics.load(reads, c + READ_CELL.state) !== READ_STATE.asked) continue;
    const into = readBuffers[reads[c + READ_CELL.buffer]];
    if (into === undefined) waiting = true;
    else readFile(slot, into, reads[c + READ_CELL.at], reads[c + READ_CELL.length]);
  }
  if (!waiting) readsSeen = asked;
}

/**
 * A read of the capture file for the parsing thread (one read call, as it
 * would make it): the count goes to the slot, or -1 with the error's message
 * on the port.
 */
function readFile(slot: number, into: Uint8Array, at: number, length: number): void {
  const c = slot * READ_CELLS;
  let n: number;
  try {
    n = readSync(reads[c + READ_CELL.fd], into, at, length, readPositions[slot]);
  } catch (e) {
    shared.port.postMessage(e instanceof Error ? e.message : String(e));
    n = -1;
  }
  reads[c + READ_CELL.result] = n;
  Atomics.store(reads, c + READ_CELL.state, READ_STATE.done);
  Atomics.notify(reads, c + READ_CELL.state);
}

try {
  run();
} catch {
  // A bug, not bad input (only bytes arrive here): say so, and wake whoever waits.
  Atomics.store(ctrl, CTRL.failed, 1);
  Atomics.notify(ctrl, CTRL.tail);
}
