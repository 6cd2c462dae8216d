// TCP sequence numbers are unsigned 32-bit counters that wrap (RFC 9293 §3.4):
// two of them compare by their signed difference mod 2^32, which is meaningful
// while they are less than 2^31 apart. The reassembler works in stream offsets
// instead (plain JS numbers, exact to 2^53), so flows longer than 4 GiB and
// flows whose ISN sits just below 2^32 need no special cases above this file.

/** 2^32: the size of the sequence space. */
export const SEQ_SPACE = 0x1_0000_0000;

/** `seq + n` mod 2^32, for any integer n (negative, or larger than 2^32). */
export function seqAdd(seq: number, n: number): number {
  // The common case (a sequence number plus a distance under 2^32) without the two float remainders.
  if (seq >= 0 && seq < SEQ_SPACE && n >= 0 && n < SEQ_SPACE) {
    const sum = seq + n;
    return sum >= SEQ_SPACE ? sum - SEQ_SPACE : sum;
  }
  const r = (seq + (n % SEQ_SPACE)) % SEQ_SPACE;
  return r < 0 ? r + SEQ_SPACE : r;
}

/** The signed distance `a - b` mod 2^32, in [-2^31, 2^31). */
export function seqDiff(a: number, b: number): number {
  // ToInt32 reduces mod 2^32 into the signed range: exactly the RFC 1982 rule.
  return (a - b) | 0;
}

export function seqLt(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

export function seqLeq(a: number, b: number): boolean {
  return seqDiff(a, b) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

export function seqGeq(a: number, b: number): boolean {
  return seqDiff(a, b) >= 0;
}

/**
 * The stream offset of `seq`, given the sequence number of offset 0 (`base`)
 * and an offset it is known to be near (`near`, usually the next expected
 * byte). Picks the candidate within 2^31 of `near`, so the result keeps
 * growing past 2^32 instead of wrapping back to 0.
 */
export function unwrapSeq(seq: number, base: number, near: number): number {
  return near + seqDiff(seq, seqAdd(base, near));
}

/** The sequence number of stream offset `offset`: the inverse of unwrapSeq. */
export function offsetToSeq(offset: number, base: number): number {
  return seqAdd(base, offset);
}
