// Where things sit in one captured packet, for the ticket export: the link
// addresses, the IP header, the transport header and payload. The analysis
// pipeline decodes to values; the export needs byte offsets, to pick packets
// by connection and to rewrite addresses in place. Bounded: every offset is
// checked against the captured length, and bad bytes give `undefined` fields,
// never a throw.
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_OLD_12,
  LINKTYPE_RAW_OLD_14,
} from '../net/link-types.js';
import { formatIpv4, formatIpv6 } from '../net/address.js';

export interface PacketLayout {
  /** Offsets of 6-byte MAC addresses in the link header. */
  macs: number[];
  /** Whether the link type is one this walker knows (else nothing below is set). */
  known: boolean;
  ip?: {
    version: 4 | 6;
    offset: number;
    headerLength: number;
    /** Offsets of the source and destination address. */
    src: number;
    dst: number;
    /** One past the datagram's last captured byte (excludes link padding). */
    end: number;
    protocol: number;
    /** A fragment (IPv4 MF or offset, IPv6 fragment header). */
    fragment: boolean;
    /** The first fragment of a datagram (or no fragment): it holds the transport header. */
    firstFragment: boolean;
  };
  transport?: {
    protocol: 6 | 17;
    offset: number;
    srcPort: number;
    dstPort: number;
    /** Offset of the checksum field. */
    checksum: number;
    payload: number;
  };
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TPIDS = new Set([0x8100, 0x88a8, 0x9100]);
const IPV6_EXTENSIONS = new Set([0, 43, 60]);
const IPV6_FRAGMENT = 44;

function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

/** Where the network layer starts and which one it is, per link type. */
function linkLayer(b: Uint8Array, linkType: number, macs: number[]): { offset: number; version?: 4 | 6 } | undefined {
  const byEtherType = (t: number): 4 | 6 | undefined => (t === ETHERTYPE_IPV4 ? 4 : t === ETHERTYPE_IPV6 ? 6 : undefined);
  const byNibble = (o: number): 4 | 6 | undefined => (b.length > o ? (b[o] >> 4 === 4 ? 4 : b[o] >> 4 === 6 ? 6 : undefined) : undefined);
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (b.length < 14) return undefined;
      macs.push(0, 6);
      let o = 12;
      let t = u16(b, o);
      while (VLAN_TPIDS.has(t) && o + 6 <= b.length) {
        o += 4;
        t = u16(b, o);
      }
      return { offset: o + 2, version: byEtherType(t) };
    }
    case LINKTYPE_LINUX_SLL: {
      if (b.length < 16) return undefined;
      if (u16(b, 4) === 6) macs.push(6);
      return { offset: 16, version: byEtherType(u16(b, 14)) };
    }
    case LINKTYPE_LINUX_SLL2: {
      if (b.length < 20) return undefined;
      if (b[11] === 6) macs.push(12);
      return { offset: 20, version: byEtherType(u16(b, 0)) };
    }
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (b.length < 4) return undefined;
      return { offset: 4, version: byNibble(4) };
    }
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_OLD_12:
    case LINKTYPE_RAW_OLD_14:
      return { offset: 0, version: byNibble(0) };
    case LINKTYPE_IPV4:
      return { offset: 0, version: 4 };
    case LINKTYPE_IPV6:
      return { offset: 0, version: 6 };
    default:
      return undefined;
  }
}

/** Offsets of the layers of one packet; never throws. */
export function packetLayout(b: Uint8Array, linkType: number): PacketLayout {
  const macs: number[] = [];
  const link = linkLayer(b, linkType, macs);
  if (!link) return { macs: [], known: false };
  const out: PacketLayout = { macs, known: true };
  const o = link.offset;
  if (link.version === 4 && b.length >= o + 20 && b[o] >> 4 === 4) {
    const hl = (b[o] & 15) * 4;
    const total = u16(b, o + 2);
    if (hl < 20 || b.length < o + hl) return out;
    const flags = u16(b, o + 6);
    const fragOffset = flags & 0x1fff;
    const more = (flags & 0x2000) !== 0;
    out.ip = {
      version: 4,
      offset: o,
      headerLength: hl,
      src: o + 12,
      dst: o + 16,
      end: Math.min(b.length, o + Math.max(total, hl)),
      protocol: b[o + 9],
      fragment: more || fragOffset !== 0,
      firstFragment: fragOffset === 0,
    };
  } else if (link.version === 6 && b.length >= o + 40 && b[o] >> 4 === 6) {
    let next = b[o + 6];
    let p = o + 40;
    let fragment = false;
    let firstFragment = true;
    // Extension headers (RFC 8200 section 4): walk at most a few, bounded by the bytes.
    for (let i = 0; i < 8 && (IPV6_EXTENSIONS.has(next) || next === IPV6_FRAGMENT); i++) {
      if (p + 8 > b.length) return out;
      if (next === IPV6_FRAGMENT) {
        fragment = true;
        firstFragment = (u16(b, p + 2) & 0xfff8) === 0;
        next = b[p];
        p += 8;
      } else {
        const len = (b[p + 1] + 1) * 8;
        next = b[p];
        p += len;
      }
    }
    if (p > b.length) return out;
    out.ip = {
      version: 6,
      offset: o,
      headerLength: p - o,
      src: o + 8,
      dst: o + 24,
      end: Math.min(b.length, o + 40 + u16(b, o + 4)),
      protocol: next,
      fragment,
      firstFragment,
    };
  }
  const ip = out.ip;
  if (!ip || !ip.firstFragment) return out;
  const t = ip.offset + ip.headerLength;
  if (ip.protocol === 6 && t + 20 <= ip.end) {
    const hl = (b[t + 12] >> 4) * 4;
    if (hl >= 20) out.transport = { protocol: 6, offset: t, srcPort: u16(b, t), dstPort: u16(b, t + 2), checksum: t + 16, payload: Math.min(t + hl, ip.end) };
  } else if (ip.protocol === 17 && t + 8 <= ip.end) {
    out.transport = { protocol: 17, offset: t, srcPort: u16(b, t), dstPort: u16(b, t + 2), checksum: t + 6, payload: t + 8 };
  }
  return out;
}

/** Text of the address at `off` (dotted quad, or RFC 5952). */
export function addressText(b: Uint8Array, off: number, version: 4 | 6): string {
  return version === 4 ? formatIpv4(b, off) : formatIpv6(b, off);
}

/** A connection key that is the same in both directions: `6|a|pa|b|pb` with the lower endpoint first. */
export function conversationKey(protocol: number, a: string, pa: number, b: string, pb: number): string {
  const x = `${a}|${pa}`;
  const y = `${b}|${pb}`;
  return x < y ? `${protocol}|${x}|${y}` : `${protocol}|${y}|${x}`;
}

/** The conversation key of a packet, when it has a TCP or UDP header. */
export function packetConversation(b: Uint8Array, l: PacketLayout): string | undefined {
  if (!l.ip || !l.transport) return undefined;
  const len = l.ip.version === 4 ? 4 : 16;
  if (l.ip.dst + len > b.length) return undefined;
  return conversationKey(l.transport.protocol, addressText(b, l.ip.src, l.ip.version), l.transport.srcPort, addressText(b, l.ip.dst, l.ip.version), l.transport.dstPort);
}
