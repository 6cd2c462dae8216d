// Linux "cooked" capture headers, written when capturing on `any` or on
// devices without a usable link header (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
// and LINKTYPE_LINUX_SLL2.html). Both carry a protocol field that is an
// EtherType for the cases we care about, the packet direction and the ARPHRD
// hardware type; v2 adds the interface index and moves the protocol first.
import { decodeError, fail, ok, type Decoded } from './decode-error.js';
import { formatMac } from './address.js';
import type { LinkHeader } from './packet.js';

export const SLL_HEADER_LENGTH = 16;
export const SLL2_HEADER_LENGTH = 20;
/** The address field holds at most this many bytes; a longer address length is cut to it. */
const SLL_ADDR_MAX = 8;

/** Packet types (the `sll_pkttype` of packet(7)). */
export const SLL_HOST = 0;
export const SLL_BROADCAST = 1;
export const SLL_MULTICAST = 2;
export const SLL_OTHERHOST = 3;
export const SLL_OUTGOING = 4;

export interface SllResult {
  link: LinkHeader;
  /** The protocol field: an EtherType, or 1 / 4 for 802.3 / 802.2 LLC frames. */
  etherType: number;
  /** Absolute offset of the first byte after the header. */
  payloadOffset: number;
}

function tooShort(code: string, offset: number, required: number, data: Uint8Array): Decoded<never> {
  return fail(
    decodeError('link', code, offset, {
      required,
      available: Math.max(0, data.length - offset),
      lenSource: 'slice',
    }),
  );
}

function address(data: Uint8Array, at: number, len: number): string | undefined {
  const n = Math.min(len, SLL_ADDR_MAX);
  return n > 0 ? formatMac(data, at, n) : undefined;
}

/** Decode a 16-byte LINUX_SLL (v1) header at `offset`. */
export function decodeSll(data: Uint8Array, offset: number): Decoded<SllResult> {
  if (data.length - offset < SLL_HEADER_LENGTH) {
    return tooShort('sll.header-too-short', offset, SLL_HEADER_LENGTH, data);
  }
  const packetType = (data[offset] << 8) | data[offset + 1];
  const arphrd = (data[offset + 2] << 8) | data[offset + 3];
  const addrLen = (data[offset + 4] << 8) | data[offset + 5];
  const etherType = (data[offset + 14] << 8) | data[offset + 15];
  return ok({
    link: { kind: 'sll', src: address(data, offset + 6, addrLen), etherType, packetType, arphrd },
    etherType,
    payloadOffset: offset + SLL_HEADER_LENGTH,
  });
}

/** Decode a 20-byte LINUX_SLL2 header at `offset`. */
export function decodeSll2(data: Uint8Array, offset: number): Decoded<SllResult> {
  if (data.length - offset < SLL2_HEADER_LENGTH) {
    return tooShort('sll2.header-too-short', offset, SLL2_HEADER_LENGTH, data);
  }
  const etherType = (data[offset] << 8) | data[offset + 1];
  // Interface index is a signed 32-bit number in the spec; real values are small and positive.
  const ifIndex = new DataView(data.buffer, data.byteOffset + offset + 4, 4).getInt32(0);
  const arphrd = (data[offset + 8] << 8) | data[offset + 9];
  const packetType = data[offset + 10];
  const addrLen = data[offset + 11];
  return ok({
    link: { kind: 'sll2', src: address(data, offset + 12, addrLen), etherType, packetType, ifIndex, arphrd },
    etherType,
    payloadOffset: offset + SLL2_HEADER_LENGTH,
  });
}
