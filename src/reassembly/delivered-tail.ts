// The last bytes delivered in one direction, kept so a retransmission can be
// compared with what the layers above already saw (a differing resend is the
// classic overlap evasion, and Wireshark's FD_OVERLAPCONFLICT). This ring and
// the out-of-order pieces are the only copies reassembly makes. It starts small
// and doubles up to its cap, so short flows stay cheap. Rings of ended
// directions go back to a small pool shared by one reassembler's streams: a
// fresh ring costs an ArrayBuffer, zeroed pages and GC bookkeeping, a reused
// one nothing (only the known range of a ring is ever read, so old bytes in it
// do no harm).
//
// When the capture's read buffers are lent (TailPool.lends, capture/byte-queue.ts),
// delivered bytes are not copied as they arrive: the tail keeps the views and
// copies them only when their read buffer is about to be read into again, or
// when a resend must be compared. On a busy link most of them have left the
// window by then and are never copied at all: copying every delivered byte
// cost as much as any other stage.

const INITIAL_CAPACITY = 4096;
/** Rings kept per size; beyond it they go to the garbage collector. */
const POOL_PER_SIZE = 16;
const NO_BYTES = new Uint8Array(0);

/** Spare rings by size, and the tails holding views into lent read buffers, for one reassembler. */
export class TailPool {
  private readonly bySize = new Map<number, Uint8Array[]>();
  /** Tails with pieces not yet copied. */
  private readonly lending = new Set<DeliveredTail>();
  /**
   * The bytes of shared buffers that reach the tails are the capture's read
   * buffers, and beforeReuse() is called before one is written again.
   */
  lends = false;

  take(size: number): Uint8Array {
    return this.bySize.get(size)?.pop() ?? new Uint8Array(size);
  }

  give(buf: Uint8Array): void {
    let list = this.bySize.get(buf.length);
    if (!list) this.bySize.set(buf.length, (list = []));
    if (list.length < POOL_PER_SIZE) list.push(buf);
  }

  holds(tail: DeliveredTail, holding: boolean): void {
    if (holding) this.lending.add(tail);
    else this.lending.delete(tail);
  }

  /** A read buffer is about to be written again: copy what the tails still need of it. */
  beforeReuse(buffer: ArrayBufferLike): void {
    for (const tail of this.lending) tail.settle(buffer);
  }
}

/** A ring buffer of the most recent delivered bytes, addressed by stream offset. */
export class DeliveredTail {
  private buf: Uint8Array | undefined;
  /**
   * Bytes [from, end) are known: [from, copied) in the ring (which holds at
   * most its capacity of them), [copied, end) in the pieces not yet copied.
   */
  private from = 0;
  private copied = 0;
  private end = 0;
  /** Views not yet copied, in stream order from index `first`. */
  private pieces: Uint8Array[] = [];
  private first = 0;

  constructor(
    private readonly maxCapacity: number,
    private readonly pool?: TailPool,
  ) {}

  /** Hand the ring to the pool: this tail is not used again. */
  release(): void {
    this.dropPieces();
    if (this.buf && this.pool) this.pool.give(this.buf);
    this.buf = undefined;
    this.from = this.copied = this.end = 0;
  }

  /** Forget everything before `offset`: after a gap, the bytes before it are unknown. */
  reset(offset: number): void {
    this.dropPieces();
    this.from = offset;
    this.copied = offset;
    this.end = offset;
  }

  /** Record `bytes`, delivered at `offset` (the end of what is known, or a reset point). */
  write(offset: number, bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.maxCapacity <= 0 || n === 0) return;
    if (offset !== this.end) this.reset(offset);
    this.end = offset + n;
    if (this.from < this.end - this.maxCapacity) this.from = this.end - this.maxCapacity;
    const pool = this.pool;
    const lent = pool !== undefined && pool.lends && bytes.buffer instanceof SharedArrayBuffer;
    if (this.first === this.pieces.length) {
      if (!lent) {
        this.copyIn(bytes);
        return;
      }
      pool!.holds(this, true);
    }
    // Behind a piece not yet copied, an owned copy waits its turn too.
    this.pieces.push(bytes);
    // Pieces that left the window before anyone needed them are never copied.
    while (this.copied + this.pieces[this.first].length <= this.from) {
      this.copied += this.pieces[this.first].length;
      this.pieces[this.first++] = NO_BYTES;
    }
    if (this.first > 32 && this.first * 2 > this.pieces.length) {
      this.pieces.splice(0, this.first);
      this.first = 0;
    }
  }

  /**
   * Copy the pieces not yet copied into the ring: all of them, or (with
   * `buffer`) those up to the last one that lies in that buffer.
   */
  settle(buffer?: ArrayBufferLike): void {
    let last = this.pieces.length - 1;
    if (buffer !== undefined) {
      // Lent pieces come in the order their buffers were read, so the reused (oldest)
      // buffer's pieces come first: stop at a piece of any other lent buffer.
      last = this.first - 1;
      for (let i = this.first; i < this.pieces.length; i++) {
        const b = this.pieces[i].buffer;
        if (b === buffer) last = i;
        else if (b instanceof SharedArrayBuffer) break;
      }
    }
    for (let i = this.first; i <= last; i++) {
      this.copyIn(this.pieces[i]);
      this.pieces[i] = NO_BYTES;
    }
    if (last >= this.first) this.first = last + 1;
    if (this.first === this.pieces.length) this.dropPieces();
  }

  /** Whether any byte of `bytes` (at stream `offset`) differs from the known delivered bytes. */
  differs(offset: number, bytes: Uint8Array): boolean {
    if (this.first < this.pieces.length) this.settle();
    const buf = this.buf;
    if (!buf) return false;
    const cap = buf.length;
    const lo = Math.max(offset, this.from);
    const hi = Math.min(offset + bytes.length, this.copied);
    for (let o = lo; o < hi; o++) {
      if (buf[o % cap] !== bytes[o - offset]) return true;
    }
    return false;
  }

  private dropPieces(): void {
    if (this.pieces.length === 0) return;
    this.pieces = [];
    this.first = 0;
    this.copied = this.end;
    this.pool?.holds(this, false);
  }

  /** Copy the bytes that follow `copied` into the ring. */
  private copyIn(bytes: Uint8Array): void {
    const offset = this.copied;
    const n = bytes.length;
    this.copied = offset + n;
    // Known bytes already in the ring, and these.
    const needed = this.copied - Math.max(this.from, offset - (this.buf?.length ?? 0));
    let buf = this.buf;
    if (!buf || (buf.length < this.maxCapacity && buf.length < needed)) {
      this.ensure(needed, offset);
      buf = this.buf!;
    }
    const cap = buf.length;
    const pos = offset % cap;
    if (pos + n <= cap) {
      // The common case: one copy, no views made.
      buf.set(bytes, pos);
    } else {
      let src = bytes;
      let at = pos;
      if (n > cap) {
        src = bytes.subarray(n - cap);
        at = (offset + n - cap) % cap;
      }
      const first = Math.min(src.length, cap - at);
      buf.set(src.subarray(0, first), at);
      if (first < src.length) buf.set(src.subarray(first), 0);
    }
    if (this.from < this.copied - cap) this.from = this.copied - cap;
  }

  /** A ring of at least `needed` bytes (up to the cap), holding the known bytes before `ringEnd`. */
  private ensure(needed: number, ringEnd: number): void {
    const old = this.buf;
    if (old && (old.length >= needed || old.length >= this.maxCapacity)) return;
    let cap = old ? old.length : INITIAL_CAPACITY;
    while (cap < needed && cap < this.maxCapacity) cap *= 2;
    cap = Math.min(cap, this.maxCapacity);
    const next = this.pool ? this.pool.take(cap) : new Uint8Array(cap);
    if (old) {
      // Re-home the known bytes: their ring positions depend on the capacity.
      const keepFrom = Math.max(this.from, ringEnd - old.length);
      // In runs that are contiguous in both rings (at most three), not byte by byte.
      for (let o = keepFrom; o < ringEnd; ) {
        const oldPos = o % old.length;
        const newPos = o % cap;
        const n = Math.min(ringEnd - o, old.length - oldPos, cap - newPos);
        next.set(old.subarray(oldPos, oldPos + n), newPos);
        o += n;
      }
      this.pool?.give(old);
    }
    this.buf = next;
  }
}
