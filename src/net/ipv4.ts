// IPv4 header (RFC 791 section 3.1). The decoder is lax about what capture
// tools do to frames: a total length longer than the captured bytes is what a
// snap length does, so decoding goes on with what is there; a total length
// shorter than the frame is Ethernet padding (minimum frame 60 bytes), which
// is trimmed off. Options are skipped, not interpreted. The checksum is not
// verified: captures taken on the sending host carry offloaded, unfinished ones.
import { decodeError, fail, ok, type Decoded } from './decode-error.js';
import { formatIpv4 } from './address.js';
import type { IpHeader } from './packet.js';

export const IPV4_MIN_HEADER_LENGTH = 20;

/** What an IP decoder (v4 or v6) hands the next layer. */
export interface IpDecoded {
  header: IpHeader;
  /** Absolute offset of the upper-layer payload (after options or extension headers). */
  payloadOffset: number;
  /** Absolute end of the payload in the captured bytes: trimmed to the IP length, never past the data. */
  payloadEnd: number;
  /** Fragment offset in bytes and the more-fragments flag (0/false for an unfragmented datagram). */
  fragmentOffset: number;
  moreFragments: boolean;
  /** True for a fragment: offset > 0 or more fragments follow (or, in IPv6, any fragment header). */
  isFragment: boolean;
  /** Captured bytes fall short of the length the header claims. */
  truncated: boolean;
  /** Bytes after the IP length in the frame (link padding or trailer). */
  trailer: number;
}

/** Decode the IPv4 header at `offset`; `end` bounds the bytes it may use (default: all of data). */
export function decodeIpv4(data: Uint8Array, offset: number, end: number = data.length): Decoded<IpDecoded> {
  const available = end - offset;
  if (available < IPV4_MIN_HEADER_LENGTH) {
    return fail(
      decodeError('ipv4', 'ipv4.header-too-short', offset, {
        required: IPV4_MIN_HEADER_LENGTH,
        available: Math.max(0, available),
        lenSource: 'slice',
      }),
    );
  }
  const vihl = data[offset];
  if (vihl >> 4 !== 4) {
    return fail(decodeError('ipv4', 'ipv4.bad-version', offset, { detail: `version ${vihl >> 4}` }));
  }
  const headerLength = (vihl & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER_LENGTH) {
    return fail(
      decodeError('ipv4', 'ipv4.bad-ihl', offset, {
        required: IPV4_MIN_HEADER_LENGTH,
        available: headerLength,
        lenSource: 'ipv4.ihl',
        detail: `IHL ${vihl & 0x0f} is below 5`,
      }),
    );
  }
  if (headerLength > available) {
    return fail(
      decodeError('ipv4', 'ipv4.header-too-short', offset, {
        required: headerLength,
        available,
        lenSource: 'ipv4.ihl',
      }),
    );
  }
  const totalLength = (data[offset + 2] << 8) | data[offset + 3];
  if (totalLength < headerLength) {
    return fail(
      decodeError('ipv4', 'ipv4.bad-total-length', offset + 2, {
        required: headerLength,
        available: totalLength,
        lenSource: 'ipv4.total-length',
        detail: `total length ${totalLength} is less than the header length ${headerLength}`,
      }),
    );
  }
  const id = (data[offset + 4] << 8) | data[offset + 5];
  const flagsFrag = (data[offset + 6] << 8) | data[offset + 7];
  const moreFragments = (flagsFrag & 0x2000) !== 0;
  const fragmentOffset = (flagsFrag & 0x1fff) * 8;
  const truncated = totalLength > available;
  const payloadEnd = offset + (truncated ? available : totalLength);
  return ok({
    header: {
      version: 4,
      src: formatIpv4(data, offset + 12),
      dst: formatIpv4(data, offset + 16),
      protocol: data[offset + 9],
      ttl: data[offset + 8],
      headerLength,
      payloadLength: totalLength - headerLength,
      id,
    },
    payloadOffset: offset + headerLength,
    payloadEnd,
    fragmentOffset,
    moreFragments,
    isFragment: moreFragments || fragmentOffset !== 0,
    truncated,
    trailer: truncated ? 0 : available - totalLength,
  });
}

