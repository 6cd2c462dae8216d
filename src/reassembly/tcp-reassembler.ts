// TCP stream reassembly for every connection in a capture: finds the flow of
// each segment (tshark's tcp.stream numbering), decides who is client and
// server, and hands each direction's segments and the peer's ACKs to a
// HalfStream. RFC 9293 §3.4 (sequence numbers), §3.5 (open), §3.6 (close).
//
// Memory is bounded by open flows: each direction holds at most
// maxBufferedPerDirection out-of-order bytes plus a 64 KiB delivered tail, a
// closed flow shrinks to a small tombstone (so the last ACKs and resent FINs
// do not open a new flow), and tombstones are capped and expire.
import type { DecodedFrame, IpHeader, TcpSegment } from '../net/packet.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../net/packet.js';
import type { Direction, Endpoint, FlowInfo, StreamEvent } from './stream-event.js';
import { sharedEndpoint } from './shared-endpoint.js';
import { TupleTable } from './tuple-table.js';
import { TailPool } from './delivered-tail.js';
import { EventSink } from './event-sink.js';
import { HalfStream, MAX_SEQ_JUMP, type HalfStreamLimits, type PeerAck, type SegmentIn } from './half-stream.js';
import { emptyStats, type ReassemblyStats } from './reassembly-stats.js';
import { seqAdd, seqDiff } from './seq.js';

export type { ReassemblyStats } from './reassembly-stats.js';

export interface TcpReassemblerOptions {
  /** Out-of-order bytes held per direction before the oldest hole becomes a gap. @default 4 MiB */
  maxBufferedPerDirection?: number;
  /** Out-of-order pieces held per direction before the same. @default 4096 */
  maxHeldSegmentsPerDirection?: number;
  /** A flow with no segment for this long ends at flush('timeout'). @default 300 s */
  idleTimeoutNs?: bigint;
  /**
   * A closed flow's tombstone (which takes its trailing ACKs and resent FINs)
   * is forgotten at flush('timeout') this long after its last segment. @default idleTimeoutNs
   */
  closedTimeoutNs?: bigint;
  /** Delivered bytes kept per direction to compare retransmissions. @default 64 KiB */
  tailBytes?: number;
  /** Closed flows remembered (to absorb trailing segments) before the oldest is forgotten. @default 16384 */
  maxClosedFlows?: number;
  /** Open flows tracked at once; a new one beyond this ends the oldest-opened flow as if idle. @default 65536 */
  maxOpenFlows?: number;
}

/** Open flows tracked at once by default: a SYN flood must not grow memory without end. */
export const DEFAULT_MAX_OPEN_FLOWS = 65_536;
/** Closed flows remembered by default (their tombstones absorb trailing segments). */
export const DEFAULT_MAX_CLOSED_FLOWS = 16_384;

const EMPTY = new Uint8Array(0);

/** Ports a server listens on, for guessing roles when the handshake was not captured. */
const SERVICE_PORTS = new Set([80, 443, 8080, 8443]);
/** A SYN this far from a mid-stream flow's position is a new connection, not noise in the old one. */
const NEW_CONNECTION_DISTANCE = 1 << 24;

interface Flow {
  info: FlowInfo;
  c2s: HalfStream;
  s2c: HalfStream;
  lastFrame: number;
  lastTs: bigint;
  firstTs: bigint;
  /** Set once the handshake completes; declared from the start, so a flow keeps one shape and no extra property store. */
  firstRttNs: bigint | undefined;
  rstSeen: boolean;
  closed: boolean;
  counted: boolean;
}

/** Reassembles every TCP connection of a capture into ordered per-direction stream events. */
export class TcpReassembler {
  readonly stats: ReassemblyStats = emptyStats();
  private readonly limits: HalfStreamLimits;
  private readonly idleTimeoutNs: bigint;
  private readonly closedTimeoutNs: bigint;
  private readonly maxClosed: number;
  private readonly maxOpen: number;
  /** Each 4-tuple's flow, open or closed (a tuple has at most one: a new flow replaces the old). */
  private readonly byTuple = new TupleTable<Flow>();
  /** Open flows, oldest-opened first (a Set keeps insertion order): eviction and flush order. */
  private readonly open = new Set<Flow>();
  /** Closed flows, oldest first. */
  private readonly closed = new Set<Flow>();
  private nextIndex = 0;
  private readonly tailPool = new TailPool();
  /** Collects each call's events; push and flush return them as a new array. */
  private readonly sink = new EventSink();
  // One segment and one ACK description reused for every push: HalfStream reads them during the call and keeps none of them.
  private readonly seg: SegmentIn = { seq: 0, syn: false, fin: false, payload: EMPTY, length: 0, frame: 0, timestampNs: 0n };
  private readonly peerAck: PeerAck = { pure: false, window: 0, timestampNs: 0n };

  constructor(opts: TcpReassemblerOptions = {}) {
    this.limits = {
      maxBuffered: Math.max(0, opts.maxBufferedPerDirection ?? 4 * 1024 * 1024),
      maxHeldSegments: Math.max(1, opts.maxHeldSegmentsPerDirection ?? 4096),
      tailBytes: Math.max(0, opts.tailBytes ?? 64 * 1024),
    };
    this.idleTimeoutNs = opts.idleTimeoutNs ?? 300_000_000_000n;
    this.closedTimeoutNs = opts.closedTimeoutNs ?? this.idleTimeoutNs;
    this.maxClosed = Math.max(0, opts.maxClosedFlows ?? DEFAULT_MAX_CLOSED_FLOWS);
    this.maxOpen = Math.max(1, opts.maxOpenFlows ?? DEFAULT_MAX_OPEN_FLOWS);
  }

  /**
   * Frames' bytes in shared buffers are the capture's lent read buffers
   * (CaptureSource.lendBuffers), and beforeReuse() is called before one is
   * written again: delivered bytes are then copied only if still needed then.
   */
  readBuffersLent(): void {
    this.tailPool.lends = true;
  }

  /** A lent read buffer is about to be written again. */
  beforeReuse(buffer: ArrayBufferLike): void {
    this.tailPool.beforeReuse(buffer);
  }

  /** Flows currently open (not ended in both directions). */
  get openFlows(): number {
    return this.open.size;
  }

  /** Take one decoded frame; frames without IP and TCP are ignored. */
  push(f: DecodedFrame): StreamEvent[] {
    this.take(f);
    return this.sink.take();
  }

  /**
   * The same as push(), but each event goes to `each` once the frame has been
   * taken, in order, instead of into a new array (the pipeline's way: most
   * frames give none or one). `each` must not push to this reassembler.
   */
  pushEach(f: DecodedFrame, each: (e: StreamEvent) => void): void {
    this.take(f);
    this.sink.drain(each);
  }

  /** push() without the hand-over: the frame's events are left in the sink. */
  private take(f: DecodedFrame): void {
    const ip = f.ip;
    const tcp = f.tcp;
    if (!ip || !tcp) return;
    this.stats.segments++;
    const out = this.sink;
    const flow = this.flowFor(f, ip, tcp, out);
    flow.lastFrame = f.frame;
    flow.lastTs = f.timestampNs;
    const dir: Direction = isClient(flow.info, ip.src, tcp.srcPort) ? 'c2s' : 's2c';
    const me = dir === 'c2s' ? flow.c2s : flow.s2c;
    const peer = dir === 'c2s' ? flow.s2c : flow.c2s;
    const flags = tcp.flags;
    const syn = (flags & TCP_SYN) !== 0;
    // The ACK first: bytes it acknowledges were sent before this segment.
    if (flags & TCP_ACK) {
      if (syn) peer.setBaseFromPeerSynAck(tcp.ack);
      const pure = tcp.payloadLength === 0 && tcp.payload.length === 0 && (flags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0;
      const pa = this.peerAck;
      pa.pure = pure;
      pa.window = tcp.window;
      pa.timestampNs = f.timestampNs;
      peer.ack(tcp.ack, f.frame, out, pa);
      // Wireshark's first RTT: from the first packet to the ACK that completes the handshake.
      if (!syn && dir === 'c2s' && flow.info.sawSyn && flow.firstRttNs === undefined && peer.synSeen) {
        flow.firstRttNs = f.timestampNs - flow.firstTs;
        if (flow.firstRttNs > 0n) flow.c2s.oooThresholdNs = flow.s2c.oooThresholdNs = flow.firstRttNs;
      }
    }
    if (flags & TCP_RST) {
      me.segments++;
      flow.rstSeen = true;
      for (const h of [flow.c2s, flow.s2c]) {
        h.drain(f.frame, out);
        h.end('rst', f.frame, f.timestampNs, out);
      }
    } else {
      const s = this.seg;
      s.seq = tcp.seq;
      s.syn = syn;
      s.fin = (flags & TCP_FIN) !== 0;
      s.payload = tcp.payload;
      s.length = segmentLength(tcp);
      s.frame = f.frame;
      s.timestampNs = f.timestampNs;
      me.segment(s, out);
      s.payload = EMPTY; // do not keep the frame's bytes alive until the next push
    }
    if (!flow.closed && flow.c2s.ended && flow.s2c.ended) this.close(flow);
  }

  /**
   * End flows: 'eof' ends every flow (held data delivered with gaps first);
   * 'timeout' ends the flows idle for idleTimeoutNs at `nowNs` and forgets them,
   * and forgets closed flows quiet for closedTimeoutNs.
   */
  flush(reason: 'timeout' | 'eof', nowNs: bigint): StreamEvent[] {
    const out = this.sink;
    for (const flow of this.open) {
      if (reason === 'timeout' && nowNs - flow.lastTs < this.idleTimeoutNs) continue;
      this.finish(flow, reason, out);
      this.forget(this.open, flow);
    }
    for (const flow of this.closed) {
      if (reason === 'eof' || nowNs - flow.lastTs >= this.closedTimeoutNs) this.forget(this.closed, flow);
    }
    return out.take();
  }

  private flowFor(f: DecodedFrame, ip: IpHeader, tcp: TcpSegment, out: EventSink): Flow {
    const known = this.byTuple.get(ip.src, tcp.srcPort, ip.dst, tcp.dstPort);
    const syn = (tcp.flags & TCP_SYN) !== 0;
    if (known) {
      if (!syn || !this.startsNewConnection(known, ip.src, tcp, (tcp.flags & TCP_ACK) !== 0)) return known;
      if (known.closed) {
        this.forget(this.closed, known);
      } else {
        // The old connection was abandoned and the ports reused: it ends here.
        this.finish(known, 'timeout', out);
        this.forget(this.open, known);
      }
    }
    return this.create(f, ip, tcp, out);
  }

  /** Whether a SYN on a known 4-tuple opens a new connection (tshark's port reuse). */
  private startsNewConnection(flow: Flow, srcIp: string, tcp: TcpSegment, synAck: boolean): boolean {
    const h = isClient(flow.info, srcIp, tcp.srcPort) ? flow.c2s : flow.s2c;
    const other = h === flow.c2s ? flow.s2c : flow.c2s;
    if (h.synSeen && h.isn === tcp.seq) return false; // the same SYN, resent
    if (flow.closed || flow.rstSeen || h.finOffset !== undefined || other.finOffset !== undefined) return true;
    if (synAck) return false;
    if (h.base === undefined) return false;
    // Still open: a SYN near the stream's position is noise (or an attack on
    // it); far from it (ISNs are random, RFC 6528) it is a new connection.
    const distance = Math.abs(seqDiff(seqAdd(tcp.seq, 1), seqAdd(h.base, h.next)));
    return distance > NEW_CONNECTION_DISTANCE;
  }

  private create(f: DecodedFrame, ip: IpHeader, tcp: TcpSegment, out: EventSink): Flow {
    const src: Endpoint = sharedEndpoint(ip.src, tcp.srcPort);
    const dst: Endpoint = sharedEndpoint(ip.dst, tcp.dstPort);
    const syn = (tcp.flags & TCP_SYN) !== 0;
    const ack = (tcp.flags & TCP_ACK) !== 0;
    let srcIsClient: boolean;
    if (syn) srcIsClient = !ack; // SYN: sender is the client; SYN-ACK: receiver is.
    else srcIsClient = guessSrcIsClient(tcp.srcPort, tcp.dstPort);
    const info: FlowInfo = {
      index: this.nextIndex++,
      client: srcIsClient ? src : dst,
      server: srcIsClient ? dst : src,
      firstFrame: f.frame,
      sawSyn: syn,
    };
    const flow: Flow = {
      info,
      c2s: new HalfStream(info, 'c2s', this.limits, this.stats, this.tailPool),
      s2c: new HalfStream(info, 's2c', this.limits, this.stats, this.tailPool),
      lastFrame: f.frame,
      lastTs: f.timestampNs,
      firstTs: f.timestampNs,
      firstRttNs: undefined,
      rstSeen: false,
      closed: false,
      counted: false,
    };
    this.stats.flows++;
    if (this.open.size >= this.maxOpen) {
      // Bounded memory over completeness: the oldest-opened flow ends here, as an idle one would.
      const oldest: Flow = this.open.values().next().value!;
      this.finish(oldest, 'timeout', out);
      this.forget(this.open, oldest);
      this.stats.evictedFlows++;
    }
    this.open.add(flow);
    this.byTuple.set(ip.src, tcp.srcPort, ip.dst, tcp.dstPort, flow);
    out.push({ kind: 'open', flow: info, frame: f.frame, timestampNs: f.timestampNs });
    return flow;
  }

  /** Deliver what is held and end both directions with `reason` (a FIN already reached keeps 'fin'). */
  private finish(flow: Flow, reason: 'timeout' | 'eof', out: EventSink): void {
    for (const h of [flow.c2s, flow.s2c]) {
      h.drain(flow.lastFrame, out);
      h.end(reason, flow.lastFrame, flow.lastTs, out);
    }
    this.count(flow);
  }

  /** Both directions ended: keep only a tombstone for trailing segments. */
  private close(flow: Flow): void {
    flow.closed = true;
    this.count(flow);
    this.open.delete(flow);
    this.closed.add(flow);
    if (this.closed.size > this.maxClosed) {
      const oldest = this.closed.values().next();
      if (!oldest.done) this.forget(this.closed, oldest.value);
    }
  }

  /** Drop a flow from its ordered set and from the tuple table. */
  private forget(set: Set<Flow>, flow: Flow): void {
    set.delete(flow);
    const { client, server } = flow.info;
    this.byTuple.delete(client.ip, client.port, server.ip, server.port);
  }

  private count(flow: Flow): void {
    if (flow.counted) return;
    flow.counted = true;
    if (flow.c2s.segments === 0 || flow.s2c.segments === 0) this.stats.oneSidedFlows++;
  }
}

function isClient(info: FlowInfo, ip: string, port: number): boolean {
  return info.client.port === port && info.client.ip === ip;
}

/** With no handshake captured, the endpoint on a service port is the server. */
function guessSrcIsClient(srcPort: number, dstPort: number): boolean {
  const srcService = srcPort < 1024 || SERVICE_PORTS.has(srcPort);
  const dstService = dstPort < 1024 || SERVICE_PORTS.has(dstPort);
  if (srcService !== dstService) return dstService;
  if (srcService && dstService && srcPort !== dstPort) return srcPort > dstPort;
  return true; // no clue: the first sender is the client
}

/**
 * Sequence space of the payload: what the IP header claims, but never less
 * than what was captured, and never an absurd length from a bad header.
 */
function segmentLength(tcp: TcpSegment): number {
  const claimed = tcp.payloadLength;
  const captured = tcp.payload.length;
  if (!Number.isFinite(claimed) || claimed < captured || claimed > MAX_SEQ_JUMP) return captured;
  return Math.floor(claimed);
}
