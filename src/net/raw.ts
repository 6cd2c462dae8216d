// Raw IP link types (LINKTYPE_RAW 101 and the old 12/14, LINKTYPE_IPV4 228,
// LINKTYPE_IPV6 229): no link header, the packet starts with the IP header and
// its version nibble tells v4 from v6.
import { decodeError, fail, ok, type Decoded } from './decode-error.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet.js';
import type { LinkHeader } from './packet.js';

export interface RawResult {
  link: LinkHeader;
  etherType: number;
  payloadOffset: number;
}

/** Pick IPv4 or IPv6 from the version nibble of the first byte. */
export function decodeRaw(data: Uint8Array, offset: number): Decoded<RawResult> {
  if (offset >= data.length) {
    return fail(decodeError('link', 'raw.empty', offset, { required: 1, available: 0, lenSource: 'slice' }));
  }
  const version = data[offset] >> 4;
  const etherType = version === 4 ? ETHERTYPE_IPV4 : version === 6 ? ETHERTYPE_IPV6 : undefined;
  if (etherType === undefined) {
    return fail(
      decodeError('link', 'raw.bad-ip-version', offset, { detail: `IP version nibble ${version}` }),
    );
  }
  return ok({ link: { kind: 'raw', etherType }, etherType, payloadOffset: offset });
}
