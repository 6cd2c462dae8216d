// Which worker thread owns a capture record, read from its raw bytes before
// any decoding, so that a thread skips the others' frames for the price of a
// few byte reads. Every frame of one TCP connection must land on the same
// thread, so the shard is a hash of the 4-tuple that gives the same answer in
// both directions.
//
// Only the plain case is recognised: Ethernet, up to two VLAN tags, IPv4, an
// unfragmented TCP segment. Anything else answers UNSHARDED and goes to
// shard 0, which decodes it fully; if such a frame turns out to be TCP after
// all (IPv6, a fragment reassembled into TCP, another link type), the sharded
// run cannot promise the single-threaded result and is thrown away (see
// analyze-sharded.ts). DNS over TCP stays on shard 0 with the rest of DNS and
// DHCP, so the discovery facts are all collected in one place.
import type { CaptureRecord } from '../capture/source.js';

/** The record is not a plain Ethernet/IPv4/TCP segment: shard 0 takes it. */
export const UNSHARDED = -1;

const LINKTYPE_ETHERNET = 1;
const ETHERTYPE_IPV4 = 0x0800;
const IPPROTO_TCP = 6;
const DNS_PORT = 53;

function isVlanTag(type: number): boolean {
  // 802.1Q, 802.1ad (QinQ service tag), and the pre-standard QinQ tag.
  return type === 0x8100 || type === 0x88a8 || type === 0x9100;
}

/** The shard (0 to count-1) of a record, or UNSHARDED. */
export function shardOf(rec: CaptureRecord, count: number): number {
  if (rec.linkType !== LINKTYPE_ETHERNET) return UNSHARDED;
  const d = rec.data;
  if (d.length < 14) return UNSHARDED;
  let typeAt = 12;
  let type = (d[12] << 8) | d[13];
  for (let tags = 0; tags < 2 && isVlanTag(type); tags++) {
    typeAt += 4;
    if (d.length < typeAt + 2) return UNSHARDED;
    type = (d[typeAt] << 8) | d[typeAt + 1];
  }
  if (type !== ETHERTYPE_IPV4) return UNSHARDED;
  const ip = typeAt + 2;
  if (d.length < ip + 20) return UNSHARDED;
  const versionIhl = d[ip];
  const ihl = (versionIhl & 0x0f) * 4;
  if (versionIhl >> 4 !== 4 || ihl < 20 || d[ip + 9] !== IPPROTO_TCP) return UNSHARDED;
  // More-fragments flag or a fragment offset: the ports may not be in this frame.
  if (((d[ip + 6] & 0x3f) | d[ip + 7]) !== 0) return UNSHARDED;
  const tcp = ip + ihl;
  if (d.length < tcp + 4) return UNSHARDED;
  const srcPort = (d[tcp] << 8) | d[tcp + 1];
  const dstPort = (d[tcp + 2] << 8) | d[tcp + 3];
  if (srcPort === DNS_PORT || dstPort === DNS_PORT) return 0;
  const src = ((d[ip + 12] << 24) | (d[ip + 13] << 16) | (d[ip + 14] << 8) | d[ip + 15]) >>> 0;
  const dst = ((d[ip + 16] << 24) | (d[ip + 17] << 16) | (d[ip + 18] << 8) | d[ip + 19]) >>> 0;
  // XOR is the same whichever side sent the frame; the mixing spreads nearby addresses and ports.
  let h = (src ^ dst ^ Math.imul(srcPort ^ dstPort, 0x9e3779b1)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % count;
}
