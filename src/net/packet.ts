// The decoded view of one frame (etherparse's LaxSlicedPacket): everything that
// decoded before a problem, plus the problem. Every Uint8Array here is a
// subarray of the record's data (zero copy), except a reassembled IP datagram's
// payload, which the defragmenter owns.
import type { DecodeError } from './decode-error.js';

/** The link layer header, normalised across link types. */
export interface LinkHeader {
  kind: 'ethernet' | 'sll' | 'sll2' | 'null' | 'loop' | 'raw';
  /** Source and destination MAC, `00:21:63:0f:20:7b`, where the link type has them. */
  src?: string;
  dst?: string;
  /** EtherType (or SLL protocol / null-family mapped to an EtherType) of what follows the link and VLAN tags. */
  etherType?: number;
  /** SLL/SLL2 packet type (0 to us, 4 outgoing...) and interface index, when present. */
  packetType?: number;
  ifIndex?: number;
  /** SLL/SLL2 ARPHRD_* hardware type (1 Ethernet, 772 loopback...), when present. */
  arphrd?: number;
  /** NULL/LOOP address family (2 AF_INET, 24/28/30 AF_INET6), when present. */
  family?: number;
}

/** One 802.1Q (0x8100) or 802.1ad (0x88a8) tag, outermost first in DecodedFrame.vlans. */
export interface VlanTag {
  tpid: number;
  id: number;
  pcp: number;
  dei: boolean;
}

/** An IPv4 or IPv6 header, after any extension headers and fragment reassembly. */
export interface IpHeader {
  version: 4 | 6;
  /** Dotted quad, or RFC 5952 text for IPv6. */
  src: string;
  dst: string;
  /** Upper-layer protocol (after IPv6 extension headers): 6 TCP, 17 UDP... */
  protocol: number;
  /** TTL or hop limit. */
  ttl: number;
  /** Header bytes, including IPv6 extension headers. */
  headerLength: number;
  /** Payload bytes the header claims (total length minus header). */
  payloadLength: number;
  /** IPv4 identification, or the IPv6 fragment header's id. */
  id?: number;
  /** Set when this frame is a fragment that did not (yet) complete a datagram. */
  fragment?: { offset: number; moreFragments: boolean };
  /** Frames whose fragments made this datagram, when it was reassembled (in offset order). */
  reassembledFrom?: number[];
}

export interface TcpOptions {
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  sack?: Array<[number, number]>;
  timestamp?: [number, number];
}

/** A TCP segment. seq and ack are unsigned 32-bit numbers. */
export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Flag bits: see TCP_FIN... below. */
  flags: number;
  window: number;
  headerLength: number;
  /** A header without options shares one frozen empty object: read it, never write to it. */
  options: TcpOptions;
  /** The captured payload (may be shorter than payloadLength when the snap length cut the frame). */
  payload: Uint8Array;
  /** Payload length the IP header claims: sequence space this segment covers (without SYN/FIN). */
  payloadLength: number;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;

export interface UdpDatagram {
  srcPort: number;
  dstPort: number;
  length: number;
  payload: Uint8Array;
}

/** One frame decoded as far as it goes. decodeFrame never throws. */
export interface DecodedFrame {
  frame: number;
  timestampNs: bigint;
  linkType: number;
  /** Captured and on-the-wire lengths. */
  capLen: number;
  origLen: number;
  link?: LinkHeader;
  /** Outermost first. Most frames have none: they share one frozen empty array, so read it, never push to it. */
  vlans: readonly VlanTag[];
  ip?: IpHeader;
  tcp?: TcpSegment;
  udp?: UdpDatagram;
  /** The innermost payload decoded (TCP/UDP payload, or what followed the last layer understood). */
  payload: Uint8Array;
  /** The problem that stopped decoding this frame; the layers before it are still set. */
  stopError?: DecodeError;
  /** Anomalies that did not stop decoding (bad checksum, trailing bytes...). A shared frozen empty array when there are none. */
  notes: readonly DecodeError[];
  /** The frame was an unknown link type, EtherType or IP protocol: counted, not fatal. */
  unknown?: { what: 'link-type' | 'ethertype' | 'ip-protocol'; value: number };
}
