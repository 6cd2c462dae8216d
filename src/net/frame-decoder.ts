// The net stage: one capture record in, one DecodedFrame out, walking
// link -> VLAN tags -> IP (with fragment reassembly) -> TCP/UDP. Layers meet
// through dispatch tables keyed by link type, EtherType and IP protocol
// (Wireshark's dissector tables), so adding a protocol is one table entry.
// decode() never throws: a problem becomes the frame's stopError, the layers
// decoded before it stay set, and the frame is still counted (style habit 5).
import type { CaptureRecord } from '../capture/source.js';
import { type Decoded, type DecodeError } from './decode-error.js';
import { decodeEthernet, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_QINQ, ETHERTYPE_QINQ_OLD, ETHERTYPE_VLAN } from './ethernet.js';
import { IpDefragmenter, type DefragOptions } from './ip-defrag.js';
import { decodeIpv4, type IpDecoded } from './ipv4.js';
import { decodeIpv6, isIpv6Extension, walkIpv6Extensions } from './ipv6.js';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_OLD_12,
  LINKTYPE_RAW_OLD_14,
} from './link-types.js';
import { decodeLoop, decodeNull } from './null.js';
import { decodeEthernetIpv4Tcp, NO_NOTES, NO_VLANS, reusableFrame } from './fast-path.js';
import type { DecodedFrame, LinkHeader, VlanTag } from './packet.js';
import { decodeRaw } from './raw.js';
import { decodeSll, decodeSll2 } from './sll.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { decodeVlanStack } from './vlan.js';

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** Counters over every frame decoded; maps are keyed by the numeric value or error code. */
export interface FrameStats {
  frames: number;
  byLinkType: Map<number, number>;
  unknownLinkTypes: Map<number, number>;
  /** Unknown EtherTypes (for NULL/LOOP links: unknown address families). */
  unknownEtherTypes: Map<number, number>;
  unknownIpProtocols: Map<number, number>;
  /** 802.3 frames with a length field and LLC (no EtherType, so never IP). */
  llcFrames: number;
  /** Frames stopped by an error, per stopError code. */
  malformed: Map<string, number>;
  /** IP fragments seen, datagrams reassembled, datagrams given up. */
  fragments: number;
  reassembled: number;
  incomplete: number;
}

/** What a link decoder hands on: the header and where the network layer starts. */
interface LinkResult {
  link: LinkHeader;
  /** Undefined when the link names no EtherType (unknown NULL family, 802.3 LLC). */
  etherType: number | undefined;
  payloadOffset: number;
  /** 802.3 length-field frame. */
  llc?: boolean;
  /** The value to count as unknown when etherType is undefined. */
  unknownValue?: number;
}

type LinkDecoder = (data: Uint8Array) => Decoded<LinkResult>;

function ethernetLink(data: Uint8Array): Decoded<LinkResult> {
  const r = decodeEthernet(data, 0);
  if (!r.ok) return r;
  const h = r.value;
  const link: LinkHeader = { kind: 'ethernet', src: h.src, dst: h.dst };
  if (h.llc) return { ok: true, value: { link, etherType: undefined, payloadOffset: h.payloadOffset, llc: true, unknownValue: h.etherType } };
  link.etherType = h.etherType;
  return { ok: true, value: { link, etherType: h.etherType, payloadOffset: h.payloadOffset } };
}

function nullLink(data: Uint8Array): Decoded<LinkResult> {
  const r = decodeNull(data, 0);
  return r.ok ? { ok: true, value: { ...r.value, unknownValue: r.value.family } } : r;
}

function loopLink(data: Uint8Array): Decoded<LinkResult> {
  const r = decodeLoop(data, 0);
  return r.ok ? { ok: true, value: { ...r.value, unknownValue: r.value.family } } : r;
}

function ipv4Link(): Decoded<LinkResult> {
  return { ok: true, value: { link: { kind: 'raw', etherType: ETHERTYPE_IPV4 }, etherType: ETHERTYPE_IPV4, payloadOffset: 0 } };
}

function ipv6Link(): Decoded<LinkResult> {
  return { ok: true, value: { link: { kind: 'raw', etherType: ETHERTYPE_IPV6 }, etherType: ETHERTYPE_IPV6, payloadOffset: 0 } };
}

const rawLink: LinkDecoder = (data) => decodeRaw(data, 0);
const sllLink: LinkDecoder = (data) => decodeSll(data, 0);
const sll2Link: LinkDecoder = (data) => decodeSll2(data, 0);

/** Link type -> link decoder. */
const LINK_DECODERS: ReadonlyMap<number, LinkDecoder> = new Map<number, LinkDecoder>([
  [LINKTYPE_NULL, nullLink],
  [LINKTYPE_ETHERNET, ethernetLink],
  [LINKTYPE_RAW_OLD_12, rawLink],
  [LINKTYPE_RAW_OLD_14, rawLink],
  [LINKTYPE_RAW, rawLink],
  [LINKTYPE_LOOP, loopLink],
  [LINKTYPE_LINUX_SLL, sllLink],
  [LINKTYPE_IPV4, ipv4Link],
  [LINKTYPE_IPV6, ipv6Link],
  [LINKTYPE_LINUX_SLL2, sll2Link],
]);

/** EtherType -> network-layer handler. */
type EtherTypeHandler = (d: FrameDecoder, f: DecodedFrame, data: Uint8Array, offset: number, etherType: number) => void;

/** IP protocol -> transport handler, over [offset, end) of `data` with the IP-claimed length. */
type IpProtocolHandler = (
  d: FrameDecoder,
  f: DecodedFrame,
  data: Uint8Array,
  offset: number,
  end: number,
  claimedLength: number,
) => DecodeError | undefined;

function tcpHandler(d: FrameDecoder, f: DecodedFrame, data: Uint8Array, offset: number, end: number, claimed: number): DecodeError | undefined {
  const r = decodeTcp(data, offset, end, claimed, d.pendingNotes);
  if (!r.ok) return r.error;
  f.tcp = r.value;
  f.payload = r.value.payload;
  return undefined;
}

function udpHandler(d: FrameDecoder, f: DecodedFrame, data: Uint8Array, offset: number, end: number, claimed: number): DecodeError | undefined {
  const r = decodeUdp(data, offset, end, claimed, d.pendingNotes);
  if (!r.ok) return r.error;
  f.udp = r.value;
  f.payload = r.value.payload;
  return undefined;
}

const IP_PROTOCOLS: ReadonlyMap<number, IpProtocolHandler> = new Map<number, IpProtocolHandler>([
  [IPPROTO_TCP, tcpHandler],
  [IPPROTO_UDP, udpHandler],
]);

function vlanHandler(d: FrameDecoder, f: DecodedFrame, data: Uint8Array, offset: number, tpid: number): void {
  const tags: VlanTag[] = f.vlans === NO_VLANS ? [] : (f.vlans as VlanTag[]);
  f.vlans = tags;
  const r = decodeVlanStack(data, offset, tpid, tags);
  if (!r.ok) return d.stop(f, r.error, data, offset);
  if (f.link) f.link.etherType = r.value.etherType;
  d.network(f, data, r.value.payloadOffset, r.value.etherType);
}

function ipv4Handler(d: FrameDecoder, f: DecodedFrame, data: Uint8Array, offset: number): void {
  const r = decodeIpv4(data, offset);
  if (!r.ok) return d.stop(f, r.error, data, offset);
  d.ip(f, data, r.value);
}

function ipv6Handler(d: FrameDecoder, f: DecodedFrame, data: Uint8Array, offset: number): void {
  const r = decodeIpv6(data, offset);
  if (!r.ok) return d.stop(f, r.error, data, offset);
  d.ip(f, data, r.value);
}

const ETHERTYPES: ReadonlyMap<number, EtherTypeHandler> = new Map<number, EtherTypeHandler>([
  [ETHERTYPE_IPV4, ipv4Handler],
  [ETHERTYPE_IPV6, ipv6Handler],
  [ETHERTYPE_VLAN, vlanHandler],
  [ETHERTYPE_QINQ, vlanHandler],
  [ETHERTYPE_QINQ_OLD, vlanHandler],
]);

function bump<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

export interface FrameDecoderOptions {
  defrag?: DefragOptions;
  /** @internal false to decode every frame the general way (tests compare the two). */
  fastPath?: boolean;
}

/** Decodes frames in capture order; holds only the IP defragmenter's bounded state. */
export class FrameDecoder {
  private readonly counts: FrameStats = {
    frames: 0,
    byLinkType: new Map(),
    unknownLinkTypes: new Map(),
    unknownEtherTypes: new Map(),
    unknownIpProtocols: new Map(),
    llcFrames: 0,
    malformed: new Map(),
    fragments: 0,
    reassembled: 0,
    incomplete: 0,
  };
  private readonly defrag: IpDefragmenter;
  private readonly fastPath: boolean;
  // Frames per link type are counted by runs: a capture is nearly always one
  // link type, and two Map operations per frame were a measurable part of
  // decoding. A run is added to byLinkType when another link type starts or
  // when the stats are read, so the Map's keys keep their order of first
  // appearance.
  private runLinkType = -1;
  private runFrames = 0;
  /**
   * @internal The notes of the frame being decoded, collected here and moved to
   * the frame at the end, so that a frame without any shares NO_NOTES.
   */
  readonly pendingNotes: DecodeError[] = [];
  /** What decodeTransient() writes the common frame into. */
  private readonly transient = reusableFrame();

  constructor(opts: FrameDecoderOptions = {}) {
    this.defrag = new IpDefragmenter(opts.defrag);
    this.fastPath = opts.fastPath ?? true;
  }

  /** Counters over every frame decoded so far. */
  get stats(): FrameStats {
    this.endLinkTypeRun();
    return this.counts;
  }

  /** Decode one record. Views into rec.data stay valid only as long as rec.data. Never throws. */
  decode(rec: CaptureRecord): DecodedFrame {
    return this.decodeInto(rec, undefined);
  }

  /**
   * decode(), for a caller that keeps nothing of the frame object past the
   * next call: the common Ethernet/IPv4/TCP frame is written into the same
   * objects each time (four objects a frame fewer for the garbage collector).
   * Strings and views in it are new each time and may be kept.
   */
  decodeTransient(rec: CaptureRecord): DecodedFrame {
    return this.decodeInto(rec, this.transient);
  }

  private decodeInto(rec: CaptureRecord, reuse: DecodedFrame | undefined): DecodedFrame {
    const notes = this.pendingNotes;
    if (notes.length > 0) notes.length = 0;
    this.counts.frames++;
    if (rec.linkType === this.runLinkType) this.runFrames++;
    else {
      this.endLinkTypeRun();
      this.runLinkType = rec.linkType;
      this.runFrames = 1;
    }
    const f = (this.fastPath ? decodeEthernetIpv4Tcp(rec, notes, reuse) : undefined) ?? this.layered(rec);
    if (notes.length > 0) {
      f.notes = notes.slice();
      notes.length = 0;
    }
    return f;
  }

  private endLinkTypeRun(): void {
    if (this.runFrames === 0) return;
    const m = this.counts.byLinkType;
    m.set(this.runLinkType, (m.get(this.runLinkType) ?? 0) + this.runFrames);
    this.runFrames = 0;
  }

  /** The general way: link, VLAN tags, IP with reassembly, transport, each through its table. */
  private layered(rec: CaptureRecord): DecodedFrame {
    const data = rec.data;
    const f: DecodedFrame = {
      frame: rec.frame,
      timestampNs: rec.timestampNs,
      linkType: rec.linkType,
      capLen: data.length,
      origLen: rec.origLen,
      vlans: NO_VLANS,
      payload: data,
      notes: NO_NOTES,
    };
    const s = this.counts;
    const linkDecoder = LINK_DECODERS.get(rec.linkType);
    if (linkDecoder === undefined) {
      f.unknown = { what: 'link-type', value: rec.linkType };
      bump(s.unknownLinkTypes, rec.linkType);
      return f;
    }
    const lr = linkDecoder(data);
    if (!lr.ok) {
      this.stop(f, lr.error, data, 0);
      return f;
    }
    const l = lr.value;
    f.link = l.link;
    if (l.etherType === undefined) {
      if (l.llc) s.llcFrames++;
      const value = l.unknownValue ?? 0;
      f.unknown = { what: 'ethertype', value };
      bump(s.unknownEtherTypes, value);
      f.payload = data.subarray(l.payloadOffset);
      return f;
    }
    this.network(f, data, l.payloadOffset, l.etherType);
    return f;
  }

  /** End of capture: datagrams still waiting for fragments are counted incomplete. */
  flush(): void {
    this.defrag.flush();
    this.syncDefragStats();
  }

  /** @internal dispatch on an EtherType at `offset` of the frame. */
  network(f: DecodedFrame, data: Uint8Array, offset: number, etherType: number): void {
    const handler = ETHERTYPES.get(etherType);
    if (handler === undefined) {
      f.unknown = { what: 'ethertype', value: etherType };
      bump(this.counts.unknownEtherTypes, etherType);
      f.payload = data.subarray(offset);
      return;
    }
    handler(this, f, data, offset, etherType);
  }

  /** @internal an IP header decoded: reassemble if it is a fragment, then the transport layer. */
  ip(f: DecodedFrame, data: Uint8Array, r: IpDecoded): void {
    const h = r.header;
    f.ip = h;
    if (r.truncated && f.capLen >= f.origLen) {
      // Not a snap-length cut: the frame itself is shorter than its IP length says.
      this.pendingNotes.push({
        layer: h.version === 4 ? 'ipv4' : 'ipv6',
        code: h.version === 4 ? 'ipv4.length-exceeds-frame' : 'ipv6.length-exceeds-frame',
        offset: r.payloadOffset - h.headerLength,
        required: h.headerLength + h.payloadLength,
        available: r.payloadEnd - r.payloadOffset + h.headerLength,
        lenSource: h.version === 4 ? 'ipv4.total-length' : 'ipv6.payload-length',
      });
    }
    if (!r.isFragment) {
      this.transport(f, data, r.payloadOffset, r.payloadEnd, h.payloadLength, h.protocol, false);
      return;
    }
    const out = this.defrag.push(
      {
        version: h.version,
        src: h.src,
        dst: h.dst,
        protocol: h.protocol,
        id: h.id ?? 0,
        offset: r.fragmentOffset,
        moreFragments: r.moreFragments,
        data: data.subarray(r.payloadOffset, r.payloadEnd),
        claimedLength: h.payloadLength,
        frame: f.frame,
        timestampNs: f.timestampNs,
      },
      this.pendingNotes,
    );
    this.syncDefragStats();
    if (out.kind !== 'complete') {
      h.fragment = { offset: r.fragmentOffset, moreFragments: r.moreFragments };
      f.payload = data.subarray(r.payloadOffset, r.payloadEnd);
      return;
    }
    const buf = out.data;
    h.reassembledFrom = out.frames;
    h.payloadLength = buf.length;
    let offset = 0;
    if (h.version === 6 && isIpv6Extension(h.protocol)) {
      // The fragmentable part may start with more extension headers (RFC 8200 4.5).
      const w = walkIpv6Extensions(buf, 0, buf.length, h.protocol);
      if (!w.ok) return this.stopReassembled(f, w.error, buf, 0);
      offset = w.value.payloadOffset;
      h.protocol = w.value.protocol;
    }
    this.transport(f, buf, offset, buf.length, buf.length - offset, h.protocol, true);
  }

  /** @internal record the error that stopped the frame; payload is what was left undecoded. */
  stop(f: DecodedFrame, e: DecodeError, data: Uint8Array, offset: number, end: number = data.length): void {
    f.stopError = e.frame === undefined ? { ...e, frame: f.frame } : e;
    bump(this.counts.malformed, e.code);
    const e2 = Math.min(end, data.length);
    f.payload = data.subarray(Math.min(offset, e2), e2);
  }

  private stopReassembled(f: DecodedFrame, e: DecodeError, buf: Uint8Array, offset: number): void {
    const where = 'offset is within the reassembled datagram';
    this.stop(f, { ...e, detail: e.detail ? `${e.detail}; ${where}` : where }, buf, offset);
  }

  private transport(
    f: DecodedFrame,
    data: Uint8Array,
    offset: number,
    end: number,
    claimed: number,
    protocol: number,
    reassembled: boolean,
  ): void {
    const handler = IP_PROTOCOLS.get(protocol);
    if (handler === undefined) {
      f.unknown = { what: 'ip-protocol', value: protocol };
      bump(this.counts.unknownIpProtocols, protocol);
      f.payload = data.subarray(offset, end);
      return;
    }
    const e = handler(this, f, data, offset, end, claimed);
    if (e !== undefined) {
      if (reassembled) this.stopReassembled(f, e, data, offset);
      else this.stop(f, e, data, offset, end);
    }
  }

  private syncDefragStats(): void {
    const d = this.defrag.stats;
    this.counts.fragments = d.fragments;
    this.counts.reassembled = d.reassembled;
    this.counts.incomplete = d.incomplete;
  }
}
