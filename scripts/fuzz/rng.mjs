// A small seeded PRNG (mulberry32) so every fuzz case is a pure function of
// (run seed, case number): a case that crashes or hangs can be remade exactly.

/** Mix two 32-bit numbers into one seed (splitmix-style finaliser). */
export function mix(a, b) {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ (b >>> 0)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a over bytes: a seed derived from an input, for input-determined choices. */
export function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h;
}

export class Rng {
  constructor(seed) {
    this.s = seed >>> 0;
  }
  u32() {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Integer in [0, n). */
  int(n) {
    return n <= 0 ? 0 : Math.floor((this.u32() / 0x1_0000_0000) * n);
  }
  /** Integer in [lo, hi]. */
  range(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }
  chance(p) {
    return this.u32() / 0x1_0000_0000 < p;
  }
  pick(arr) {
    return arr[this.int(arr.length)];
  }
  /** A small size, skewed towards small values (most interesting bugs need few bytes). */
  small(max) {
    const r = this.u32() / 0x1_0000_0000;
    return Math.floor(r * r * r * max) + 1;
  }
}
