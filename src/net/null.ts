// BSD loopback encapsulations: LINKTYPE_NULL puts the sender's AF_ value in a
// 4-byte field in the *capturing host's* byte order, so a file from a
// big-endian machine differs from one from a little-endian machine; LINKTYPE_LOOP
// (OpenBSD) always writes it big-endian. AF_INET is 2 everywhere, AF_INET6 is
// 24 (NetBSD, OpenBSD), 28 (FreeBSD) or 30 (macOS), so all three are accepted.
// See https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html.
import { decodeError, fail, ok, type Decoded } from './decode-error.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet.js';
import type { LinkHeader } from './packet.js';

export const NULL_HEADER_LENGTH = 4;

export const AF_INET = 2;
export const AF_INET6_BSD = 24;
export const AF_INET6_FREEBSD = 28;
export const AF_INET6_DARWIN = 30;

/** The EtherType for an address family, or undefined for one we do not decode. */
export function familyToEtherType(family: number): number | undefined {
  switch (family) {
    case AF_INET:
      return ETHERTYPE_IPV4;
    case AF_INET6_BSD:
    case AF_INET6_FREEBSD:
    case AF_INET6_DARWIN:
      return ETHERTYPE_IPV6;
    default:
      return undefined;
  }
}

export interface NullResult {
  link: LinkHeader;
  /** The address family found in the header. */
  family: number;
  /** The mapped EtherType, undefined when the family is not IPv4 or IPv6. */
  etherType: number | undefined;
  payloadOffset: number;
}

function readHeader(
  data: Uint8Array,
  offset: number,
  kind: 'null' | 'loop',
  family: number,
): Decoded<NullResult> {
  const etherType = familyToEtherType(family);
  return ok({
    link: { kind, etherType, family },
    family,
    etherType,
    payloadOffset: offset + NULL_HEADER_LENGTH,
  });
}

function tooShort(data: Uint8Array, offset: number, code: string): Decoded<NullResult> {
  return fail(
    decodeError('link', code, offset, {
      required: NULL_HEADER_LENGTH,
      available: Math.max(0, data.length - offset),
      lenSource: 'slice',
    }),
  );
}

/** LINKTYPE_NULL: family in either byte order (families are small, so the order with the high bytes zero wins). */
export function decodeNull(data: Uint8Array, offset: number): Decoded<NullResult> {
  if (data.length - offset < NULL_HEADER_LENGTH) return tooShort(data, offset, 'null.header-too-short');
  const b0 = data[offset];
  const b1 = data[offset + 1];
  const b2 = data[offset + 2];
  const b3 = data[offset + 3];
  // Written by a little-endian host, a small family has its two high bytes
  // last and zero; written big-endian, they come first.
  const family =
    b2 === 0 && b3 === 0 && (b0 !== 0 || b1 !== 0)
      ? b0 | (b1 << 8)
      : ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
  return readHeader(data, offset, 'null', family);
}

/** LINKTYPE_LOOP: family always big-endian. */
export function decodeLoop(data: Uint8Array, offset: number): Decoded<NullResult> {
  if (data.length - offset < NULL_HEADER_LENGTH) return tooShort(data, offset, 'loop.header-too-short');
  const family =
    ((data[offset] << 24) | (data[offset + 1] << 16) | (data[offset + 2] << 8) | data[offset + 3]) >>> 0;
  return readHeader(data, offset, 'loop', family);
}
