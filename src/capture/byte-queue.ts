// A pull-based window over a stream of byte chunks, shared by the pcap and
// pcapng readers. It keeps the unread tail of the previous chunk plus the
// chunk just pulled, so memory stays at one chunk plus one partial record
// whatever the size of the capture. Buffers are never written after they are
// handed out, so a record's data view stays valid after the next pull.
//
// `fillExact` joins only the bytes asked for: the classic pcap reader asks for
// exactly the record that straddles two chunks, so only that record is copied
// and the rest of the new chunk is used in place (`pull`/`fill` would copy the
// whole chunk behind the leftover tail, i.e. the whole file once over).

/** Why the chunk stream ended before its natural end (a gzip or read error). */
export interface ReadFailure {
  message: string;
}

export class ByteQueue {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** File offset of buf[0] (of the decompressed stream when gzipped). */
  private base = 0;
  private ended = false;
  /** The unread remainder of a chunk that `fillExact` took only the head of. */
  private rest: Buffer | undefined;
  /** Set when the chunk stream threw: the bytes before it are still usable. */
  failure: ReadFailure | undefined;

  constructor(private readonly chunks: AsyncIterator<Uint8Array | string>) {}

  /** Bytes available from the read position without pulling. */
  get available(): number {
    return this.buf.length - this.pos;
  }

  /** Absolute offset of the read position. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes in memory from the read position: available ones plus a remainder not joined yet. */
  get buffered(): number {
    return this.available + (this.rest?.length ?? 0);
  }

  get atEnd(): boolean {
    return this.ended;
  }

  /** The current buffer and the read position in it, for readers that index without making views. */
  get buffer(): Buffer {
    return this.buf;
  }

  get position(): number {
    return this.pos;
  }

  /** The unread bytes, without copying. */
  view(): Buffer {
    return this.buf.subarray(this.pos);
  }

  skip(n: number): void {
    this.pos += n;
  }

  /**
   * Pull one more chunk and append it to the unread tail. Returns false at the
   * end of the stream (or when it failed: see `failure`).
   */
  async pull(): Promise<boolean> {
    return this.fill(this.available + 1);
  }

  /**
   * Pull until at least n bytes are available; false if the stream ends first.
   * The pulled chunks are joined once, so a large block costs one copy.
   */
  async fill(n: number): Promise<boolean> {
    if (this.available >= n) return true;
    const parts: Buffer[] = [this.buf.subarray(this.pos)];
    let have = parts[0].length;
    let complete = true;
    while (have < n) {
      const chunk = await this.next();
      if (chunk === undefined) {
        complete = false;
        break;
      }
      parts.push(chunk);
      have += chunk.length;
    }
    this.base += this.pos;
    this.pos = 0;
    // A fresh chunk with no carried-over tail is used as is, without a copy.
    const nonEmpty = parts.filter((p) => p.length > 0);
    this.buf = nonEmpty.length === 1 ? nonEmpty[0] : Buffer.concat(nonEmpty, have);
    return complete;
  }

  /**
   * Like fill(n), but when bytes must be joined (a tail is left, or n spans
   * chunks) only n are copied; what follows stays as the next piece, used
   * without a copy once the joined bytes are read.
   */
  async fillExact(n: number): Promise<boolean> {
    if (this.available >= n) return true;
    const parts: Buffer[] = [];
    const tail = this.buf.subarray(this.pos);
    if (tail.length > 0) parts.push(tail);
    let have = tail.length;
    let complete = true;
    while (have < n) {
      const chunk = await this.next();
      if (chunk === undefined) {
        complete = false;
        break;
      }
      parts.push(chunk);
      have += chunk.length;
    }
    this.base += this.pos;
    this.pos = 0;
    if (parts.length === 1) {
      this.buf = parts[0];
    } else if (!complete) {
      this.buf = Buffer.concat(parts, have);
    } else {
      const last = parts[parts.length - 1];
      const over = have - n;
      if (over > 0) {
        this.rest = last.subarray(last.length - over);
        parts[parts.length - 1] = last.subarray(0, last.length - over);
      }
      this.buf = Buffer.concat(parts, n);
    }
    return complete;
  }

  private async next(): Promise<Buffer | undefined> {
    if (this.rest !== undefined) {
      const r = this.rest;
      this.rest = undefined;
      return r;
    }
    while (!this.ended) {
      let r: IteratorResult<Uint8Array | string>;
      try {
        r = await this.chunks.next();
      } catch (err) {
        this.ended = true;
        this.failure = { message: err instanceof Error ? err.message : String(err) };
        return undefined;
      }
      if (r.done) {
        this.ended = true;
        return undefined;
      }
      const chunk = toBuffer(r.value);
      if (chunk.length > 0) return chunk;
    }
    return undefined;
  }

  /** Stop the underlying stream (closes the file when the consumer stops early). */
  async close(): Promise<void> {
    this.ended = true;
    this.rest = undefined;
    try {
      await this.chunks.return?.();
    } catch {
      // The stream is being abandoned; a failure to close it changes nothing.
    }
  }
}

function toBuffer(v: Uint8Array | string): Buffer {
  if (typeof v === 'string') return Buffer.from(v, 'latin1');
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
