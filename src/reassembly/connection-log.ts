// Facts about each TCP connection attempt that stream reassembly does not
// carry: whether the SYN was answered, who reset it, how many payload bytes
// went each way, and what its first client bytes looked like (TLS or not).
// Diagnosis needs them for connections that never carried a message: a SYN
// with no SYN-ACK, a reset before the answer, an HTTPS check-in it cannot read.
import type { DecodedFrame } from '../net/packet.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../net/packet.js';
import type { Endpoint } from './stream-event.js';
import { sharedEndpoint } from './shared-endpoint.js';
import { TupleTable } from './tuple-table.js';

/** One connection attempt, keyed by its 4-tuple and its SYN. */
export interface ConnectionRecord {
  client: Endpoint;
  server: Endpoint;
  firstFrame: number;
  lastFrame: number;
  firstNs: bigint;
  lastNs: bigint;
  /** Frames of the client's SYNs (retransmissions included). Empty when the capture began mid-connection. */
  synFrames: number[];
  synAckFrame?: number;
  /** Frames of resets, and who sent them. */
  resets: Array<{ frame: number; from: 'client' | 'server' }>;
  finFrames: number[];
  clientBytes: number;
  serverBytes: number;
  /** Frame of the client's first payload byte, and whether it opens a TLS handshake. */
  clientFirstDataFrame?: number;
  tls: boolean;
}

/** Bound on connections remembered; the oldest are summarised out of memory. */
export const MAX_CONNECTIONS = 1_000_000;
/** SYN, FIN and RST frames listed per connection (retransmitted SYNs of a dead server stop here). */
const MAX_FRAMES_LISTED = 16;

/**
 * Most connections keep one SYN, two FINs and no reset for as long as the
 * report runs: each list starts as one shared frozen empty array and grows by
 * a copy of exact size (these frames are rare), not by push, which leaves
 * spare room in an array per connection.
 */
const NO_FRAMES = Object.freeze([]) as unknown as number[];
const NO_RESETS = Object.freeze([]) as unknown as ConnectionRecord['resets'];

function appended<T>(list: T[], item: T): T[] {
  const out = new Array<T>(list.length + 1);
  for (let i = 0; i < list.length; i++) out[i] = list[i];
  out[list.length] = item;
  return out;
}

function isTlsHandshakeStart(p: Uint8Array): boolean {
  // A TLS record: content type 22 (handshake), version 3.x.
  return p.length >= 3 && p[0] === 0x16 && p[1] === 0x03 && p[2] <= 0x04;
}

export interface ConnectionLogOptions {
  /**
   * Connections remembered at most. Beyond it, the oldest closed connections
   * that `keep` does not claim are forgotten (counted in `evicted`): a mirror
   * port sees all-day web traffic, and only the connections diagnosis can
   * use need to stay. @default 8192
   */
  maxKept?: number;
  /** Closed connections that must stay (failed ones, the service's own). @default none */
  keep?: (r: ConnectionRecord) => boolean;
}

export class ConnectionLog {
  /** Open connections by 4-tuple (at most one per tuple, whichever side is the client). */
  private readonly open = new TupleTable<ConnectionRecord>();
  private readonly done = new Set<ConnectionRecord>();
  /** Closed connections in the order they closed, for eviction. */
  private readonly closed: ConnectionRecord[] = [];
  private closedHead = 0;
  private readonly isClosed = new WeakSet<ConnectionRecord>();
  private readonly maxKept: number;
  private readonly keep: (r: ConnectionRecord) => boolean;
  /** Connections forgotten because MAX_CONNECTIONS was reached. */
  dropped = 0;
  /** Closed connections forgotten because of maxKept. */
  evicted = 0;

  constructor(opts: ConnectionLogOptions = {}) {
    this.maxKept = opts.maxKept ?? 8192;
    this.keep = opts.keep ?? (() => false);
  }

  push(f: DecodedFrame): void {
    const tcp = f.tcp;
    const ip = f.ip;
    if (!tcp || !ip) return;
    const isSyn = (tcp.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    let rec = this.open.get(ip.src, tcp.srcPort, ip.dst, tcp.dstPort);
    let fromClient = rec !== undefined && rec.client.port === tcp.srcPort && rec.client.ip === ip.src;
    // A fresh SYN on a tuple whose previous attempt is over (or was answered) starts a new attempt.
    if (rec && isSyn && fromClient && (rec.synAckFrame !== undefined || rec.resets.length > 0 || rec.finFrames.length > 0)) {
      this.retire(rec);
      rec = undefined;
    }
    if (!rec) {
      // Who is the client: the SYN sender; mid-connection, the lower port is the server.
      const isSynAck = (tcp.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
      const srcIsClient = isSyn ? true : isSynAck ? false : tcp.srcPort >= tcp.dstPort;
      const client: Endpoint = srcIsClient ? sharedEndpoint(ip.src, tcp.srcPort) : sharedEndpoint(ip.dst, tcp.dstPort);
      const server: Endpoint = srcIsClient ? sharedEndpoint(ip.dst, tcp.dstPort) : sharedEndpoint(ip.src, tcp.srcPort);
      rec = {
        client,
        server,
        firstFrame: f.frame,
        lastFrame: f.frame,
        firstNs: f.timestampNs,
        lastNs: f.timestampNs,
        synFrames: NO_FRAMES,
        resets: NO_RESETS,
        finFrames: NO_FRAMES,
        clientBytes: 0,
        serverBytes: 0,
        tls: false,
        // Present from the start (as undefined): a property added later goes to a
        // separate property array, one more object per connection kept.
        synAckFrame: undefined,
        clientFirstDataFrame: undefined,
      };
      if (this.open.size + this.done.size >= MAX_CONNECTIONS) this.dropped++;
      else this.open.set(client.ip, client.port, server.ip, server.port, rec);
      fromClient = srcIsClient;
    }
    rec.lastFrame = f.frame;
    rec.lastNs = f.timestampNs;
    if (isSyn && fromClient && rec.synFrames.length < MAX_FRAMES_LISTED) rec.synFrames = appended(rec.synFrames, f.frame);
    if ((tcp.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK) && !fromClient && rec.synAckFrame === undefined) {
      rec.synAckFrame = f.frame;
    }
    if (tcp.flags & TCP_RST && rec.resets.length < MAX_FRAMES_LISTED) rec.resets = appended(rec.resets, { frame: f.frame, from: fromClient ? 'client' : 'server' });
    if (tcp.flags & TCP_FIN && rec.finFrames.length < MAX_FRAMES_LISTED) rec.finFrames = appended(rec.finFrames, f.frame);
    if ((tcp.flags & TCP_RST || rec.finFrames.length >= 2) && !this.isClosed.has(rec)) {
      this.isClosed.add(rec);
      this.closed.push(rec);
    }
    if (tcp.payloadLength > 0) {
      if (fromClient) {
        if (rec.clientFirstDataFrame === undefined) {
          rec.clientFirstDataFrame = f.frame;
          rec.tls = isTlsHandshakeStart(tcp.payload);
        }
        rec.clientBytes += tcp.payloadLength;
      } else {
        rec.serverBytes += tcp.payloadLength;
      }
    }
    if (this.open.size + this.done.size > this.maxKept) this.evict();
  }

  /** Move an open connection (found by its own tuple) to the finished ones. */
  private retire(rec: ConnectionRecord): void {
    this.open.delete(rec.client.ip, rec.client.port, rec.server.ip, rec.server.port);
    this.done.add(rec);
  }

  /** Forget the oldest closed connections nobody needs, while over the bound. */
  private evict(): void {
    while (this.open.size + this.done.size > this.maxKept && this.closedHead < this.closed.length) {
      const r = this.closed[this.closedHead++];
      if (this.keep(r)) continue;
      if (this.open.get(r.client.ip, r.client.port, r.server.ip, r.server.port) === r) {
        this.open.delete(r.client.ip, r.client.port, r.server.ip, r.server.port);
      }
      else this.done.delete(r);
      this.evicted++;
    }
    // Compact the queue now and then instead of shifting it on every eviction.
    if (this.closedHead > 4096 && this.closedHead * 2 > this.closed.length) {
      this.closed.splice(0, this.closedHead);
      this.closedHead = 0;
    }
  }

  /** Every connection attempt remembered, in order of first frame. */
  all(): ConnectionRecord[] {
    return [...this.done, ...this.open.allValues()].sort((x, y) => x.firstFrame - y.firstFrame);
  }
}
