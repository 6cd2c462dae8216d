// One key for both directions of a TCP connection: the two endpoints in a
// fixed order, so A->B and B->A find the same flow. Built once per segment,
// so it is a plain string concatenation with no allocation beyond the key.

/** A canonical 4-tuple key: the same string whichever endpoint sent the segment. */
export function flowKey(srcIp: string, srcPort: number, dstIp: string, dstPort: number): string {
  // Addresses are text (dotted quad or RFC 5952), which never contain a space.
  if (srcIp < dstIp || (srcIp === dstIp && srcPort <= dstPort)) {
    return `${srcIp} ${srcPort} ${dstIp} ${dstPort}`;
  }
  return `${dstIp} ${dstPort} ${srcIp} ${srcPort}`;
}
