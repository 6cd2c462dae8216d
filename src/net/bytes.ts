// Bounded reads over a Uint8Array (style habit 4, Wireshark's tvb): every read
// past the end returns undefined instead of throwing or reading garbage, so a
// decoder must look at what it got before using it. The free functions are
// what the per-packet decoders use (no object per read); ByteView wraps them
// for code that prefers a cursor-less object over one buffer.

/** One byte at `off`, or undefined past the end. */
export function u8(b: Uint8Array, off: number): number | undefined {
  return off >= 0 && off < b.length ? b[off] : undefined;
}

/** Big-endian (network order) 16-bit value at `off`, or undefined. */
export function u16be(b: Uint8Array, off: number): number | undefined {
  return off >= 0 && off + 2 <= b.length ? (b[off] << 8) | b[off + 1] : undefined;
}

/** Little-endian 16-bit value at `off`, or undefined. */
export function u16le(b: Uint8Array, off: number): number | undefined {
  return off >= 0 && off + 2 <= b.length ? b[off] | (b[off + 1] << 8) : undefined;
}

/** Big-endian unsigned 32-bit value at `off`, or undefined. */
export function u32be(b: Uint8Array, off: number): number | undefined {
  if (off < 0 || off + 4 > b.length) return undefined;
  // `* 2 ** 24` instead of `<< 24` keeps the value unsigned.
  return b[off] * 0x1000000 + ((b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]);
}

/** Little-endian unsigned 32-bit value at `off`, or undefined. */
export function u32le(b: Uint8Array, off: number): number | undefined {
  if (off < 0 || off + 4 > b.length) return undefined;
  return b[off + 3] * 0x1000000 + ((b[off + 2] << 16) | (b[off + 1] << 8) | b[off]);
}

/** A view of `len` bytes at `off` (no copy), or undefined when they are not all there. */
export function bytesAt(b: Uint8Array, off: number, len: number): Uint8Array | undefined {
  return off >= 0 && len >= 0 && off + len <= b.length ? b.subarray(off, off + len) : undefined;
}

/** Bounded reader over one buffer; all offsets are relative to the buffer given. */
export class ByteView {
  constructor(readonly bytes: Uint8Array) {}

  get length(): number {
    return this.bytes.length;
  }

  /** Bytes available from `off` to the end (0 past the end). */
  remaining(off: number): number {
    return off >= this.bytes.length || off < 0 ? 0 : this.bytes.length - off;
  }

  u8(off: number): number | undefined {
    return u8(this.bytes, off);
  }

  u16(off: number): number | undefined {
    return u16be(this.bytes, off);
  }

  u16le(off: number): number | undefined {
    return u16le(this.bytes, off);
  }

  u32(off: number): number | undefined {
    return u32be(this.bytes, off);
  }

  u32le(off: number): number | undefined {
    return u32le(this.bytes, off);
  }

  /** A subarray of `len` bytes at `off`, or undefined when they are not all there. */
  bytesAt(off: number, len: number): Uint8Array | undefined {
    return bytesAt(this.bytes, off, len);
  }

  /** A narrower view, clamped to this one (never past the end). */
  sub(start: number, end: number = this.bytes.length): ByteView {
    const s = Math.max(0, Math.min(start, this.bytes.length));
    const e = Math.max(s, Math.min(end, this.bytes.length));
    return new ByteView(this.bytes.subarray(s, e));
  }
}
