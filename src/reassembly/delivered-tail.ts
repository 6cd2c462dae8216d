// The last bytes delivered in one direction, kept so a retransmission can be
// compared with what the layers above already saw (a differing resend is the
// classic overlap evasion, and Wireshark's FD_OVERLAPCONFLICT). This ring and
// the out-of-order pieces are the only copies reassembly makes. It starts small
// and doubles up to its cap, so short flows stay cheap. Rings of ended
// directions go back to a small pool shared by one reassembler's streams: a
// fresh ring costs an ArrayBuffer, zeroed pages and GC bookkeeping, a reused
// one nothing (only the known range of a ring is ever read, so old bytes in it
// do no harm).

const INITIAL_CAPACITY = 4096;
/** Rings kept per size; beyond it they go to the garbage collector. */
const POOL_PER_SIZE = 16;

/** Spare rings by size, for the tails of one reassembler. */
export class TailPool {
  private readonly bySize = new Map<number, Uint8Array[]>();

  take(size: number): Uint8Array {
    return this.bySize.get(size)?.pop() ?? new Uint8Array(size);
  }

  give(buf: Uint8Array): void {
    let list = this.bySize.get(buf.length);
    if (!list) this.bySize.set(buf.length, (list = []));
    if (list.length < POOL_PER_SIZE) list.push(buf);
  }
}

/** A ring buffer of the most recent delivered bytes, addressed by stream offset. */
export class DeliveredTail {
  private buf: Uint8Array | undefined;
  /** Bytes [from, end) are known (and the ring holds at most its capacity of them). */
  private from = 0;
  private end = 0;

  constructor(
    private readonly maxCapacity: number,
    private readonly pool?: TailPool,
  ) {}

  /** Hand the ring to the pool: this tail is not used again. */
  release(): void {
    if (this.buf && this.pool) this.pool.give(this.buf);
    this.buf = undefined;
    this.from = this.end = 0;
  }

  /** Forget everything before `offset`: after a gap, the bytes before it are unknown. */
  reset(offset: number): void {
    this.from = offset;
    this.end = offset;
  }

  /** Record `bytes`, delivered at `offset` (the end of what is known, or a reset point). */
  write(offset: number, bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.maxCapacity <= 0 || n === 0) return;
    if (offset !== this.end) this.reset(offset);
    let buf = this.buf;
    if (!buf || (buf.length < this.maxCapacity && buf.length < this.end - this.from + n)) {
      this.ensure(this.end - this.from + n);
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
    this.end = offset + n;
    if (this.from < this.end - cap) this.from = this.end - cap;
  }

  /** Whether any byte of `bytes` (at stream `offset`) differs from the known delivered bytes. */
  differs(offset: number, bytes: Uint8Array): boolean {
    const buf = this.buf;
    if (!buf) return false;
    const cap = buf.length;
    const lo = Math.max(offset, this.from);
    const hi = Math.min(offset + bytes.length, this.end);
    for (let o = lo; o < hi; o++) {
      if (buf[o % cap] !== bytes[o - offset]) return true;
    }
    return false;
  }

  private ensure(needed: number): void {
    const old = this.buf;
    if (old && (old.length >= needed || old.length >= this.maxCapacity)) return;
    let cap = old ? old.length : INITIAL_CAPACITY;
    while (cap < needed && cap < this.maxCapacity) cap *= 2;
    cap = Math.min(cap, this.maxCapacity);
    const next = this.pool ? this.pool.take(cap) : new Uint8Array(cap);
    if (old) {
      // Re-home the known bytes: their ring positions depend on the capacity.
      const keepFrom = Math.max(this.from, this.end - cap);
      // In runs that are contiguous in both rings (at most three), not byte by byte.
      for (let o = keepFrom; o < this.end; ) {
        const oldPos = o % old.length;
        const newPos = o % cap;
        const n = Math.min(this.end - o, old.length - oldPos, cap - newPos);
        next.set(old.subarray(oldPos, oldPos + n), newPos);
        o += n;
      }
      this.from = keepFrom;
      this.pool?.give(old);
    }
    this.buf = next;
  }
}
