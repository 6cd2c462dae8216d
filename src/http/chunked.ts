// The chunked transfer coding (RFC 9112 section 7.1) as a byte-at-a-time state
// machine, so a body split anywhere across TCP segments decodes the same.
//
//   chunked-body = *chunk last-chunk trailer-section CRLF
//   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//
// The chunk size is counted down, never used to allocate. Sizes of 2^48 or more
// (a 64-bit 0xffffffffffffffff, as in request-smuggling probes) are errors, as
// are signs and empty sizes. Extensions are skipped. Trailer lines are kept,
// bounded, and parsed like header lines by the caller.

/** Longest chunk-size line, extensions included. */
export const MAX_CHUNK_LINE = 4096;
/** Largest trailer section kept. */
export const MAX_TRAILER_BYTES = 64 * 1024;
/** Significant hex digits allowed in a chunk size (leading zeros do not count). */
const MAX_SIZE_DIGITS = 12;

type State = 'size' | 'ext' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';

/** A framing error, `at` being the index in the buffer handed to decode(). */
export interface ChunkedError {
  code: string;
  at: number;
  detail: string;
}

export interface ChunkedStep {
  /** Index of the first byte not consumed. */
  next: number;
  /** The last chunk and the trailer section have been read. */
  done: boolean;
  error?: ChunkedError;
}

export class ChunkedDecoder {
  private state: State = 'size';
  private size = 0;
  private digits = 0;
  private significant = 0;
  private lineLen = 0;
  private remaining = 0;
  private trailer = new Uint8Array(0);
  private trailerLen = 0;
  private trailerLineStart = 0;

  /** Trailer section bytes read so far, CRLFs included. */
  trailerBytes(): Uint8Array {
    return this.trailer.subarray(0, this.trailerLen);
  }

  /** True while inside chunk-data, where a gap of `length` can be stepped over. */
  canSkip(length: number): boolean {
    return this.state === 'data' && length <= this.remaining;
  }

  /** Step over `length` bytes of chunk-data that never arrived (check canSkip first). */
  skip(length: number): void {
    this.remaining -= length;
    if (this.remaining === 0) this.state = 'data-cr';
  }

  /**
   * Consume buf[start..end), handing de-chunked data ranges to onData.
   * Stops at the end of the chunked body, at an error, or at `end`.
   */
  decode(buf: Uint8Array, start: number, end: number, onData: (from: number, to: number) => void): ChunkedStep {
    let i = start;
    while (i < end) {
      switch (this.state) {
        case 'size': {
          const c = buf[i];
          const v = hexValue(c);
          if (v >= 0) {
            this.digits++;
            if (this.significant > 0 || v > 0) this.significant++;
            if (this.significant > MAX_SIZE_DIGITS) {
              return this.fail(i, 'http.chunk-size-too-large', `chunk size has more than ${MAX_SIZE_DIGITS} hex digits`);
            }
            this.size = this.size * 16 + v;
          } else if (this.digits > 0 && (c === 0x3b || c === 0x20 || c === 0x09 || c === 0x0d)) {
            this.state = 'ext';
          } else if (this.digits > 0 && c === 0x0a) {
            this.sizeLineDone();
            i++;
            break;
          } else {
            return this.fail(i, 'http.bad-chunk-size', `byte 0x${c.toString(16).padStart(2, '0')} in a chunk size`);
          }
          if (++this.lineLen > MAX_CHUNK_LINE) {
            return this.fail(i, 'http.chunk-line-too-long', 'chunk-size line is too long');
          }
          i++;
          break;
        }
        case 'ext': {
          // chunk-ext is ignored (RFC 9112 section 7.1.1); just find the line end.
          const stop = Math.min(end, i + (MAX_CHUNK_LINE - this.lineLen) + 1);
          let j = i;
          while (j < stop && buf[j] !== 0x0a) j++;
          this.lineLen += j - i;
          if (j < stop) {
            i = j + 1;
            this.sizeLineDone();
          } else {
            i = j;
            if (this.lineLen > MAX_CHUNK_LINE) return this.fail(i - 1, 'http.chunk-line-too-long', 'chunk extensions are too long');
          }
          break;
        }
        case 'data': {
          const take = Math.min(this.remaining, end - i);
          onData(i, i + take);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'data-cr';
          break;
        }
        case 'data-cr':
          if (buf[i] === 0x0d) this.state = 'data-lf';
          else if (buf[i] === 0x0a) this.resetSize(); // bare LF tolerated
          else return this.fail(i, 'http.bad-chunk-terminator', 'chunk data not followed by CRLF');
          i++;
          break;
        case 'data-lf':
          if (buf[i] !== 0x0a) return this.fail(i, 'http.bad-chunk-terminator', 'chunk data not followed by CRLF');
          this.resetSize();
          i++;
          break;
        case 'trailer': {
          let j = i;
          while (j < end && buf[j] !== 0x0a) j++;
          const take = (j < end ? j + 1 : j) - i;
          if (this.trailerLen + take > MAX_TRAILER_BYTES) {
            // At the first byte past the cap, so the error is the same wherever TCP split the trailers.
            return this.fail(i + (MAX_TRAILER_BYTES - this.trailerLen), 'http.trailers-too-large', `trailer section over ${MAX_TRAILER_BYTES} bytes`);
          }
          this.appendTrailer(buf, i, i + take);
          i += take;
          if (j < end) {
            const lineLen = this.trailerLen - this.trailerLineStart;
            const empty = lineLen === 1 || (lineLen === 2 && this.trailer[this.trailerLineStart] === 0x0d);
            this.trailerLineStart = this.trailerLen;
            if (empty) {
              this.state = 'done';
              return { next: i, done: true };
            }
          }
          break;
        }
        case 'done':
          return { next: i, done: true };
      }
    }
    return { next: i, done: this.state === 'done' };
  }

  private sizeLineDone(): void {
    if (this.size === 0) {
      this.state = 'trailer';
    } else {
      this.remaining = this.size;
      this.state = 'data';
    }
  }

  private resetSize(): void {
    this.state = 'size';
    this.size = 0;
    this.digits = 0;
    this.significant = 0;
    this.lineLen = 0;
  }

  private fail(at: number, code: string, detail: string): ChunkedStep {
    return { next: at, done: false, error: { code, at, detail } };
  }

  private appendTrailer(buf: Uint8Array, from: number, to: number): void {
    const need = this.trailerLen + (to - from);
    if (need > this.trailer.length) {
      const grown = new Uint8Array(Math.min(MAX_TRAILER_BYTES, Math.max(need, this.trailer.length * 2, 256)));
      grown.set(this.trailer.subarray(0, this.trailerLen));
      this.trailer = grown;
    }
    this.trailer.set(buf.subarray(from, to), this.trailerLen);
    this.trailerLen = need;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}
