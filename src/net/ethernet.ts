// Ethernet II framing (IEEE 802.3 clause 3 with the DIX type field): six bytes
// destination, six bytes source, two bytes EtherType. A value below 0x0600 in
// the type position is an 802.3 length followed by an LLC header, which never
// carries the IP we look for here, so it is reported as such, not decoded.
import { decodeError, fail, ok, type Decoded } from './decode-error.js';
import { formatMac48 } from './address.js';

export const ETHERNET_HEADER_LENGTH = 14;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_QINQ = 0x88a8;
/** Pre-standard QinQ outer tag some switches still send. */
export const ETHERTYPE_QINQ_OLD = 0x9100;
/** Type-field values below this are 802.3 lengths (IEEE 802.3 clause 3.2.6). */
export const ETHERTYPE_MIN = 0x0600;

export interface EthernetHeader {
  dst: string;
  src: string;
  /** The EtherType, or the 802.3 length when `llc` is set. */
  etherType: number;
  /** True for an 802.3 frame with a length field (LLC follows, not an EtherType). */
  llc: boolean;
  /** Absolute offset of the first byte after the header. */
  payloadOffset: number;
}

/** Decode the Ethernet header at `offset` of `data`. Offsets in errors are absolute. */
export function decodeEthernet(data: Uint8Array, offset: number): Decoded<EthernetHeader> {
  const available = data.length - offset;
  if (available < ETHERNET_HEADER_LENGTH) {
    return fail(
      decodeError('link', 'ethernet.header-too-short', offset, {
        required: ETHERNET_HEADER_LENGTH,
        available: Math.max(0, available),
        lenSource: 'slice',
      }),
    );
  }
  const type = (data[offset + 12] << 8) | data[offset + 13];
  return ok({
    dst: formatMac48(data, offset),
    src: formatMac48(data, offset + 6),
    etherType: type,
    llc: type < ETHERTYPE_MIN,
    payloadOffset: offset + ETHERNET_HEADER_LENGTH,
  });
}
