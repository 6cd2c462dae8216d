// A pull-based window over a file or a stream of byte chunks, shared by the
// pcap and pcapng readers. Buffers take turns: a pull copies the unread tail
// of the current one (at most one partial record) to the front of the next
// and fills the rest, from the file straight into the buffer. For a file, the
// next read is already under way (into a third buffer) while the current one
// is parsed, so the reading thread does not wait for the disk or page cache. Memory
// stays at two read sizes plus the largest block whatever the size of the
// capture, and no buffer is allocated per read (a buffer per read, freed only
// when the garbage collector gets to it, is what made memory grow with speed).
//
// A view handed out stays valid across the next pull and is overwritten by the
// one after it: readers' records are "valid until the next batch is pulled"
// (capture/source.ts), and whoever keeps bytes copies them. Lent (lend()),
// buffers over SharedArrayBuffers take turns, views stay valid longer, a
// regular file is read two buffers ahead, and a buffer is written again only
// after the borrowers were told (they copy what they still need, another
// thread finishes reading it).
import type { FileHandle } from 'node:fs/promises';
import { bigBuffer, bigSharedBuffer } from '../util/big-buffer.js';

/** Why the input ended before its natural end (a gzip or read error). */
export interface ReadFailure {
  message: string;
}

/** Default read size: large enough that a batch is worth a promise. */
export const DEFAULT_READ_SIZE = 1024 * 1024;
/**
 * Room kept before a read ahead for the unread tail of the current buffer:
 * one pcap record at its largest (header + 262,144 bytes). A longer tail (a
 * big pcapng block) takes the slower path that joins in a bigger buffer.
 */
const RESERVE = 256 * 1024 + 64;
/**
 * Buffers a lent view outlives: it stays valid until this many more have been
 * read after its own, long enough for most lent bytes to be no longer needed,
 * and for the hashing thread, now and then kept from its core for a few
 * milliseconds, to be done with them (with two, the parsing thread waited
 * 60-85 ms per GB for it; with three, 20-35). With the current buffer and up
 * to two read ahead, six buffers take turns.
 */
export const LENT_KEPT = 3;

/** Called before a lent read buffer is written again: returns once nobody reads it any more. */
export type BeforeReuse = (buffer: SharedArrayBuffer) => void;

/**
 * Reads a regular file into a lent buffer on another thread: `length` bytes at
 * file position `pos` into `into` from `at`, as one read call would (the
 * count, 0 at the end). Undefined, now or when it settles: read it yourself.
 */
export type LentBufferReader = (
  fd: number,
  into: Uint8Array,
  at: number,
  length: number,
  pos: number,
) => Promise<number | undefined> | undefined;

/**
 * A lent reader takes over from this file position on: starting its thread
 * costs a few milliseconds, which only a long file pays back (about 0.1 ms a
 * MiB here).
 */
export const LENT_READER_FROM = 64 * 1024 * 1024;

/**
 * Where the bytes come from: a file read in place, or chunks of a stream (stdin,
 * gunzip). A regular file (`regular`) is read at known positions, which lets two
 * reads ahead be in flight at once; a FIFO or device is read where it stands.
 */
export type ByteInput = { file: FileHandle; regular?: boolean } | { chunks: AsyncIterator<Uint8Array | string> };

/** A file read in flight into `buf` at `at`: `want` bytes from file position `pos` (null: where the file stands). */
interface Ahead {
  buf: Buffer;
  read: Promise<number>;
  pos: number | null;
  want: number;
}

export class ByteQueue {
  private buf: Buffer;
  private pos = 0;
  /** Bytes of buf that hold data. */
  private end = 0;
  /** File offset of buf[0] (of the decompressed stream when gzipped). */
  private base = 0;
  private ended = false;
  /** The rest of a stream chunk that did not fit in the buffer. */
  private pending: Buffer | undefined;
  /** The third buffer, free for the next read; a read ahead goes into it at RESERVE. */
  private ahead: Buffer;
  /** A file read in flight into `ahead` (bytes read, 0 at the end). */
  private prefetch: Promise<number> | undefined;
  /** Where that read started and how much it asked for. */
  private prefetchPos: number | null = null;
  private prefetchWant = 0;
  /**
   * The read ahead after it, into its own buffer (a lent regular file): a read
   * that waits for a core now and then is still done by the time it is needed.
   */
  private next: Ahead | undefined;
  /** File position of the next read of a regular file. */
  private filePos = 0;
  /** Set when the input threw: the bytes before it are still usable. */
  failure: ReadFailure | undefined;
  private beforeReuse: BeforeReuse | undefined;
  private reader: LentBufferReader | undefined;
  private readerFrom = LENT_READER_FROM;
  /** Buffers that were current before `buf`, oldest first: the next free one comes from here. */
  private readonly retired: Buffer[] = [];
  /** Retired buffers kept (one, the spare, unless lent). */
  private keepRetired = 1;

  constructor(
    private readonly input: ByteInput,
    private readonly readSize = DEFAULT_READ_SIZE,
  ) {
    this.buf = Buffer.alloc(0);
    this.ahead = Buffer.alloc(0);
  }

  /**
   * Lend the read buffers out: from the next read on, read into buffers over
   * SharedArrayBuffers (another thread may read records' bytes in place), keep
   * views valid for LENT_KEPT more buffers, read a regular file two buffers
   * ahead, and call `beforeReuse` before writing a buffer again. Buffers made to
   * join a long block stay private. With `reader`, a regular file's reads from
   * position `readerFrom` on are handed to it (another thread does them).
   */
  lend(beforeReuse: BeforeReuse, reader?: LentBufferReader, readerFrom = LENT_READER_FROM): void {
    this.beforeReuse = beforeReuse;
    this.keepRetired = LENT_KEPT;
    this.reader = reader;
    this.readerFrom = readerFrom;
  }

  /** Bytes available from the read position without pulling. */
  get available(): number {
    return this.end - this.pos;
  }

  /** Absolute offset of the read position. */
  get offset(): number {
    return this.base + this.pos;
  }

  get atEnd(): boolean {
    return this.ended;
  }

  /**
   * The current buffer and the read position in it, for readers that index
   * without making views. Only `available` bytes from `position` are data.
   */
  get buffer(): Buffer {
    return this.buf;
  }

  get position(): number {
    return this.pos;
  }

  /** The unread bytes, without copying. */
  view(): Buffer {
    return this.buf.subarray(this.pos, this.end);
  }

  skip(n: number): void {
    this.pos += n;
  }

  /**
   * Read more after the unread tail. Returns false at the end of the input
   * (or when it failed: see `failure`).
   */
  async pull(): Promise<boolean> {
    return this.fill(this.available + 1);
  }

  /** Read until at least n bytes are available; false if the input ends first. */
  async fill(n: number): Promise<boolean> {
    if (this.available >= n) return true;
    if (this.prefetch && this.available <= RESERVE) {
      // The read ahead landed after RESERVE bytes of room: the tail goes just before it.
      const got = await this.prefetch;
      this.prefetch = undefined;
      await this.landed(got);
      const target = this.ahead;
      const tail = this.available;
      const start = RESERVE - tail;
      this.buf.copy(target, start, this.pos, this.end);
      this.install(target, start, RESERVE + got);
      if (got === 0) this.ended = true;
      this.promote();
      if (this.available >= n || this.ended) return this.readAhead(n);
    }
    // A block larger than a read (or a stream): join in a fresh buffer big enough.
    let early: Buffer | undefined;
    if (this.prefetch) {
      // A tail longer than the room before the read ahead: take the read ahead's bytes after it.
      const got = await this.prefetch;
      this.prefetch = undefined;
      // The second read ahead is let go: the joined buffer reads on from where the first ended.
      await this.dropNext();
      await this.landed(got);
      if (got === 0) this.ended = true;
      early = this.ahead.subarray(RESERVE, RESERVE + got);
    }
    const tail = this.available;
    const size = Math.max(n, tail + (early?.length ?? 0) + this.readSize);
    // The free buffer serves unless it holds the read-ahead bytes just taken.
    const target = !early && this.ahead.length >= size ? this.freeBuffer(size) : this.newBuffer(Math.max(size, RESERVE + this.readSize));
    this.buf.copy(target, 0, this.pos, this.end);
    let have = tail;
    if (early) have += early.copy(target, have);
    while (have < n && !this.ended) have += await this.read(target, have);
    this.install(target, 0, have);
    return this.readAhead(n);
  }

  /** Make `target` the current buffer, its data at [start, end); the old one stays readable until the next fill. */
  private install(target: Buffer, start: number, end: number): void {
    // Offset in the input of the byte that goes to target[start]: the first unread one.
    const offset = this.base + this.pos;
    this.retired.push(this.buf);
    if (target === this.ahead) {
      // The oldest retired buffer is the next free one (or a new one is made when it is needed).
      this.ahead = this.retired.length > this.keepRetired ? this.retired.shift()! : Buffer.alloc(0);
    } else {
      while (this.retired.length > this.keepRetired) this.retired.shift();
    }
    this.buf = target;
    this.base = offset - start;
    this.pos = start;
    this.end = end;
  }

  /** Start reading the next stretch of a file into the free buffer while this one is parsed (and the one after, when lent). */
  private readAhead(n: number): boolean {
    if ('file' in this.input && !this.ended) {
      if (!this.prefetch) {
        const into = this.freeBuffer(RESERVE + this.readSize);
        this.prefetchPos = this.nextPos(into.length - RESERVE);
        this.prefetchWant = into.length - RESERVE;
        this.prefetch = this.read(into, RESERVE, this.prefetchPos);
      }
      if (!this.next && this.beforeReuse && this.input.regular) {
        const buf = this.spareBuffer(RESERVE + this.readSize);
        const want = buf.length - RESERVE;
        const pos = this.nextPos(want);
        this.next = { buf, pos, want, read: this.read(buf, RESERVE, pos) };
      }
    }
    return this.available >= n;
  }

  /** Where a read of `want` bytes of a regular file starts (null for a FIFO or device: where it stands). */
  private nextPos(want: number): number | null {
    if (!('file' in this.input) || !this.input.regular) return null;
    const pos = this.filePos;
    this.filePos += want;
    return pos;
  }

  /**
   * The first read ahead came back with `got` bytes. Short (the end of the
   * file), what follows starts right after them: a second read ahead asked
   * for bytes further on, so it is let go.
   */
  private async landed(got: number): Promise<void> {
    if (this.prefetchPos === null || got >= this.prefetchWant) return;
    await this.dropNext();
    this.filePos = this.prefetchPos + got;
  }

  /** The second read ahead becomes the first, once the first has been installed. */
  private promote(): void {
    const next = this.next;
    if (!next) return;
    this.next = undefined;
    // `ahead` was just installed, so the free buffer is the second read's; the one that came free waits its turn.
    if (this.ahead.length > 0) this.retired.unshift(this.ahead);
    this.ahead = next.buf;
    this.prefetch = next.read;
    this.prefetchPos = next.pos;
    this.prefetchWant = next.want;
  }

  /** Let the second read ahead go (its bytes will be read again): wait for it, and keep its buffer. */
  private async dropNext(): Promise<void> {
    const next = this.next;
    if (!next) return;
    this.next = undefined;
    await next.read;
    if (next.pos !== null) this.filePos = next.pos;
    // EOF seen by the dropped read says nothing about where reading goes on.
    this.ended = false;
    this.retired.unshift(next.buf);
  }

  /** A free buffer besides `ahead` for the second read ahead: the oldest retired one past those kept, or a new one. */
  private spareBuffer(size: number): Buffer {
    return this.writable(this.retired.length > this.keepRetired ? this.retired.shift() : undefined, size);
  }

  /** The free buffer, about to be written: at least `size` bytes, shared when lent, and read by nobody. */
  private freeBuffer(size: number): Buffer {
    this.ahead = this.writable(this.ahead, size);
    return this.ahead;
  }

  /**
   * `old` when it can be read into (big enough, shared when lent), once the
   * borrowers have let go of it; otherwise a new buffer.
   */
  private writable(old: Buffer | undefined, size: number): Buffer {
    const lend = this.beforeReuse;
    if (old && old.length >= size && (!lend || old.buffer instanceof SharedArrayBuffer)) {
      lend?.(old.buffer as SharedArrayBuffer);
      return old;
    }
    return lend ? bigSharedBuffer(size) : this.newBuffer(size);
  }

  /**
   * A private buffer. A file's queue makes a few and keeps them, so they are
   * big buffers (util/big-buffer.ts); a stream's makes one for each read and
   * drops it, and V8 counts a big buffer's whole allocation as memory to
   * collect: a plain one (a big one for each read of stdin collected the heap
   * a hundred times in 20 MB).
   */
  private newBuffer(size: number): Buffer {
    return 'file' in this.input ? bigBuffer(size) : Buffer.allocUnsafe(size);
  }

  /**
   * Fill `into` from `at` to its end as far as one read goes; 0 at the end. A
   * file is read at `pos` (regular files) or where it stands (null, or missing:
   * the next position of a regular file).
   */
  private async read(into: Buffer, at: number, pos: number | null = this.nextPos(into.length - at)): Promise<number> {
    try {
      if ('file' in this.input) {
        const length = into.length - at;
        let bytesRead: number | undefined;
        // A regular file's reads from readerFrom on go to the lent reader, when there is one.
        if (this.reader && pos !== null && pos >= this.readerFrom) bytesRead = await this.reader(this.input.file.fd, into, at, length, pos);
        bytesRead ??= (await this.input.file.read(into, at, length, pos)).bytesRead;
        if (bytesRead === 0) this.ended = true;
        // Short (the end of the file): the next read starts right after what came.
        if (pos !== null && bytesRead < into.length - at && !this.next) this.filePos = pos + bytesRead;
        return bytesRead;
      }
      let chunk = this.pending;
      this.pending = undefined;
      while (!chunk) {
        const r = await this.input.chunks.next();
        if (r.done) {
          this.ended = true;
          return 0;
        }
        const c = toBuffer(r.value);
        if (c.length > 0) chunk = c;
      }
      const n = Math.min(chunk.length, into.length - at);
      chunk.copy(into, at, 0, n);
      if (n < chunk.length) this.pending = chunk.subarray(n);
      return n;
    } catch (err) {
      this.ended = true;
      this.failure = { message: err instanceof Error ? err.message : String(err) };
      return 0;
    }
  }

  /**
   * Let go of the read buffers, and of the borrowers' callbacks, once nothing
   * more will be read: a source stays referenced while the report is made, and
   * so did several megabytes of buffers, and through the callbacks the
   * pipeline's reassembler and hashing thread. Views handed out keep their own
   * buffer alive.
   */
  private releaseBuffers(): void {
    this.beforeReuse = undefined;
    this.reader = undefined;
    this.base += this.pos;
    this.buf = this.ahead = NO_BYTES;
    this.pos = this.end = 0;
    this.retired.length = 0;
    this.pending = undefined;
  }

  /** Stop the input (closes the file when the consumer stops early). */
  async close(): Promise<void> {
    this.ended = true;
    // Let reads in flight finish before their file closes under them.
    await this.prefetch;
    this.prefetch = undefined;
    await this.next?.read;
    this.next = undefined;
    this.releaseBuffers();
    try {
      if ('file' in this.input) await this.input.file.close();
      else await this.input.chunks.return?.();
    } catch {
      // The input is being abandoned; a failure to close it changes nothing.
    }
  }
}

const NO_BYTES = Buffer.alloc(0);

function toBuffer(v: Uint8Array | string): Buffer {
  if (typeof v === 'string') return Buffer.from(v, 'latin1');
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
