// Text forms of link and network addresses, as analysts type them into
// Wireshark filters: MAC as lower-case colon hex, IPv4 as a dotted quad and
// IPv6 in the RFC 5952 canonical form.

// Constant tables per byte value (not caches of results): they spare the
// per-packet number-to-string conversions.
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16));
const DEC: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** `len` bytes at `off` as `aa:bb:cc:...`; the caller has checked the bounds. */
export function formatMac(b: Uint8Array, off: number, len = 6): string {
  let s = HEX2[b[off]];
  for (let i = 1; i < len; i++) s += ':' + HEX2[b[off + i]];
  return s;
}

// The same kind of cache for 6-byte MACs (keyed by the top 16 and low 32 bits):
// every Ethernet frame names two, and they are few and repeat.
const MAC_SLOTS = 1024;
const macHi = new Int32Array(MAC_SLOTS);
const macLo = new Int32Array(MAC_SLOTS);
const macText: Array<string | undefined> = new Array<string | undefined>(MAC_SLOTS).fill(undefined);

/** Six bytes at `off` as `aa:bb:cc:dd:ee:ff`, from the cache when seen before; the caller has checked the bounds. */
export function formatMac48(b: Uint8Array, off: number): string {
  const hi = (b[off] << 8) | b[off + 1];
  const lo = (b[off + 2] << 24) | (b[off + 3] << 16) | (b[off + 4] << 8) | b[off + 5];
  const slot = (lo ^ (lo >>> 10) ^ (lo >>> 20) ^ hi) & (MAC_SLOTS - 1);
  const hit = macText[slot];
  if (hit !== undefined && macLo[slot] === lo && macHi[slot] === hi) return hit;
  const s = formatMac(b, off, 6);
  macHi[slot] = hi;
  macLo[slot] = lo;
  macText[slot] = s;
  return s;
}

// A small direct-mapped cache of dotted quads by numeric value. A capture
// names few addresses over and over; reusing the same string object spares
// building it per packet and lets later Map lookups reuse its cached hash.
// Bounded (a slot is overwritten on collision), so it cannot grow.
const V4_SLOTS = 4096;
const v4Keys = new Int32Array(V4_SLOTS);
const v4Text: Array<string | undefined> = new Array<string | undefined>(V4_SLOTS).fill(undefined);

/** Four bytes at `off` as a dotted quad; the caller has checked the bounds. */
export function formatIpv4(b: Uint8Array, off: number): string {
  const v = (b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3];
  const slot = (v ^ (v >>> 12) ^ (v >>> 24)) & (V4_SLOTS - 1);
  const hit = v4Text[slot];
  if (hit !== undefined && v4Keys[slot] === v) return hit;
  const s = DEC[b[off]] + '.' + DEC[b[off + 1]] + '.' + DEC[b[off + 2]] + '.' + DEC[b[off + 3]];
  v4Keys[slot] = v;
  v4Text[slot] = s;
  return s;
}

/**
 * Sixteen bytes at `off` in RFC 5952 form: lower case, no leading zeros, the
 * longest run of two or more zero groups (the first, on a tie) shown as `::`
 * (section 4.2), and IPv4-mapped addresses as `::ffff:a.b.c.d` (section 5).
 * The caller has checked the bounds.
 */
export function formatIpv6(b: Uint8Array, off: number): string {
  // IPv4-mapped: 80 zero bits, then 0xffff.
  let mapped = b[off + 10] === 0xff && b[off + 11] === 0xff;
  for (let i = 0; mapped && i < 10; i++) if (b[off + i] !== 0) mapped = false;
  if (mapped) return '::ffff:' + formatIpv4(b, off + 12);

  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed (section 4.2.2)
  let runStart = -1;
  for (let g = 0; g < 8; g++) {
    const zero = b[off + 2 * g] === 0 && b[off + 2 * g + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
      const len = g - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  let s = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      s += g === 0 ? '::' : ':';
      g += bestLen - 1;
      continue;
    }
    const hi = b[off + 2 * g];
    s += hi === 0 ? HEX[b[off + 2 * g + 1]] : HEX[hi] + HEX2[b[off + 2 * g + 1]];
    if (g < 7) s += ':';
  }
  return s;
}
