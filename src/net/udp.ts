// UDP header (RFC 768): ports, a length that covers header and data, and a
// checksum that is not verified (offloaded on the capturing host). The UDP
// length, not the IP length, bounds the payload when it is the smaller one.
import { decodeError, fail, ok, type Decoded, type DecodeError } from './decode-error.js';
import type { UdpDatagram } from './packet.js';

export const UDP_HEADER_LENGTH = 8;

/**
 * Decode the UDP header at `offset`; `end` is the end of the captured bytes
 * and `ipPayloadLength` the length the IP header claims for the datagram.
 */
export function decodeUdp(
  data: Uint8Array,
  offset: number,
  end: number,
  ipPayloadLength: number,
  notes?: DecodeError[],
): Decoded<UdpDatagram> {
  const available = end - offset;
  if (available < UDP_HEADER_LENGTH) {
    return fail(
      decodeError('udp', 'udp.header-too-short', offset, {
        required: UDP_HEADER_LENGTH,
        available: Math.max(0, available),
        lenSource: 'slice',
      }),
    );
  }
  const length = (data[offset + 4] << 8) | data[offset + 5];
  if (length < UDP_HEADER_LENGTH) {
    return fail(
      decodeError('udp', 'udp.bad-length', offset + 4, {
        required: UDP_HEADER_LENGTH,
        available: length,
        lenSource: 'udp.length',
        detail: `UDP length ${length} is below the 8-byte header`,
      }),
    );
  }
  if (length > ipPayloadLength) {
    notes?.push(
      decodeError('udp', 'udp.length-exceeds-ip', offset + 4, {
        required: length,
        available: ipPayloadLength,
        lenSource: 'udp.length',
      }),
    );
  }
  const payloadEnd = Math.min(end, offset + length);
  return ok({
    srcPort: (data[offset] << 8) | data[offset + 1],
    dstPort: (data[offset + 2] << 8) | data[offset + 3],
    length,
    payload: data.subarray(offset + UDP_HEADER_LENGTH, Math.max(offset + UDP_HEADER_LENGTH, payloadEnd)),
  });
}
