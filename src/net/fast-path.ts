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
/** The payload of every segment without one (a pure ACK, a bare SYN or FIN): nothing to view, so no view is made. */
const NO_PAYLOAD = new Uint8Array(0);

const IP = ETHERNET_HEADER_LENGTH;

/**
 * The frame, when `rec` is a well-formed Ethernet/IPv4/TCP frame; otherwise
 * undefined, having changed nothing. TCP option anomalies are pushed to `notes`.
 * With `reuse` (made by reusableFrame()), the frame is written into it instead of a new one.
 * Either way its properties come in the order the general decoder sets them.
 */
export function decodeEthernetIpv4Tcp(rec: CaptureRecord, notes: DecodeError[], reuse?: DecodedFrame): DecodedFrame | undefined {
  // The record's bytes, read where they lie in the reader's chunk when it says where (no view made).
  const chunk = rec.chunk;
  const data = chunk ?? rec.data;
  const o = chunk ? rec.chunkAt! : 0;
  const len = chunk ? rec.capLen! : data.length;
  if (rec.linkType !== LINKTYPE_ETHERNET || len < IP + IPV4_MIN_HEADER_LENGTH) return undefined;
  if (((data[o + 12] << 8) | data[o + 13]) !== ETHERTYPE_IPV4) return undefined;
  const vihl = data[o + IP];
  const ipHeaderLength = (vihl & 0x0f) * 4;
  const available = len - IP;
  if (vihl >> 4 !== 4 || ipHeaderLength < IPV4_MIN_HEADER_LENGTH || ipHeaderLength > available) return undefined;
  const totalLength = (data[o + IP + 2] << 8) | data[o + IP + 3];
  // Shorter than its header, or cut (by the snap length or otherwise): the general path says how.
  if (totalLength < ipHeaderLength || totalLength > available) return undefined;
  // More-fragments flag or a fragment offset: the defragmenter's business.
  if ((data[o + IP + 6] & 0x3f) !== 0 || data[o + IP + 7] !== 0) return undefined;
  if (data[o + IP + 9] !== 6) return undefined;

  const t = IP + ipHeaderLength;
  const end = IP + totalLength;
  const segmentLength = totalLength - ipHeaderLength;
  if (end - t < TCP_MIN_HEADER_LENGTH) return undefined;
  const dataOffset = data[o + t + 12] >> 4;
  const tcpHeaderLength = dataOffset * 4;
  if (dataOffset < 5 || tcpHeaderLength > segmentLength || tcpHeaderLength > end - t) return undefined;

  let options = NO_TCP_OPTIONS;
  if (tcpHeaderLength > TCP_MIN_HEADER_LENGTH) {
    options = {} as TcpOptions;
    const before = notes.length;
    decodeTcpOptions(data, o + t + TCP_MIN_HEADER_LENGTH, o + t + tcpHeaderLength, options, notes);
    // Notes place problems in the frame: offsets read in the chunk are moved back to the frame's.
    for (let i = before; o !== 0 && i < notes.length; i++) notes[i] = { ...notes[i], offset: notes[i].offset - o };
  }
  const payload = t + tcpHeaderLength < end ? data.subarray(o + t + tcpHeaderLength, o + end) : NO_PAYLOAD;
  // Every field that depends on the frame is written: a reused frame keeps nothing of the last one.
  const f = reuse ?? reusableFrame();
  f.frame = rec.frame;
  f.timestampNs = rec.timestampNs;
  f.capLen = len;
  f.origLen = rec.origLen;
  f.payload = payload;
  f.notes = NO_NOTES;
  const link = f.link!;
  link.src = formatMac48(data, o + 6);
  link.dst = formatMac48(data, o);
  const ip = f.ip!;
  ip.src = formatIpv4(data, o + IP + 12);
  ip.dst = formatIpv4(data, o + IP + 16);
  ip.ttl = data[o + IP + 8];
  ip.headerLength = ipHeaderLength;
  ip.payloadLength = segmentLength;
  ip.id = (data[o + IP + 4] << 8) | data[o + IP + 5];
  const tcp = f.tcp!;
  tcp.srcPort = (data[o + t] << 8) | data[o + t + 1];
  tcp.dstPort = (data[o + t + 2] << 8) | data[o + t + 3];
  tcp.seq = data[o + t + 4] * 0x1000000 + ((data[o + t + 5] << 16) | (data[o + t + 6] << 8) | data[o + t + 7]);
  tcp.ack = data[o + t + 8] * 0x1000000 + ((data[o + t + 9] << 16) | (data[o + t + 10] << 8) | data[o + t + 11]);
  tcp.flags = data[o + t + 13];
  tcp.window = (data[o + t + 14] << 8) | data[o + t + 15];
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
