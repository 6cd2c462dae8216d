// TLS record layer framing (RFC 5246 section 6.2, RFC 8446 section 5.1), one
// push parser per direction. A record is a 5-byte header (type, version,
// length) and a fragment of at most 2^14 + 2048 bytes (the TLSCiphertext cap
// of RFC 5246 6.2.3); anything longer is not TLS, or not in sync. Records may be
// split over TCP segments and several may share one segment: push() returns
// each complete record and keeps the tail. Gaps are stated, never papered over:
// a record that a gap cut is reported as lost with its header (so the layer
// above knows its exact length), and a gap that swallowed a header leaves the
// reader hunting for the next plausible header.

/** A TLS-layer problem, as a value. */
export interface TlsError {
  layer: 'tls';
  /** Stable code: 'tls.record-too-long', 'tls.bad-record-header'... */
  code: string;
  /** Offset in the direction's TCP stream. */
  offset: number;
  detail?: string;
}

export function tlsError(code: string, offset: number, detail?: string): TlsError {
  return detail === undefined ? { layer: 'tls', code, offset } : { layer: 'tls', code, offset, detail };
}

export const CONTENT_CHANGE_CIPHER_SPEC = 20;
export const CONTENT_ALERT = 21;
export const CONTENT_HANDSHAKE = 22;
export const CONTENT_APPLICATION_DATA = 23;
export const CONTENT_HEARTBEAT = 24;

export const RECORD_HEADER_LEN = 5;
/**
 * Pseudo content type for an SSL 2.0-format ClientHello (RFC 5246 appendix
 * E.2): old clients (SChannel of the Windows XP / Server 2003 era among them)
 * open with one, then speak TLS records. Its fragment starts at msg_type.
 */
export const CONTENT_SSL2_CLIENT_HELLO = 0x80;
/** Largest fragment a TLSCiphertext may carry: 2^14 + 2048. */
export const MAX_FRAGMENT = 16384 + 2048;

export type RecordEvent =
  /** A whole record. `fragment` is valid only until the next push. `start`/`end`: stream offsets of its first and past-its-last byte. */
  | { kind: 'record'; type: number; version: number; fragment: Uint8Array; start: number; end: number }
  /**
   * A record whose header was seen but whose fragment a gap cut: its length is
   * known, its content is not. `tail` holds the fragment's last bytes captured
   * after the last hole (up to 64), which a CBC cipher can read its padding from.
   */
  | { kind: 'lost'; type: number; version: number; length: number; start: number; end: number; tail: Uint8Array }
  /** Bytes from `start` to `end` that were skipped without a header to frame them (a gap, then a hunt for the next record). */
  | { kind: 'skipped'; start: number; end: number }
  | { kind: 'error'; error: TlsError };

/** Whether 5 bytes look like a TLS record header. `wantMinor`, when given, pins the version's minor byte. */
export function plausibleHeader(b: Uint8Array, off: number, wantMinor?: number): boolean {
  if (off + RECORD_HEADER_LEN > b.length) return false;
  const type = b[off];
  if (type < CONTENT_CHANGE_CIPHER_SPEC || type > CONTENT_HEARTBEAT) return false;
  if (b[off + 1] !== 3 || b[off + 2] > 4) return false;
  if (wantMinor !== undefined && b[off + 2] !== wantMinor) return false;
  const len = (b[off + 3] << 8) | b[off + 4];
  return len > 0 && len <= MAX_FRAGMENT;
}

type State =
  | { s: 'header' }
  | { s: 'body'; type: number; version: number; length: number; lossy: boolean; hl: number; lossEnd?: number }
  /** Lost the framing: look for a header. */
  | { s: 'hunt'; from: number }
  /** Out of sync for good (a bad header with nothing lost before it). */
  | { s: 'dead' };

/** Push parser for one direction's record stream. Never throws; memory is one record. */
export class RecordReader {
  /** Stream offset of the next byte expected. */
  private pos = 0;
  private state: State = { s: 'header' };
  /** Bytes of the current header or record collected so far. */
  private buf = new Uint8Array(RECORD_HEADER_LEN);
  private have = 0;
  /** Minor version byte of the last good record, to make hunting stricter. */
  private minor: number | undefined;
  /** No header read yet: the stream may open with an SSL 2.0-format ClientHello. */
  private first = true;

  constructor(startOffset = 0) {
    this.pos = startOffset;
  }

  get offset(): number {
    return this.pos;
  }

  /** True once a bad header was met with no gap to explain it: the rest is not framed. */
  get dead(): boolean {
    return this.state.s === 'dead';
  }

  push(bytes: Uint8Array, offset: number): RecordEvent[] {
    const out: RecordEvent[] = [];
    if (offset + bytes.length <= this.pos) return out; // all seen before
    if (offset > this.pos) out.push(...this.gap(offset - this.pos));
    let i = this.pos - offset; // skip what overlaps bytes already taken
    while (i < bytes.length) {
      const st = this.state;
      if (st.s === 'dead') {
        this.pos += bytes.length - i;
        break;
      }
      if (st.s === 'hunt') {
        i = this.hunt(bytes, i, offset, st.from, out);
        continue;
      }
      if (st.s === 'header') {
        // Fast path: a whole record in this chunk needs no copy.
        if (this.have === 0 && i + RECORD_HEADER_LEN <= bytes.length && !(this.first && bytes[i] & 0x80)) {
          this.first = false;
          const len = (bytes[i + 3] << 8) | bytes[i + 4];
          if (this.headerOk(bytes, i, out) && i + RECORD_HEADER_LEN + len <= bytes.length) {
            const start = this.pos;
            const fragment = bytes.subarray(i + RECORD_HEADER_LEN, i + RECORD_HEADER_LEN + len);
            this.pos += RECORD_HEADER_LEN + len;
            i += RECORD_HEADER_LEN + len;
            this.minor = bytes[start - offset + 2];
            out.push({ kind: 'record', type: bytes[start - offset], version: (3 << 8) | bytes[start - offset + 2], fragment, start, end: this.pos });
            continue;
          }
          if (this.state.s === 'dead') continue;
        }
        const take = Math.min(RECORD_HEADER_LEN - this.have, bytes.length - i);
        this.buf.set(bytes.subarray(i, i + take), this.have);
        this.have += take;
        this.pos += take;
        i += take;
        if (this.have < RECORD_HEADER_LEN) break;
        const hdrStart = this.pos - RECORD_HEADER_LEN;
        if (this.first && this.buf[0] & 0x80 && this.buf[2] === 1 && this.buf[3] === 3) {
          // SSL 2.0 header: 2 bytes, the high bit set, a 15-bit length (RFC 5246 E.2).
          this.first = false;
          const length = ((this.buf[0] & 0x7f) << 8) | this.buf[1];
          if (length < 3) {
            out.push({ kind: 'error', error: tlsError('tls.bad-record-header', hdrStart, 'SSL 2.0 ClientHello too short') });
            this.state = { s: 'dead' };
            continue;
          }
          const next = new Uint8Array(2 + length);
          next.set(this.buf.subarray(0, RECORD_HEADER_LEN));
          this.buf = next;
          this.state = { s: 'body', type: CONTENT_SSL2_CLIENT_HELLO, version: 0x0002, length, lossy: false, hl: 2 };
          if (this.have === 2 + length) out.push(this.finishRecord(this.state));
          continue;
        }
        this.first = false;
        const ok = this.headerAt(this.buf, 0, hdrStart, out);
        if (!ok) continue;
        const length = (this.buf[3] << 8) | this.buf[4];
        const type = this.buf[0];
        const version = (this.buf[1] << 8) | this.buf[2];
        const next = new Uint8Array(RECORD_HEADER_LEN + length);
        next.set(this.buf.subarray(0, RECORD_HEADER_LEN));
        this.buf = next;
        this.state = { s: 'body', type, version, length, lossy: false, hl: RECORD_HEADER_LEN };
        continue;
      }
      // body
      const need = st.hl + st.length - this.have;
      const take = Math.min(need, bytes.length - i);
      this.buf.set(bytes.subarray(i, i + take), this.have);
      this.have += take;
      this.pos += take;
      i += take;
      if (this.have === st.hl + st.length) out.push(this.finishRecord(st));
    }
    return out;
  }

  /** `length` bytes at the current position will never arrive. */
  gap(length: number): RecordEvent[] {
    const out: RecordEvent[] = [];
    if (length <= 0) return out;
    const st = this.state;
    if (st.s === 'dead') {
      this.pos += length;
      return out;
    }
    if (st.s === 'body') {
      const need = st.hl + st.length - this.have;
      if (length < need) {
        // The gap ends inside this record: count the missing bytes, keep framing.
        st.lossy = true;
        this.have += length;
        this.pos += length;
        st.lossEnd = this.have;
        return out;
      }
      this.pos += need;
      this.have += need;
      st.lossy = true;
      st.lossEnd = this.have;
      out.push(this.finishRecord(st));
      length -= need;
      if (length === 0) return out;
    }
    if (this.state.s === 'hunt') {
      // Kept tail bytes cannot join bytes after a hole.
      this.have = 0;
      this.pos += length;
      return out;
    }
    // A header (or part of one) fell into the gap: framing is lost.
    const from = this.pos - this.have;
    this.have = 0;
    this.buf = new Uint8Array(RECORD_HEADER_LEN);
    this.pos += length;
    this.state = { s: 'hunt', from };
    return out;
  }

  private finishRecord(st: Extract<State, { s: 'body' }>): RecordEvent {
    const start = this.pos - this.have;
    const tailLen = Math.min(64, this.have - (st.lossEnd ?? this.have));
    const ev: RecordEvent = st.lossy
      ? { kind: 'lost', type: st.type, version: st.version, length: st.length, start, end: this.pos, tail: this.buf.slice(this.have - tailLen, this.have) }
      : { kind: 'record', type: st.type, version: st.version, fragment: this.buf.subarray(st.hl), start, end: this.pos };
    if (!st.lossy && st.type !== CONTENT_SSL2_CLIENT_HELLO) this.minor = st.version & 0xff;
    this.buf = new Uint8Array(RECORD_HEADER_LEN);
    this.have = 0;
    this.state = { s: 'header' };
    return ev;
  }

  private headerOk(b: Uint8Array, i: number, out: RecordEvent[]): boolean {
    return this.headerAt(b, i, this.pos, out);
  }

  /** Checks a header; on failure the reader gives up framing this direction. */
  private headerAt(b: Uint8Array, i: number, streamOff: number, out: RecordEvent[]): boolean {
    const len = (b[i + 3] << 8) | b[i + 4];
    if (b[i] < CONTENT_CHANGE_CIPHER_SPEC || b[i] > CONTENT_HEARTBEAT || b[i + 1] !== 3) {
      out.push({ kind: 'error', error: tlsError('tls.bad-record-header', streamOff, `bytes ${hex(b.subarray(i, i + 3))} are not a TLS record header`) });
      this.state = { s: 'dead' };
      return false;
    }
    if (len > MAX_FRAGMENT) {
      out.push({ kind: 'error', error: tlsError('tls.record-too-long', streamOff, `record length ${len} exceeds ${MAX_FRAGMENT}`) });
      this.state = { s: 'dead' };
      return false;
    }
    return true;
  }

  /** Scans for a plausible header; returns the index in `bytes` to continue from. */
  private hunt(bytes: Uint8Array, i: number, offset: number, from: number, out: RecordEvent[]): number {
    // A header may straddle chunks: up to 4 trailing bytes are kept in buf
    // (`have` of them), and `pos` is the offset of bytes[i].
    const kept = this.have;
    const joined = kept > 0 ? concat(this.buf.subarray(0, kept), bytes.subarray(i)) : bytes.subarray(i);
    const base = this.pos - kept; // stream offset of joined[0]
    for (let k = 0; k + RECORD_HEADER_LEN <= joined.length; k++) {
      // Hunting is for the encrypted phase: application data or alerts.
      const t = joined[k];
      if ((t !== CONTENT_APPLICATION_DATA && t !== CONTENT_ALERT) || !plausibleHeader(joined, k, this.minor)) continue;
      const at = base + k;
      if (at > from) out.push({ kind: 'skipped', start: from, end: at });
      this.state = { s: 'header' };
      if (k >= kept) {
        // The header starts in the new bytes: parse on from there.
        this.have = 0;
        this.buf = new Uint8Array(RECORD_HEADER_LEN);
        this.pos = at;
        return i + (k - kept);
      }
      // The header starts in the kept tail: those bytes become a partial header.
      const part = joined.subarray(k, kept);
      this.buf = new Uint8Array(RECORD_HEADER_LEN);
      this.buf.set(part);
      this.have = part.length;
      return i;
    }
    const keep = Math.min(RECORD_HEADER_LEN - 1, joined.length);
    this.buf = new Uint8Array(RECORD_HEADER_LEN);
    this.buf.set(joined.subarray(joined.length - keep));
    this.have = keep;
    this.pos = offset + bytes.length;
    return bytes.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const r = new Uint8Array(a.length + b.length);
  r.set(a);
  r.set(b, a.length);
  return r;
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
