// IPv4 (RFC 791 section 3.2, RFC 815) and IPv6 (RFC 8200 section 4.5)
// fragment reassembly. Datagrams are keyed by (version, src, dst, protocol,
// id). Everything is bounded, because a capture may be hostile: a datagram
// holds at most 64 KiB (the IP maximum), at most `maxFragments` pieces, at most
// `maxPending` datagrams wait at once (the oldest is evicted), and a datagram
// not completed within `timeoutNs` of capture time is dropped (Linux waits
// ipfrag_time, 30 s). Overlaps keep the first bytes received, as Wireshark
// does by default; overlapping bytes that differ are reported, since they are
// the classic evasion trick. The reassembled datagram is a copy owned here.
import { decodeError, type DecodeError } from './decode-error.js';

/** The IP maximum: no reassembled payload may be longer. */
export const MAX_DATAGRAM_BYTES = 65535;

export interface DefragOptions {
  /** Datagrams waiting at once; the oldest is evicted beyond this. @default 1024 */
  maxPending?: number;
  /** Capture-time nanoseconds a datagram may wait for its fragments. @default 60 s */
  timeoutNs?: bigint;
  /** Fragments one datagram may have. @default 1024 */
  maxFragments?: number;
}

/** One fragment, as the IP decoder saw it. */
export interface FragmentIn {
  version: 4 | 6;
  src: string;
  dst: string;
  protocol: number;
  id: number;
  /** Byte offset of this fragment's data in the datagram. */
  offset: number;
  moreFragments: boolean;
  /** The fragment's captured data (a view; the defragmenter copies it). */
  data: Uint8Array;
  /** Data length the IP header claims (more than data.length when the snap length cut the frame). */
  claimedLength: number;
  frame: number;
  timestampNs: bigint;
}

export type DefragOutcome =
  | { kind: 'pending' }
  | { kind: 'dropped' }
  | {
      kind: 'complete';
      /** The reassembled upper-layer payload (owned by the caller from now on). */
      data: Uint8Array;
      /** Frames of the fragments, in offset order. */
      frames: number[];
    };

export interface DefragStats {
  fragments: number;
  reassembled: number;
  /** Datagrams given up: timed out, evicted, or still pending at the end. */
  incomplete: number;
}

interface Pending {
  firstNs: bigint;
  buf: Uint8Array;
  /** Received byte ranges, sorted and merged: [start0, end0, start1, end1, ...]. */
  ranges: number[];
  /** Datagram length once the last fragment was seen, else -1. */
  total: number;
  /** Offsets and frames of the fragments, for provenance. */
  partOffsets: number[];
  partFrames: number[];
}

const PENDING: DefragOutcome = { kind: 'pending' };
const DROPPED: DefragOutcome = { kind: 'dropped' };

function note(code: string, f: FragmentIn, detail: string): DecodeError {
  return decodeError('ip-defrag', code, 0, { frame: f.frame, detail });
}

export class IpDefragmenter {
  readonly stats: DefragStats = { fragments: 0, reassembled: 0, incomplete: 0 };
  private readonly pending = new Map<string, Pending>();
  private readonly maxPending: number;
  private readonly timeoutNs: bigint;
  private readonly maxFragments: number;

  constructor(opts: DefragOptions = {}) {
    this.maxPending = opts.maxPending ?? 1024;
    this.timeoutNs = opts.timeoutNs ?? 60_000_000_000n;
    this.maxFragments = opts.maxFragments ?? 1024;
  }

  /** Datagrams waiting for fragments. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Add one fragment. Anomalies go to `notes` (overlap conflicts, lengths past
   * 64 KiB, inconsistent ends); a fragment that cannot be used is `dropped`.
   */
  push(f: FragmentIn, notes: DecodeError[]): DefragOutcome {
    this.stats.fragments++;
    this.expire(f.timestampNs);
    const claimedEnd = f.offset + f.claimedLength;
    if (claimedEnd > MAX_DATAGRAM_BYTES) {
      notes.push(note('ip-defrag.too-long', f, `fragment ends at byte ${claimedEnd}, past the 65535-byte IP maximum`));
      return DROPPED;
    }
    const key = `${f.version} ${f.src} ${f.dst} ${f.protocol} ${f.id}`;
    let p = this.pending.get(key);
    if (p === undefined) {
      if (this.pending.size >= this.maxPending) this.evictOldest();
      p = { firstNs: f.timestampNs, buf: new Uint8Array(0), ranges: [], total: -1, partOffsets: [], partFrames: [] };
      this.pending.set(key, p);
    }
    if (!f.moreFragments) {
      if (p.total >= 0 && p.total !== claimedEnd) {
        notes.push(note('ip-defrag.inconsistent-length', f, `last fragment ends at ${claimedEnd}, an earlier one at ${p.total}`));
        return DROPPED;
      }
      p.total = claimedEnd;
    }
    if (p.total >= 0 && claimedEnd > p.total) {
      notes.push(note('ip-defrag.beyond-end', f, `fragment ends at ${claimedEnd}, past the datagram end ${p.total}`));
      return DROPPED;
    }
    if (p.partFrames.length >= this.maxFragments) {
      notes.push(note('ip-defrag.too-many-fragments', f, `more than ${this.maxFragments} fragments`));
      this.pending.delete(key);
      this.stats.incomplete++;
      return DROPPED;
    }
    p.partOffsets.push(f.offset);
    p.partFrames.push(f.frame);
    // Only captured bytes go in; a fragment cut by the snap length leaves a
    // hole, and the datagram then never completes (counted as incomplete).
    const start = f.offset;
    const end = f.offset + Math.min(f.data.length, f.claimedLength);
    if (end > start) {
      if (insert(p, start, end, f.data)) {
        notes.push(note('ip-defrag.overlap-conflict', f, 'overlapping fragment bytes differ; the first received are kept'));
      }
    }
    if (p.total >= 0 && (p.total === 0 || (p.ranges.length === 2 && p.ranges[0] === 0 && p.ranges[1] === p.total))) {
      this.pending.delete(key);
      this.stats.reassembled++;
      return { kind: 'complete', data: p.buf.subarray(0, p.total), frames: framesInOrder(p) };
    }
    return PENDING;
  }

  /** Drop datagrams older than the timeout at capture time `nowNs`; returns how many. */
  expire(nowNs: bigint): number {
    let n = 0;
    // Map order is insertion order, which follows capture time closely enough:
    // stop at the first datagram still in time.
    for (const [key, p] of this.pending) {
      if (nowNs - p.firstNs <= this.timeoutNs) break;
      this.pending.delete(key);
      n++;
    }
    this.stats.incomplete += n;
    return n;
  }

  /** End of capture: every datagram still waiting is incomplete. Returns how many. */
  flush(): number {
    const n = this.pending.size;
    this.pending.clear();
    this.stats.incomplete += n;
    return n;
  }

  private evictOldest(): void {
    const first = this.pending.keys().next();
    if (!first.done) {
      this.pending.delete(first.value);
      this.stats.incomplete++;
    }
  }
}

/**
 * Copy the bytes of [start, end) not yet received into the buffer and record
 * the range. Returns true when bytes already received differ from the new ones.
 */
function insert(p: Pending, start: number, end: number, data: Uint8Array): boolean {
  if (p.buf.length < end) {
    // Grow by doubling, capped at the IP maximum (end is already checked against it).
    let size = Math.max(p.buf.length * 2, 2048);
    while (size < end) size *= 2;
    const grown = new Uint8Array(Math.min(size, MAX_DATAGRAM_BYTES));
    grown.set(p.buf);
    p.buf = grown;
  }
  const r = p.ranges;
  let conflict = false;
  let pos = start;
  for (let i = 0; i < r.length && pos < end; i += 2) {
    const rs = r[i];
    const re = r[i + 1];
    if (re <= pos) continue;
    if (rs >= end) break;
    if (rs > pos) p.buf.set(data.subarray(pos - start, rs - start), pos);
    const os = Math.max(pos, rs);
    const oe = Math.min(end, re);
    for (let k = os; k < oe && !conflict; k++) if (p.buf[k] !== data[k - start]) conflict = true;
    pos = Math.max(pos, re);
  }
  if (pos < end) p.buf.set(data.subarray(pos - start, end - start), pos);
  addRange(r, start, end);
  return conflict;
}

/** Add [start, end) to a sorted, merged range list, merging touching ranges. */
function addRange(r: number[], start: number, end: number): void {
  let i = 0;
  while (i < r.length && r[i + 1] < start) i += 2;
  let s = start;
  let e = end;
  let j = i;
  while (j < r.length && r[j] <= e) {
    s = Math.min(s, r[j]);
    e = Math.max(e, r[j + 1]);
    j += 2;
  }
  r.splice(i, j - i, s, e);
}

function framesInOrder(p: Pending): number[] {
  const idx = p.partFrames.map((_, i) => i);
  idx.sort((a, b) => p.partOffsets[a] - p.partOffsets[b] || p.partFrames[a] - p.partFrames[b]);
  const out: number[] = [];
  for (const i of idx) if (!out.includes(p.partFrames[i])) out.push(p.partFrames[i]);
  return out;
}
