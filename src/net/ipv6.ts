// IPv6 header (RFC 8200 section 3) and its extension header chain (section 4):
// hop-by-hop options (0), routing (43), fragment (44), destination options
// (60) and the authentication header (51, RFC 4302, whose length counts 4-byte
// words minus 2). ESP (50) encrypts what follows, so the walk stops there and
// reports ESP as the protocol with an opaque payload. Jumbograms (payload
// length 0 with a jumbo option) are not supported and stop the frame.
import { decodeError, fail, ok, type Decoded, type DecodeError } from './decode-error.js';
import { formatIpv6 } from './address.js';
import type { IpDecoded } from './ipv4.js';

export const IPV6_HEADER_LENGTH = 40;

export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;

/** More extension headers than any sane packet carries; the walk stops here (bounded loop). */
export const MAX_EXTENSION_HEADERS = 16;

/** The fragment header's fields, when one was met. */
export interface Ipv6Fragment {
  offset: number;
  moreFragments: boolean;
  id: number;
}

/** Where the extension header walk ended. */
export interface ExtensionWalk {
  /** The upper-layer protocol (or ESP / no-next-header, which end the walk). */
  protocol: number;
  /** Absolute offset of the upper-layer data. */
  payloadOffset: number;
  fragment?: Ipv6Fragment;
}

/** True for the extension header types the walk steps over. */
export function isIpv6Extension(nextHeader: number): boolean {
  return (
    nextHeader === IPPROTO_HOPOPTS ||
    nextHeader === IPPROTO_ROUTING ||
    nextHeader === IPPROTO_FRAGMENT ||
    nextHeader === IPPROTO_DSTOPTS ||
    nextHeader === IPPROTO_AH
  );
}

/**
 * Walk extension headers from `offset` (bounded by `end`), starting with
 * `nextHeader`. Also used on a reassembled datagram, whose fragmentable part
 * may begin with destination options.
 */
export function walkIpv6Extensions(
  data: Uint8Array,
  offset: number,
  end: number,
  nextHeader: number,
): Decoded<ExtensionWalk> {
  let nh = nextHeader;
  let off = offset;
  let fragment: Ipv6Fragment | undefined;
  for (let n = 0; isIpv6Extension(nh); n++) {
    if (n === MAX_EXTENSION_HEADERS) {
      return fail(
        decodeError('ipv6', 'ipv6.too-many-extension-headers', off, {
          detail: `more than ${MAX_EXTENSION_HEADERS} extension headers`,
        }),
      );
    }
    if (end - off < 8) {
      return fail(extensionShort(off, 8, end - off, 'slice'));
    }
    let len: number;
    if (nh === IPPROTO_FRAGMENT) {
      // RFC 8200 section 4.5: fixed 8 bytes; offset in 8-byte units in the top 13 bits.
      if (fragment !== undefined) {
        return fail(decodeError('ipv6', 'ipv6.duplicate-fragment-header', off));
      }
      const offFlags = (data[off + 2] << 8) | data[off + 3];
      fragment = {
        offset: (offFlags >> 3) * 8,
        moreFragments: (offFlags & 1) !== 0,
        id: data[off + 4] * 0x1000000 + ((data[off + 5] << 16) | (data[off + 6] << 8) | data[off + 7]),
      };
      len = 8;
    } else if (nh === IPPROTO_AH) {
      len = (data[off + 1] + 2) * 4;
    } else {
      len = (data[off + 1] + 1) * 8;
    }
    if (len > end - off) {
      return fail(extensionShort(off, len, end - off, `ipv6.ext-${nh}-length`));
    }
    nh = data[off];
    off += len;
    // Beyond the fragment header of a real fragment lies fragment data, even
    // in the first fragment (which may hold more extension headers of the
    // fragmentable part): the walk stops, and the reassembled datagram is
    // walked again from its start.
    if (fragment !== undefined && (fragment.offset !== 0 || fragment.moreFragments)) break;
  }
  return ok({ protocol: nh, payloadOffset: off, fragment });
}

function extensionShort(offset: number, required: number, available: number, lenSource: string): DecodeError {
  return decodeError('ipv6', 'ipv6.extension-header-too-short', offset, {
    required,
    available: Math.max(0, available),
    lenSource,
  });
}

/** Decode the IPv6 header at `offset` and its extension headers; `end` bounds the bytes used. */
export function decodeIpv6(data: Uint8Array, offset: number, end: number = data.length): Decoded<IpDecoded> {
  const available = end - offset;
  if (available < IPV6_HEADER_LENGTH) {
    return fail(
      decodeError('ipv6', 'ipv6.header-too-short', offset, {
        required: IPV6_HEADER_LENGTH,
        available: Math.max(0, available),
        lenSource: 'slice',
      }),
    );
  }
  if (data[offset] >> 4 !== 6) {
    return fail(decodeError('ipv6', 'ipv6.bad-version', offset, { detail: `version ${data[offset] >> 4}` }));
  }
  const payloadLen = (data[offset + 4] << 8) | data[offset + 5];
  const nextHeader = data[offset + 6];
  if (payloadLen === 0 && nextHeader === IPPROTO_HOPOPTS) {
    return fail(
      decodeError('ipv6', 'ipv6.jumbogram-unsupported', offset + 4, {
        detail: 'payload length 0 with hop-by-hop options (RFC 2675 jumbogram)',
      }),
    );
  }
  const truncated = payloadLen > available - IPV6_HEADER_LENGTH;
  const payloadEnd = truncated ? end : offset + IPV6_HEADER_LENGTH + payloadLen;
  const walk = walkIpv6Extensions(data, offset + IPV6_HEADER_LENGTH, payloadEnd, nextHeader);
  if (!walk.ok) return walk;
  const { protocol, payloadOffset, fragment } = walk.value;
  const headerLength = payloadOffset - offset;
  return ok({
    header: {
      version: 6,
      src: formatIpv6(data, offset + 8),
      dst: formatIpv6(data, offset + 24),
      protocol,
      ttl: data[offset + 7],
      headerLength,
      payloadLength: Math.max(0, IPV6_HEADER_LENGTH + payloadLen - headerLength),
      id: fragment?.id,
    },
    payloadOffset,
    payloadEnd,
    fragmentOffset: fragment?.offset ?? 0,
    moreFragments: fragment?.moreFragments ?? false,
    // RFC 8200 section 4.5: even an "atomic" fragment (offset 0, M=0) has a
    // fragment header; it is a complete datagram and needs no reassembly.
    isFragment: fragment !== undefined && (fragment.offset !== 0 || fragment.moreFragments),
    truncated,
    trailer: truncated ? 0 : available - IPV6_HEADER_LENGTH - payloadLen,
  });
}
