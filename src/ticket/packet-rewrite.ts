// Rewrites one packet for a redacted ticket: link MACs, IP addresses and the
// identifiers inside the payload are replaced by their pseudonyms, byte for
// byte, then the IPv4 header checksum and the TCP/UDP checksum are adjusted.
//
// Checksums are adjusted, not recomputed (RFC 1624 section 3: HC' = ~(~HC +
// ~m + m')): a checksum that was right stays right and one that was wrong
// (checksum offload on the capturing host) stays wrong by the same amount, and
// a packet cut by the snap length still gets a true checksum, because only the
// changed bytes enter the sum.
import type { Redactor } from '../report/redact.js';
import { packetLayout } from './packet-layout.js';

export type RewriteResult = { ok: true; checksumsKept: boolean } | { ok: false; reason: string };

/** One's complement sum of `b[from..to)` as 16-bit big-endian words, `odd` when `from` sits on an odd byte of the summed area. */
function sum16(b: Uint8Array, from: number, to: number, odd = false): number {
  let s = 0;
  let i = from;
  if (odd && i < to) s += b[i++];
  for (; i + 1 < to; i += 2) s += (b[i] << 8) | b[i + 1];
  if (i < to) s += b[i] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

function add1c(a: number, b: number): number {
  let s = a + b;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** New checksum field value after the summed bytes changed from sum `before` to sum `after`. */
function adjusted(field: number, before: number, after: number): number {
  // The field is ~S; S grows by (after - before), so the field grows by (before - after).
  return add1c(add1c(field, before), ~after & 0xffff);
}

function readU16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

/**
 * Redact `data` in place (the caller passes its own copy). Returns ok:false,
 * with nothing guaranteed about `data`, when the link type is one this export
 * cannot rewrite: such a packet must be left out.
 */
export function redactPacket(data: Uint8Array, linkType: number, r: Redactor): RewriteResult {
  const l = packetLayout(data, linkType);
  if (!l.known) return { ok: false, reason: `link type ${linkType} is not one the redacting export can rewrite` };
  for (const off of l.macs) if (off + 6 <= data.length) r.macBytesInPlace(data, off);
  const ip = l.ip;
  if (!ip) {
    // Not IP (ARP, LLC...): still no identifier may pass.
    r.bytesInPlace(data.subarray(Math.max(0, ...l.macs.map((m) => m + 6)), data.length));
    return { ok: true, checksumsKept: true };
  }
  const alen = ip.version === 4 ? 4 : 16;
  if (ip.dst + alen > data.length) {
    r.bytesInPlace(data.subarray(ip.offset));
    return { ok: true, checksumsKept: true };
  }
  const t = l.transport;
  // Sums before the change: the addresses (in the IP header and the transport pseudo-header) and the transport segment.
  const addrBefore = add1c(sum16(data, ip.src, ip.src + alen), sum16(data, ip.dst, ip.dst + alen));
  const segBefore = t ? sum16(data, t.offset, ip.end) : 0;
  r.ipBytesInPlace(data, ip.src, alen as 4 | 16);
  r.ipBytesInPlace(data, ip.dst, alen as 4 | 16);
  const addrAfter = add1c(sum16(data, ip.src, ip.src + alen), sum16(data, ip.dst, ip.dst + alen));

  if (ip.version === 4) {
    const c = ip.offset + 10;
    writeU16(data, c, adjusted(readU16(data, c), addrBefore, addrAfter));
  }
  const payloadFrom = t ? t.payload : ip.offset + ip.headerLength;
  r.bytesInPlace(data.subarray(Math.min(payloadFrom, ip.end), ip.end));
  // Link-layer padding after the datagram is not covered by any checksum.
  if (ip.end < data.length) r.bytesInPlace(data.subarray(ip.end));
  if (!t) return { ok: true, checksumsKept: !ip.fragment };
  if (ip.fragment) {
    // The transport checksum covers the whole datagram, spread over fragments: leave it.
    return { ok: true, checksumsKept: false };
  }
  const field = readU16(data, t.checksum);
  // UDP over IPv4 may carry no checksum at all (RFC 768): 0 stays 0.
  if (t.protocol === 17 && field === 0 && ip.version === 4) return { ok: true, checksumsKept: true };
  // The field itself did not change, so it cancels out between the two sums.
  const segAfter = sum16(data, t.offset, ip.end);
  let v = adjusted(field, add1c(addrBefore, segBefore), add1c(addrAfter, segAfter));
  if (t.protocol === 17 && v === 0) v = 0xffff;
  writeU16(data, t.checksum, v);
  return { ok: true, checksumsKept: true };
}

/** Internet checksum of bytes (for tests and callers that build packets). */
export function internetChecksum(b: Uint8Array, from = 0, to = b.length): number {
  return ~sum16(b, from, to) & 0xffff;
}
