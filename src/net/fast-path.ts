// The frame nearly every record of a Device Update Service capture is:
// Ethernet II, IPv4 (whole, not a fragment, no shorter than it claims), TCP.
// Decoded here in one pass, straight into the DecodedFrame, without the
// layered decoders' intermediate result objects. Anything else, or anything
// odd in these three headers, gets undefined back, and the general decoder
// (frame-decoder.ts) decodes the frame from the start. What this gives must be
// exactly what the general decoder gives (test/net/fast-path.test.ts).
import type { CaptureRecord } from '../capture/source.js';
import { formatIpv4, formatMac48 } from './address.js';
import type { DecodeError } from './decode-error.js';
import { ETHERNET_HEADER_LENGTH, ETHERTYPE_IPV4 } from './ethernet.js';
import { IPV4_MIN_HEADER_LENGTH } from './ipv4.js';
import { LINKTYPE_ETHERNET } from './link-types.js';
import type { DecodedFrame, TcpOptions } from './packet.js';
import { decodeTcpOptions, NO_TCP_OPTIONS, TCP_MIN_HEADER_LENGTH } from './tcp.js';

/** Shared by every frame without VLAN tags or notes (the contract says: read, never push). */
export const NO_VLANS: DecodedFrame['vlans'] = Object.freeze([]);
export const NO_NOTES: DecodedFrame['notes'] = Object.freeze([]);

const IP = ETHERNET_HEADER_LENGTH;

/**
 * The frame, when `rec` is a well-formed Ethernet/IPv4/TCP frame; otherwise
 * undefined, having changed nothing. TCP option anomalies are pushed to `notes`.
 * With `reuse` (made by reusableFrame()), the frame is written into it instead of a new one.
 * Either way its properties come in the order the general decoder sets them.
 */
export function decodeEthernetIpv4Tcp(rec: CaptureRecord, notes: DecodeError[], reuse?: DecodedFrame): DecodedFrame | undefined {
  const data = rec.data;
  const len = data.length;
  if (rec.linkType !== LINKTYPE_ETHERNET || len < IP + IPV4_MIN_HEADER_LENGTH) return undefined;
  if (((data[12] << 8) | data[13]) !== ETHERTYPE_IPV4) return undefined;
  const vihl = data[IP];
  const ipHeaderLength = (vihl & 0x0f) * 4;
  const available = len - IP;
  if (vihl >> 4 !== 4 || ipHeaderLength < IPV4_MIN_HEADER_LENGTH || ipHeaderLength > available) return undefined;
  const totalLength = (data[IP + 2] << 8) | data[IP + 3];
  // Shorter than its header, or cut (by the snap length or otherwise): the general path says how.
  if (totalLength < ipHeaderLength || totalLength > available) return undefined;
  // More-fragments flag or a fragment offset: the defragmenter's business.
  if ((data[IP + 6] & 0x3f) !== 0 || data[IP + 7] !== 0) return undefined;
  if (data[IP + 9] !== 6) return undefined;

  const t = IP + ipHeaderLength;
  const end = IP + totalLength;
  const segmentLength = totalLength - ipHeaderLength;
  if (end - t < TCP_MIN_HEADER_LENGTH) return undefined;
  const dataOffset = data[t + 12] >> 4;
  const tcpHeaderLength = dataOffset * 4;
  if (dataOffset < 5 || tcpHeaderLength > segmentLength || tcpHeaderLength > end - t) return undefined;

  let options = NO_TCP_OPTIONS;
  if (tcpHeaderLength > TCP_MIN_HEADER_LENGTH) {
    options = {} as TcpOptions;
    decodeTcpOptions(data, t + TCP_MIN_HEADER_LENGTH, t + tcpHeaderLength, options, notes);
  }
  const payload = data.subarray(t + tcpHeaderLength, end);
  // Every field that depends on the frame is written: a reused frame keeps nothing of the last one.
  const f = reuse ?? reusableFrame();
  f.frame = rec.frame;
  f.timestampNs = rec.timestampNs;
  f.capLen = len;
  f.origLen = rec.origLen;
  f.payload = payload;
  f.notes = NO_NOTES;
  const link = f.link!;
  link.src = formatMac48(data, 6);
  link.dst = formatMac48(data, 0);
  const ip = f.ip!;
  ip.src = formatIpv4(data, IP + 12);
  ip.dst = formatIpv4(data, IP + 16);
  ip.ttl = data[IP + 8];
  ip.headerLength = ipHeaderLength;
  ip.payloadLength = segmentLength;
  ip.id = (data[IP + 4] << 8) | data[IP + 5];
  const tcp = f.tcp!;
  tcp.srcPort = (data[t] << 8) | data[t + 1];
  tcp.dstPort = (data[t + 2] << 8) | data[t + 3];
  tcp.seq = data[t + 4] * 0x1000000 + ((data[t + 5] << 16) | (data[t + 6] << 8) | data[t + 7]);
  tcp.ack = data[t + 8] * 0x1000000 + ((data[t + 9] << 16) | (data[t + 10] << 8) | data[t + 11]);
  tcp.flags = data[t + 13];
  tcp.window = (data[t + 14] << 8) | data[t + 15];
  tcp.headerLength = tcpHeaderLength;
  tcp.options = options;
  tcp.payload = payload;
  tcp.payloadLength = segmentLength - tcpHeaderLength;
  return f;
}

/**
 * An Ethernet/IPv4/TCP frame for decodeEthernetIpv4Tcp to write into, once or
 * again and again: the constant fields are set here, every other one there.
 * Properties in the order the general decoder sets them, so both give the same objects.
 */
export function reusableFrame(): DecodedFrame {
  const none = new Uint8Array(0);
  return {
    frame: 0,
    timestampNs: 0n,
    linkType: LINKTYPE_ETHERNET,
    capLen: 0,
    origLen: 0,
    vlans: NO_VLANS,
    payload: none,
    notes: NO_NOTES,
    link: { kind: 'ethernet', src: '', dst: '', etherType: ETHERTYPE_IPV4 },
    ip: { version: 4, src: '', dst: '', protocol: 6, ttl: 0, headerLength: 0, payloadLength: 0, id: 0 },
    tcp: { srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, headerLength: 0, options: NO_TCP_OPTIONS, payload: none, payloadLength: 0 },
  };
}
