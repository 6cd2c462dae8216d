// One direction of a TCP connection: turns segments (in any order, resent,
// overlapping, cut short by the snap length) into in-order stream bytes, gaps
// and anomalies. Sequence numbers become stream offsets here (seq.ts), and
// everything below works in offsets: 0 is the first byte after the SYN, or the
// first byte seen when the capture joined the connection mid-stream.
//
// Only out-of-order pieces and the delivered tail are copies; in-order data
// goes out as a view into the frame. Held pieces never overlap one another and
// are kept sorted by offset; the first copy of a byte wins, as in Zeek and
// Wireshark's reassembly.
import type { Direction, FlowInfo, StreamEndReason } from './stream-event.js';
import type { ReassemblyStats } from './reassembly-stats.js';
import type { ReassemblyAnomalyCode } from './anomaly-codes.js';
import { DeliveredTail, type TailPool } from './delivered-tail.js';
import type { EventSink } from './event-sink.js';
import { seqAdd, seqDiff, unwrapSeq } from './seq.js';

/**
 * The largest forward distance a segment can believably be from the next
 * expected byte: a window never exceeds 2^30 bytes (RFC 7323 §2.3). Beyond it
 * a segment is a sequence jump, not a hole to buffer for.
 */
export const MAX_SEQ_JUMP = 2 ** 30;
/** Two jumped segments this close together mean the stream really moved. */
const RESYNC_SLACK = 1 << 20;

/** A held out-of-order piece; `bytes` null marks bytes the snap length cut (a gap to come). */
interface Piece {
  offset: number;
  length: number;
  bytes: Uint8Array | null;
  frame: number;
  timestampNs: bigint;
}

/** One segment as this direction sees it. Read during segment() only: the reassembler reuses one object. */
export interface SegmentIn {
  seq: number;
  syn: boolean;
  fin: boolean;
  /** The captured payload (a view into the frame). */
  payload: Uint8Array;
  /** Sequence space the payload covers, without SYN/FIN; at least payload.length. */
  length: number;
  frame: number;
  timestampNs: bigint;
}

/** What the ACK-bearing segment from the peer looked like, for duplicate-ACK counting. Read during ack() only (reused). */
export interface PeerAck {
  /** No payload and no SYN, FIN or RST. */
  pure: boolean;
  window: number;
  timestampNs: bigint;
}

export interface HalfStreamLimits {
  /** Out-of-order bytes held before the oldest hole is declared a gap. */
  maxBuffered: number;
  /** Out-of-order pieces held before the same (bounds per-piece overhead with tiny segments). */
  maxHeldSegments: number;
  /** Size of the delivered tail kept to compare retransmissions. */
  tailBytes: number;
}

export class HalfStream {
  /** Sequence number of offset 0; unknown until a SYN or the first data. */
  base: number | undefined;
  /** The SYN's sequence number, when a SYN was seen. */
  isn: number | undefined;
  synSeen = false;
  /** Offset of the next byte to deliver. */
  next = 0;
  /** Segments seen in this direction. */
  segments = 0;
  ended: StreamEndReason | undefined;
  /** Offset the FIN occupies, once a FIN was seen. */
  finOffset: number | undefined;

  private finFrame = 0;
  private finTs = 0n;
  private held: Piece[] = [];
  private buffered = 0;
  /** End of the furthest sequence space seen, to tell reordering from loss. */
  private maxSeenEnd = 0;
  /** Furthest offset the peer acknowledged (capped at the FIN). */
  private ackedEnd = 0;
  private tail: DeliveredTail | undefined;
  /** Sequence number just after a segment that jumped too far, waiting for a second to agree. */
  private jumpSeq: number | undefined;

  // Wireshark's tcp.analysis view of this direction (packet-tcp.c
  // tcp_analyze_sequence_number): the highest sequence seen (FIN counted),
  // when it was seen, and the peer's ACKs of it, to tell duplicate ACKs.
  private wsNext: number | undefined;
  private wsNextTs = 0n;
  private peerAckSeq: number | undefined;
  private peerAckTs = 0n;
  private peerWindow = -1;
  private peerDupAcks = 0;
  /** Below this time since the highest segment, an early segment is out of order, not resent: the first RTT, else 3 ms. */
  oooThresholdNs = 3_000_000n;

  constructor(
    private readonly flow: FlowInfo,
    private readonly dir: Direction,
    private readonly limits: HalfStreamLimits,
    private readonly stats: ReassemblyStats,
    /** Where the delivered tail's ring comes from and goes back to. */
    private readonly tailPool?: TailPool,
  ) {}

  /** Out-of-order bytes currently held. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Fix offset 0 without a SYN of ours: the peer's SYN-ACK acknowledges our ISN + 1. */
  setBaseFromPeerSynAck(ack: number): void {
    if (this.base === undefined) this.base = ack;
  }

  /** Take one segment sent in this direction. */
  segment(s: SegmentIn, out: EventSink): void {
    this.segments++;
    if (s.syn) {
      if (this.base === undefined) {
        this.isn = s.seq;
        this.synSeen = true;
        this.base = seqAdd(s.seq, 1);
        this.wsNext = 0;
        this.wsNextTs = s.timestampNs;
      } else if (this.synSeen && s.seq === this.isn && s.length === 0 && !s.fin) {
        this.stats.retransmissions++;
        this.anomaly('tcp.retransmission', s.frame, out);
        this.anomaly('tcp.analysis.retransmission', s.frame, out);
        return;
      }
    }
    const dataSeq = s.syn ? seqAdd(s.seq, 1) : s.seq;
    if (this.base === undefined) {
      // Pure ACKs do not fix offset 0, so a keep-alive (seq = next - 1) cannot skew it.
      if (s.length === 0 && !s.fin) return;
      this.base = dataSeq;
    }
    const off = unwrapSeq(dataSeq, this.base, this.next);
    this.analyse(off, dataSeq, s, out);
    // Nothing in sequence space beyond the SYN: a pure ACK or window update.
    if (s.length === 0 && !s.fin) return;
    if (this.ended) {
      this.trailing(off, s, out);
      return;
    }
    const end = off + s.length;
    if (off - this.next > MAX_SEQ_JUMP) {
      if (!this.resync(dataSeq, off, s, out)) return;
    } else if (end < this.next - MAX_SEQ_JUMP) {
      this.anomaly('tcp.seq-jump', s.frame, out);
      return;
    } else {
      this.jumpSeq = undefined;
    }
    if (s.fin) this.noteFin(end, s, out);
    if (s.length > 0) this.data(off, s, out);
    this.checkFin(out);
  }

  /**
   * The peer acknowledged up to `ackSeq`. Bytes it acknowledged that the
   * capture never showed will not be resent (the peer has them): a lossy
   * mirror port. Declare them a gap now rather than wait for the flush.
   */
  ack(ackSeq: number, frame: number, out: EventSink, peer?: PeerAck): void {
    if (peer) this.noteDupAck(ackSeq, peer);
    if (this.base === undefined || this.ended) return;
    let a = unwrapSeq(ackSeq, this.base, this.next);
    if (a <= this.next || a - this.next > MAX_SEQ_JUMP) return;
    if (this.finOffset !== undefined) a = Math.min(a, this.finOffset);
    if (a > this.ackedEnd) this.ackedEnd = a;
    if (a <= this.next) return;
    // Only a hole with something captured beyond it (held data, or the FIN) is
    // declared now: with nothing beyond, the ACK may simply have been captured
    // just before the data it acknowledges. drain() settles the rest.
    if (this.held.length === 0 && this.finOffset === undefined) return;
    this.gapUpTo(a, frame, out);
    this.checkFin(out);
  }

  /**
   * No more segments will come (RST, flush, or a new connection on the same
   * ports): deliver what is held, with gaps for the holes, up to what the peer
   * acknowledged or the FIN. Ends the direction with 'fin' if its FIN is reached.
   */
  drain(frame: number, out: EventSink): void {
    if (this.ended) return;
    while (this.held.length > 0) {
      const p = this.held[0];
      if (p.offset > this.next) this.emitGap(this.next, p.offset - this.next, frame, out);
      this.drainHeld(out);
    }
    const limit = this.finOffset ?? this.ackedEnd;
    const unseenFin = this.finOffset === undefined && limit - this.next === 1;
    if (limit > this.next && !unseenFin) this.emitGap(this.next, limit - this.next, frame, out);
    this.checkFin(out);
  }

  /** End this direction (once) and drop its buffers. */
  end(reason: StreamEndReason, frame: number, timestampNs: bigint, out: EventSink): void {
    if (this.ended) return;
    this.ended = reason;
    out.push({ kind: 'end', flow: this.flow, dir: this.dir, reason, frame, timestampNs });
    this.held = [];
    this.buffered = 0;
    this.tail?.release();
    this.tail = undefined;
  }

  /**
   * Label the segment as Wireshark's tcp.analysis does, so frames can be
   * matched with `tshark -Y tcp.analysis.<flag>`: by sequence position and
   * timing, not by content (the content view is the tcp.retransmission,
   * tcp.out-of-order... codes of the delivery logic).
   */
  private analyse(off: number, dataSeq: number, s: SegmentIn, out: EventSink): void {
    const end = off + s.length + (s.fin ? 1 : 0);
    const high = this.wsNext;
    if (high === undefined) {
      this.wsNext = end;
      this.wsNextTs = s.timestampNs;
      return;
    }
    if (s.length <= 1 && !s.fin && off === high - 1) {
      this.anomaly('tcp.analysis.keep_alive', s.frame, out);
      return;
    }
    if (s.length === 0 && !s.fin) return;
    if (off > high) this.anomaly('tcp.analysis.lost_segment', s.frame, out);
    // One byte past a zero-window probe is new data, not a resend.
    const notAdvanced = off < high && !(s.length > 1 && off === high - 1);
    if (s.length > 0 && this.peerAckSeq !== undefined && seqDiff(seqAdd(dataSeq, s.length), this.peerAckSeq) <= 0) {
      // The peer had already acknowledged every byte of it.
      this.anomaly('tcp.analysis.retransmission', s.frame, out);
      this.anomaly('tcp.analysis.spurious_retransmission', s.frame, out);
    } else if (notAdvanced && this.peerDupAcks >= 2 && this.peerAckSeq === dataSeq && s.timestampNs - this.peerAckTs < 20_000_000n) {
      // (The time since the ACK is a BigInt subtraction, an allocation: only worked out when it matters.)
      this.anomaly('tcp.analysis.retransmission', s.frame, out);
      this.anomaly('tcp.analysis.fast_retransmission', s.frame, out);
    } else if (notAdvanced && s.timestampNs - this.wsNextTs < this.oooThresholdNs && high !== off + s.length) {
      this.anomaly('tcp.analysis.out_of_order', s.frame, out);
    } else if (notAdvanced) {
      this.anomaly('tcp.analysis.retransmission', s.frame, out);
    }
    if (end > high) {
      this.wsNext = end;
      this.wsNextTs = s.timestampNs;
    }
  }

  /** Count the peer's duplicate ACKs: pure, same ACK, same window (RFC 5681 §2). */
  private noteDupAck(ackSeq: number, peer: PeerAck): void {
    if (peer.pure && peer.window !== 0 && peer.window === this.peerWindow && ackSeq === this.peerAckSeq) {
      this.peerDupAcks++;
    } else if (ackSeq !== this.peerAckSeq) {
      this.peerDupAcks = 0;
    }
    this.peerAckSeq = ackSeq;
    this.peerAckTs = peer.timestampNs;
    this.peerWindow = peer.window;
  }

  private data(off: number, s: SegmentIn, out: EventSink): void {
    let end = off + s.length;
    let capEnd = off + Math.min(s.payload.length, s.length);
    if (this.finOffset !== undefined && end > this.finOffset) {
      this.anomaly('tcp.data-after-fin', s.frame, out);
      end = this.finOffset;
      capEnd = Math.min(capEnd, end);
      if (end <= off) return;
    }
    if (end <= this.next) {
      this.old(off, end, capEnd, s, out);
      return;
    }
    const prevMaxEnd = this.maxSeenEnd;
    if (end > this.maxSeenEnd) this.maxSeenEnd = end;
    if (off < this.next) {
      // Partly resent: compare the old part, deliver only the new part.
      this.stats.retransmissions++;
      this.stats.overlaps++;
      this.anomaly('tcp.retransmission', s.frame, out);
      this.checkDelivered(off, capEnd, s, out);
      this.deliver(off, this.next, end, capEnd, s, prevMaxEnd, out);
    } else if (off === this.next) {
      this.deliver(off, off, end, capEnd, s, prevMaxEnd, out);
    } else {
      this.hold(off, end, capEnd, s, prevMaxEnd, out);
    }
  }

  /** A segment wholly inside bytes already delivered (or declared a gap). */
  private old(off: number, end: number, capEnd: number, s: SegmentIn, out: EventSink): void {
    // RFC 9293 §3.8.4: a keep-alive resends the last byte (seq = next - 1).
    if (s.length === 1 && end === this.next) {
      this.anomaly('tcp.keep-alive', s.frame, out);
      return;
    }
    this.stats.retransmissions++;
    this.anomaly('tcp.retransmission', s.frame, out);
    this.checkDelivered(off, capEnd, s, out);
  }

  private checkDelivered(off: number, capEnd: number, s: SegmentIn, out: EventSink): void {
    if (!this.tail || capEnd <= off) return;
    if (this.tail.differs(off, s.payload.subarray(0, capEnd - off))) this.conflict(s.frame, out);
  }

  /** Deliver [start, end) of a segment at offset `off`, start being the next expected byte. */
  private deliver(
    off: number,
    start: number,
    end: number,
    capEnd: number,
    s: SegmentIn,
    prevMaxEnd: number,
    out: EventSink,
  ): void {
    if (start < prevMaxEnd && off >= start) {
      // Later data arrived first and this fills the hole before it.
      this.stats.outOfOrder++;
      this.anomaly('tcp.out-of-order', s.frame, out);
    }
    // This segment wins over held copies of the same bytes; compare, then drop them.
    let conflict = false;
    while (this.held.length > 0 && this.held[0].offset < end) {
      const p = this.held[0];
      const pEnd = p.offset + p.length;
      if (p.bytes) conflict ||= differs(p.offset, p.bytes, off, s.payload, Math.max(p.offset, start), Math.min(pEnd, capEnd));
      if (pEnd <= end) {
        this.held.shift();
        if (p.bytes) this.buffered -= p.bytes.length;
      } else {
        const cut = end - p.offset;
        if (p.bytes) {
          p.bytes = p.bytes.subarray(cut);
          this.buffered -= cut;
        }
        p.offset = end;
        p.length -= cut;
        break;
      }
    }
    if (conflict) this.conflict(s.frame, out);
    if (capEnd > start) {
      // The whole payload (the common case) goes out as it is: a view costs an allocation.
      const whole = start === off && capEnd - off === s.payload.length;
      this.emitData(whole ? s.payload : s.payload.subarray(start - off, capEnd - off), s.frame, s.timestampNs, out);
    }
    // The snap length cut the rest: those bytes exist but no frame shows them.
    const missingFrom = Math.max(capEnd, start);
    if (end > missingFrom) this.emitGap(missingFrom, end - missingFrom, s.frame, out);
    this.drainHeld(out);
  }

  /** Keep a copy of the new parts of a segment that starts beyond the next expected byte. */
  private hold(off: number, end: number, capEnd: number, s: SegmentIn, prevMaxEnd: number, out: EventSink): void {
    const held = this.held;
    let i = firstEndingAfter(held, off);
    let cursor = off;
    let conflict = false;
    let overlapped = false;
    let added = 0;
    for (; i < held.length && held[i].offset < end; i++) {
      const p = held[i];
      overlapped = true;
      if (p.offset > cursor) {
        const n = this.insertPieces(i, cursor, p.offset, off, capEnd, s);
        added += n;
        i += n;
      }
      const pEnd = p.offset + p.length;
      if (p.bytes) conflict ||= differs(p.offset, p.bytes, off, s.payload, Math.max(p.offset, off), Math.min(pEnd, capEnd));
      cursor = Math.max(cursor, pEnd);
    }
    if (cursor < end) added += this.insertPieces(i, cursor, end, off, capEnd, s);
    if (conflict) this.conflict(s.frame, out);
    if (added === 0) {
      // Every byte is already held: a duplicate of an out-of-order segment.
      this.stats.retransmissions++;
      this.anomaly('tcp.retransmission', s.frame, out);
      return;
    }
    if (overlapped) this.stats.overlaps++;
    if (off < prevMaxEnd) {
      this.stats.outOfOrder++;
      this.anomaly('tcp.out-of-order', s.frame, out);
    } else if (off > prevMaxEnd) {
      this.anomaly('tcp.previous-segment-not-captured', s.frame, out);
    }
    // Bounded memory: past the limits, the oldest hole will not be waited for.
    while (
      this.held.length > 0 &&
      (this.buffered > this.limits.maxBuffered || this.held.length > this.limits.maxHeldSegments)
    ) {
      this.emitGap(this.next, this.held[0].offset - this.next, s.frame, out);
      this.drainHeld(out);
    }
  }

  /** Insert copies of [u0, u1) of the segment at held index `at`; returns how many pieces. */
  private insertPieces(at: number, u0: number, u1: number, off: number, capEnd: number, s: SegmentIn): number {
    let n = 0;
    if (u0 < capEnd) {
      const dEnd = Math.min(u1, capEnd);
      // A copy even when the payload is a Buffer (whose slice() is a view pinning the read chunk).
      const bytes = new Uint8Array(s.payload.subarray(u0 - off, dEnd - off));
      this.held.splice(at + n, 0, { offset: u0, length: dEnd - u0, bytes, frame: s.frame, timestampNs: s.timestampNs });
      this.buffered += bytes.length;
      n++;
    }
    const cutFrom = Math.max(u0, capEnd);
    if (u1 > cutFrom) {
      this.held.splice(at + n, 0, { offset: cutFrom, length: u1 - cutFrom, bytes: null, frame: s.frame, timestampNs: s.timestampNs });
      n++;
    }
    return n;
  }

  /** Deliver held pieces that now start at (or before) the next expected byte. */
  private drainHeld(out: EventSink): void {
    while (this.held.length > 0 && this.held[0].offset <= this.next) {
      const p = this.held.shift()!;
      const pEnd = p.offset + p.length;
      if (p.bytes) this.buffered -= p.bytes.length;
      if (pEnd <= this.next) continue;
      const skip = this.next - p.offset;
      if (p.bytes) this.emitData(p.bytes.subarray(skip), p.frame, p.timestampNs, out);
      else this.emitGap(this.next, pEnd - this.next, p.frame, out);
    }
  }

  /** Gap and deliver until `limit`, then deliver whatever became contiguous. */
  private gapUpTo(limit: number, frame: number, out: EventSink): void {
    while (this.next < limit) {
      const p = this.held[0];
      if (p && p.offset <= this.next) {
        this.drainHeld(out);
        continue;
      }
      const stop = p ? Math.min(p.offset, limit) : limit;
      this.emitGap(this.next, stop - this.next, frame, out);
    }
    this.drainHeld(out);
  }

  private noteFin(end: number, s: SegmentIn, out: EventSink): void {
    if (this.finOffset === undefined) {
      this.finOffset = Math.max(end, this.next);
      this.finFrame = s.frame;
      this.finTs = s.timestampNs;
      if (this.ackedEnd > this.finOffset) this.ackedEnd = this.finOffset;
      this.dropHeldBeyond(this.finOffset, s.frame, out);
    } else if (end === this.finOffset) {
      if (s.length === 0) {
        this.stats.retransmissions++;
        this.anomaly('tcp.retransmission', s.frame, out);
      }
    } else {
      this.anomaly('tcp.fin-mismatch', s.frame, out);
    }
  }

  /** Held data beyond the FIN was never part of this stream. */
  private dropHeldBeyond(limit: number, frame: number, out: EventSink): void {
    let dropped = false;
    while (this.held.length > 0) {
      const p = this.held[this.held.length - 1];
      if (p.offset + p.length <= limit) break;
      dropped = true;
      if (p.offset >= limit) {
        this.held.pop();
        if (p.bytes) this.buffered -= p.bytes.length;
      } else {
        const keep = limit - p.offset;
        if (p.bytes) {
          this.buffered -= p.length - keep;
          p.bytes = p.bytes.subarray(0, keep);
        }
        p.length = keep;
      }
    }
    if (dropped) this.anomaly('tcp.data-after-fin', frame, out);
  }

  private checkFin(out: EventSink): void {
    if (!this.ended && this.finOffset !== undefined && this.next >= this.finOffset) {
      this.end('fin', this.finFrame, this.finTs, out);
    }
  }

  /**
   * A segment more than 2^30 ahead. One such segment is dropped (a corrupt or
   * stray segment must not wreck the stream); a second one near the first
   * means the stream really moved on, so skip to it with one gap.
   */
  private resync(dataSeq: number, off: number, s: SegmentIn, out: EventSink): boolean {
    if (this.jumpSeq === undefined || Math.abs(seqDiff(dataSeq, this.jumpSeq)) > RESYNC_SLACK) {
      this.jumpSeq = seqAdd(dataSeq, s.length);
      this.anomaly('tcp.seq-jump', s.frame, out);
      return false;
    }
    this.jumpSeq = undefined;
    this.anomaly('tcp.desync', s.frame, out);
    this.drain(s.frame, out);
    if (this.ended) return false;
    if (off > this.next) this.emitGap(this.next, off - this.next, s.frame, out);
    this.maxSeenEnd = Math.max(this.maxSeenEnd, this.next);
    return true;
  }

  /** A segment in a direction that already ended. */
  private trailing(off: number, s: SegmentIn, out: EventSink): void {
    const end = off + s.length;
    if (s.length === 0) {
      if (this.finOffset !== undefined && end === this.finOffset) {
        this.stats.retransmissions++;
        this.anomaly('tcp.retransmission', s.frame, out);
      }
      return;
    }
    if (end <= this.next) {
      this.stats.retransmissions++;
      this.anomaly('tcp.retransmission', s.frame, out);
    } else {
      this.anomaly('tcp.data-after-close', s.frame, out);
    }
  }

  private emitData(bytes: Uint8Array, frame: number, timestampNs: bigint, out: EventSink): void {
    if (bytes.length === 0) return;
    const offset = this.next;
    out.push({
      kind: 'data',
      flow: this.flow,
      dir: this.dir,
      offset,
      bytes,
      spans: [{ frame, timestampNs, streamOffset: offset, length: bytes.length }],
    });
    if (this.limits.tailBytes > 0) {
      this.tail ??= new DeliveredTail(this.limits.tailBytes, this.tailPool);
      this.tail.write(offset, bytes);
    }
    this.next += bytes.length;
    this.stats.bytesDelivered += bytes.length;
  }

  private emitGap(offset: number, length: number, frame: number, out: EventSink): void {
    if (length <= 0) return;
    out.push({ kind: 'gap', flow: this.flow, dir: this.dir, offset, length, frame });
    this.next = offset + length;
    this.tail?.reset(this.next);
    this.stats.gaps++;
    this.stats.gapBytes += length;
  }

  private conflict(frame: number, out: EventSink): void {
    this.stats.conflicts++;
    this.anomaly('tcp.overlap-conflict', frame, out);
  }

  private anomaly(code: ReassemblyAnomalyCode, frame: number, out: EventSink): void {
    out.push({ kind: 'anomaly', flow: this.flow, dir: this.dir, code, frame });
  }
}

/** Index of the first held piece ending after `offset` (pieces are sorted and disjoint). */
function firstEndingAfter(held: readonly Piece[], offset: number): number {
  let lo = 0;
  let hi = held.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (held[mid].offset + held[mid].length <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether a (at aOff) and b (at bOff) differ anywhere in the stream range [lo, hi). */
function differs(aOff: number, a: Uint8Array, bOff: number, b: Uint8Array, lo: number, hi: number): boolean {
  for (let o = lo; o < hi; o++) {
    if (a[o - aOff] !== b[o - bOff]) return true;
  }
  return false;
}
