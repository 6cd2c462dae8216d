// A pull-based window over a file or a stream of byte chunks, shared by the
// pcap and pcapng readers. Two buffers take turns: a pull copies the unread
// tail of the current one (at most one partial record) to the front of the
// other and fills the rest, from the file straight into the buffer. Memory
// stays at two read sizes plus the largest block whatever the size of the
// capture, and no buffer is allocated per read (a buffer per read, freed only
// when the garbage collector gets to it, is what made memory grow with speed).
//
// A view handed out stays valid across the next pull and is overwritten by the
// one after it: readers' records are "valid until the next batch is pulled"
// (capture/source.ts), and whoever keeps bytes copies them.
import type { FileHandle } from 'node:fs/promises';

/** Why the input ended before its natural end (a gzip or read error). */
export interface ReadFailure {
  message: string;
}

/** Default read size: large enough that a batch is worth a promise. */
export const DEFAULT_READ_SIZE = 1024 * 1024;

/** Where the bytes come from: a file read in place, or chunks of a stream (stdin, gunzip). */
export type ByteInput = { file: FileHandle } | { chunks: AsyncIterator<Uint8Array | string> };

export class ByteQueue {
  private buf: Buffer;
  private spare: Buffer;
  private pos = 0;
  /** Bytes of buf that hold data. */
  private end = 0;
  /** File offset of buf[0] (of the decompressed stream when gzipped). */
  private base = 0;
  private ended = false;
  /** The rest of a stream chunk that did not fit in the buffer. */
  private pending: Buffer | undefined;
  /** Set when the input threw: the bytes before it are still usable. */
  failure: ReadFailure | undefined;

  constructor(
    private readonly input: ByteInput,
    private readonly readSize = DEFAULT_READ_SIZE,
  ) {
    this.buf = Buffer.alloc(0);
    this.spare = Buffer.alloc(0);
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
    const tail = this.available;
    // The other buffer, with room for the tail and a whole read after it; twice
    // the read size in the steady state, more only for a block larger than that.
    let target = this.spare;
    const size = Math.max(n, tail + this.readSize);
    if (target.length < size) target = Buffer.allocUnsafe(Math.max(size, 2 * this.readSize));
    this.buf.copy(target, 0, this.pos, this.end);
    let have = tail;
    while (have < n && !this.ended) have += await this.read(target, have);
    this.spare = this.buf;
    this.buf = target;
    this.base += this.pos;
    this.pos = 0;
    this.end = have;
    return have >= n;
  }

  /** Fill `into` from `at` to its end as far as one read goes; 0 at the end. */
  private async read(into: Buffer, at: number): Promise<number> {
    try {
      if ('file' in this.input) {
        const { bytesRead } = await this.input.file.read(into, at, into.length - at, null);
        if (bytesRead === 0) this.ended = true;
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

  /** Stop the input (closes the file when the consumer stops early). */
  async close(): Promise<void> {
    this.ended = true;
    try {
      if ('file' in this.input) await this.input.file.close();
      else await this.input.chunks.return?.();
    } catch {
      // The input is being abandoned; a failure to close it changes nothing.
    }
  }
}

function toBuffer(v: Uint8Array | string): Buffer {
  if (typeof v === 'string') return Buffer.from(v, 'latin1');
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
