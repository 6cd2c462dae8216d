// Long bodies hashed on a second thread (hash-worker.ts), so that the thread
// that parses the capture only says where their bytes are. Bytes in the
// capture's lent read buffers (capture/byte-queue.ts) are read there in place,
// and a read buffer is not read into again before the hashing thread is past
// it (beforeReuse); other bytes (decrypted, reordered) are copied into a shared
// ring: a copy into memory another core reads costs about a third as much as
// the hashing. The worker starts at the first long body (or the first read it
// is asked to do), so a short capture without one costs nothing. The parsing
// thread waits only when a ring is full or a buffer comes round too soon; the
// digests are written into their messages as they come back (poll, after each
// read batch) and all of them by settle(), when the pipeline ends. The same
// thread also reads a long capture file into the lent buffers (read()), which
// spares the parsing thread a libuv read thread's wake-up per read.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { intern } from '../http/intern.js';
import type { HttpMessage } from '../http/message.js';
import type { OffThreadHasher } from '../http/off-thread-hasher.js';
import {
  CMD_INTS,
  CMD_SLOTS,
  CTRL,
  DATA_BYTES,
  DIGEST_BYTES,
  DIGEST_SLOTS,
  MAX_PIECE,
  MAX_SHARED_BUFFERS,
  newHashRingBuffers,
  OP,
  OP_BITS,
  READ_CELL,
  READ_CELLS,
  READ_SLOTS,
  READ_STATE,
  type HashWorkerData,
} from './hash-ring.js';

/** Bodies shorter than this are hashed where they are parsed: a few segments are not worth a command each. */
export const OFF_THREAD_MIN_BYTES = 64 * 1024;
/** How long the parsing thread waits for a hashing thread that makes no progress before it gives up. */
const STALL_LIMIT_MS = 10_000;
const WAIT_SLICE_MS = 250;
/** The hashing thread's young generation, in MiB (V8 grows it to 32 by default, all of it resident). */
const WORKER_YOUNG_MB = 2;

/**
 * The worker script. Under the test runner this module is TypeScript source,
 * which a worker thread cannot load: the compiled twin in dist/ runs instead.
 */
function workerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL(here.replace(/\/src\/parallel\/hash-thread\.ts$/, '/dist/parallel/hash-worker.js'));
  return new URL('./hash-worker.js', here);
}

interface Shared {
  worker: Worker;
  /** Read buffers go to the worker on this port. */
  port: MessagePort;
  ctrl: Int32Array;
  cmds: Int32Array;
  data: Uint8Array;
  digests: Uint8Array;
  reads: Int32Array;
  readPositions: Float64Array;
}

/** Atomics.waitAsync (ES2024; in Node since 16), which the ES2022 library types lack. */
type WaitAsync = (
  cells: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export class HashThread implements OffThreadHasher {
  readonly minBytes = OFF_THREAD_MIN_BYTES;
  /** Bodies sent to the hashing thread. */
  bodies = 0;
  private s: Shared | undefined;
  private failure: string | undefined;
  /** Commands written (a plain count; the shared cells hold it modulo 2^32). */
  private head = 0;
  private published = 0;
  /** Bytes of the data ring used, counting the ends skipped to keep a piece in one run. */
  private dataWrite = 0;
  /** dataWrite after each command in the ring: what the hashing thread has freed once it is past it. */
  private readonly dataEnd = new Float64Array(CMD_SLOTS);
  private nextId = 1;
  private endsIssued = 0;
  private endsPatched = 0;
  /** The message whose digest goes to each slot. */
  private readonly waiting: Array<HttpMessage | undefined> = new Array(DIGEST_SLOTS).fill(undefined);
  /**
   * Read buffers the worker reads in place, by number. Every SharedArrayBuffer a
   * body piece comes in is one of the capture's lent read buffers: nothing else
   * in the pipeline is shared, and those are announced to beforeReuse.
   */
  private readonly sharedNumber = new Map<SharedArrayBuffer, number>();
  /** The last command that reads each shared buffer. */
  private readonly lastUse: number[] = [];
  private lastBuffer: ArrayBufferLike | undefined;
  private lastNumber = -1;
  /** Reads whose outcome is awaited (readDone). */
  private readsWaiting = 0;

  begin(): number {
    this.start();
    this.bodies++;
    const id = this.nextId;
    // Ids are int32 in the ring; long before they wrap, the bodies they named are gone.
    this.nextId = this.nextId >= 0x7fffffff ? 1 : this.nextId + 1;
    this.command(OP.begin, id, 0, 0);
    return id;
  }

  update(id: number, bytes: Uint8Array): void {
    const s = this.s!;
    const buffer = bytes.buffer;
    const n = buffer === this.lastBuffer ? this.lastNumber : this.shareNumber(buffer);
    if (n >= 0) {
      this.lastUse[n] = this.head;
      this.command(OP.updateShared | (n << OP_BITS), id, bytes.byteOffset, bytes.length);
      return;
    }
    for (let from = 0; from < bytes.length; from += MAX_PIECE) {
      const piece = bytes.length <= MAX_PIECE ? bytes : bytes.subarray(from, Math.min(bytes.length, from + MAX_PIECE));
      const at = this.reserve(piece.length);
      s.data.set(piece, at);
      this.command(OP.update, id, at, piece.length);
    }
  }

  end(id: number, message: HttpMessage): void {
    if (this.endsIssued - this.endsPatched >= DIGEST_SLOTS) {
      // Every slot holds a digest not yet read: read what is done, wait for the oldest if none is.
      const oldest = this.endsPatched;
      this.waitFor(() => this.endsDone() > oldest);
      this.collect();
    }
    const slot = this.endsIssued & (DIGEST_SLOTS - 1);
    this.waiting[slot] = message;
    this.endsIssued++;
    this.command(OP.end, id, slot, 0);
  }

  discard(id: number): void {
    this.command(OP.discard, id, 0, 0);
  }

  /**
   * A lent read buffer is about to be written again: wait until the worker no
   * longer reads it (ByteQueue.lend). It is usually long past it.
   */
  beforeReuse(buffer: SharedArrayBuffer): void {
    if (!this.s) return;
    const n = this.sharedNumber.get(buffer);
    if (n === undefined) return;
    const last = this.lastUse[n];
    if (this.consumed() <= last) this.waitFor(() => this.consumed() > last);
  }

  /**
   * Read the capture file on the hashing thread (the reader ByteQueue.lend
   * takes): `length` bytes at file position `pos` into the shared buffer
   * `into` from `at`, in one read call. Issued here, a read costs this thread
   * a command; through libuv it cost 50-90 us (waking a read thread, which
   * then often took this thread's core). Resolves to the bytes read, rejects
   * with the read's error, or answers undefined (now or when it resolves)
   * when this thread cannot do it: the buffer is not shared, no read slot is
   * free, the thread failed or was closed. Then the caller reads itself.
   */
  read(fd: number, into: Uint8Array, at: number, length: number, pos: number): Promise<number | undefined> | undefined {
    if (this.failure !== undefined || !(into.buffer instanceof SharedArrayBuffer)) return undefined;
    this.start();
    const s = this.s!;
    if (Atomics.load(s.ctrl, CTRL.failed) !== 0) return undefined;
    let slot = 0;
    while (slot < READ_SLOTS && Atomics.load(s.reads, slot * READ_CELLS + READ_CELL.state) !== READ_STATE.free) slot++;
    if (slot === READ_SLOTS) return undefined;
    const n = this.shareNumber(into.buffer);
    if (n < 0) return undefined;
    const c = slot * READ_CELLS;
    s.reads[c + READ_CELL.fd] = fd;
    s.reads[c + READ_CELL.buffer] = n;
    s.reads[c + READ_CELL.at] = into.byteOffset + at;
    s.reads[c + READ_CELL.length] = length;
    s.readPositions[slot] = pos;
    Atomics.store(s.reads, c + READ_CELL.state, READ_STATE.asked);
    Atomics.add(s.ctrl, CTRL.readsAsked, 1);
    // Published (the buffer's SHARE command, when new), not woken: the thread
    // looks for work between commands and every IDLE_NAP_MS when idle (hash-worker.ts).
    this.publish();
    return this.readDone(s, slot);
  }

  /** The outcome of the read in `slot`, waited for without blocking the event loop. */
  private async readDone(s: Shared, slot: number): Promise<number | undefined> {
    const c = slot * READ_CELLS;
    // An Atomics.waitAsync does not keep Node's event loop alive, the (unref'd) worker does while reads wait.
    if (this.readsWaiting++ === 0) s.worker.ref();
    try {
      while (Atomics.load(s.reads, c + READ_CELL.state) !== READ_STATE.done) {
        // Closed, or failed (the slot stays taken: nobody will answer it).
        if (this.s !== s || this.failure !== undefined || Atomics.load(s.ctrl, CTRL.failed) !== 0) return undefined;
        const w = waitAsync(s.reads, c + READ_CELL.state, READ_STATE.asked, WAIT_SLICE_MS);
        if (w.async) await w.value;
      }
    } finally {
      if (--this.readsWaiting === 0) s.worker.unref();
    }
    const n = s.reads[c + READ_CELL.result];
    Atomics.store(s.reads, c + READ_CELL.state, READ_STATE.free);
    if (n < 0) {
      const m = receiveMessageOnPort(s.port)?.message;
      throw new Error(typeof m === 'string' ? m : 'read failed');
    }
    return n;
  }

  /** Hand over what was queued and write the digests that came back; never waits. */
  poll(): void {
    if (!this.s) return;
    this.publish();
    this.collect();
  }

  /** Wait for every digest, write them into their messages, and stop the thread. */
  settle(): void {
    if (!this.s) return;
    this.waitFor(() => this.consumed() >= this.head);
    this.collect();
    this.close();
  }

  /** Stop the thread (settle() does; call it when the pipeline is left early). */
  close(): void {
    const s = this.s;
    if (!s) return;
    this.s = undefined;
    s.port.close();
    void s.worker.terminate();
    // The worker object lives until it has exited, and through its listeners
    // this object: let the read buffers go now, not then.
    this.sharedNumber.clear();
    this.lastBuffer = undefined;
  }

  private start(): void {
    if (this.s) return;
    if (this.failure) throw new Error(this.failure);
    const { port1, port2 } = new MessageChannel();
    const data: HashWorkerData = { ...newHashRingBuffers(), port: port2 };
    const worker = new Worker(workerUrl(), {
      workerData: data,
      transferList: [port2],
      stdout: false,
      stderr: false,
      // It keeps nothing but a hash per open body and makes a view per command:
      // a small young generation is collected often and cheaply, and stays small.
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
    });
    // Never what keeps the process alive; a failure is seen by the wait below.
    worker.unref();
    worker.on('error', (e) => (this.failure ??= `upxray: the hashing thread failed: ${e.message}`));
    this.s = {
      worker,
      port: port1,
      ctrl: new Int32Array(data.ctrl),
      cmds: new Int32Array(data.cmds),
      data: new Uint8Array(data.data),
      digests: new Uint8Array(data.digests),
      reads: new Int32Array(data.reads),
      readPositions: new Float64Array(data.readPositions),
    };
  }

  /** The worker's number for a shared buffer (given it now if new), or -1 when its pieces are to be copied. */
  private shareNumber(buffer: ArrayBufferLike): number {
    let n = -1;
    if (buffer instanceof SharedArrayBuffer) {
      const known = this.sharedNumber.get(buffer);
      if (known !== undefined) n = known;
      else if (this.sharedNumber.size < MAX_SHARED_BUFFERS) {
        n = this.sharedNumber.size;
        this.sharedNumber.set(buffer, n);
        this.lastUse[n] = -1;
        // Posting is synchronous: the buffer is on the port before the worker sees the command.
        this.s!.port.postMessage(buffer);
        this.command(OP.share, 0, n, 0);
      }
    }
    this.lastBuffer = buffer;
    this.lastNumber = n;
    return n;
  }

  /** Commands the hashing thread has carried out. */
  private consumed(): number {
    return this.head - (((this.head | 0) - Atomics.load(this.s!.ctrl, CTRL.tail)) | 0);
  }

  private command(op: number, id: number, a: number, b: number): void {
    const s = this.s!;
    // One slot stays free, so dataEnd of the last carried-out command is never overwritten.
    if (this.head - this.consumed() >= CMD_SLOTS - 1) this.waitFor(() => this.head - this.consumed() < CMD_SLOTS - 1);
    const i = this.head & (CMD_SLOTS - 1);
    const at = i * CMD_INTS;
    s.cmds[at] = op;
    s.cmds[at + 1] = id;
    s.cmds[at + 2] = a;
    s.cmds[at + 3] = b;
    this.dataEnd[i] = this.dataWrite;
    this.head++;
  }

  /** Room for `len` bytes in one run of the data ring; its offset. */
  private reserve(len: number): number {
    let at = this.dataWrite % DATA_BYTES;
    if (at + len > DATA_BYTES) {
      this.dataWrite += DATA_BYTES - at;
      at = 0;
    }
    if (this.dataWrite + len - this.freed() > DATA_BYTES) this.waitFor(() => this.dataWrite + len - this.freed() <= DATA_BYTES);
    this.dataWrite += len;
    return at;
  }

  /** dataWrite as it was after the last command the hashing thread carried out. */
  private freed(): number {
    const c = this.consumed();
    return c === 0 ? 0 : this.dataEnd[(c - 1) & (CMD_SLOTS - 1)];
  }

  /**
   * Make the queued commands visible. The hashing thread looks for them by
   * itself (it naps IDLE_NAP_MS at a time); it is woken only when this thread
   * is about to wait for it (`wake`). A wake-up costs this thread 50-60 us
   * here, about 50 ms per GB at one per read batch.
   */
  private publish(wake = false): void {
    const s = this.s!;
    if (this.published !== this.head) {
      Atomics.store(s.ctrl, CTRL.head, this.head | 0);
      this.published = this.head;
    }
    if (wake && Atomics.load(s.ctrl, CTRL.workerAsleep) !== 0) Atomics.notify(s.ctrl, CTRL.head);
  }

  /** END commands the hashing thread has carried out. */
  private endsDone(): number {
    return this.endsPatched + ((Atomics.load(this.s!.ctrl, CTRL.endsDone) - (this.endsPatched | 0)) | 0);
  }

  /** Write the digests the hashing thread has finished into their messages. */
  private collect(): void {
    const s = this.s!;
    const done = this.endsDone();
    while (this.endsPatched < done) {
      const slot = this.endsPatched & (DIGEST_SLOTS - 1);
      const message = this.waiting[slot]!;
      this.waiting[slot] = undefined;
      // One string per digest, as the parser's own (phones fetch the same firmware).
      message.bodySha256 = intern(Buffer.from(s.digests.buffer, slot * DIGEST_BYTES, DIGEST_BYTES).toString('hex'));
      this.endsPatched++;
    }
  }

  /**
   * Block until `done` (a fact about the hashing thread's progress) holds. The
   * thread is woken first; it wakes this one after each command while it waits.
   */
  private waitFor(done: () => boolean): void {
    const s = this.s!;
    let stalled = 0;
    while (!done()) {
      this.publish(true);
      const tail = Atomics.load(s.ctrl, CTRL.tail);
      // Looked at after reading the count: any later progress changes it, and the wait ends at once.
      if (done()) return;
      Atomics.store(s.ctrl, CTRL.mainWaiting, 1);
      const r = Atomics.wait(s.ctrl, CTRL.tail, tail, WAIT_SLICE_MS);
      Atomics.store(s.ctrl, CTRL.mainWaiting, 0);
      if (Atomics.load(s.ctrl, CTRL.failed) !== 0) this.fail('upxray: the hashing thread failed');
      stalled = r === 'timed-out' ? stalled + WAIT_SLICE_MS : 0;
      if (stalled >= STALL_LIMIT_MS) this.fail(this.failure ?? 'upxray: the hashing thread stopped answering');
    }
  }

  private fail(message: string): never {
    this.failure ??= message;
    this.close();
    throw new Error(this.failure);
  }
}
