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
import { TIME_WAIT_NS } from './time-wait.js';
import { Fifo } from '../util/fifo.js';

/** One connection attempt, keyed by its 4-tuple and its SYN. */
export interface ConnectionRecord {
  client: Endpoint;
  server: Endpoint;
  firstFrame: number;
  lastFrame: number;
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

const NO_FRAMES = Object.freeze([]) as unknown as number[];
const NO_RESETS = Object.freeze([]) as unknown as ConnectionRecord['resets'];

/**
 * A connection as the log keeps it for the whole report: a day's capture has
 * tens of thousands. The first SYN and the two FINs, which most connections
 * have, are kept as numbers instead of arrays, and the lists made when read;
 * frames beyond those, and resets, are in arrays (rare). Frames, not times:
 * the rules and reports place a connection by its frames, and a BigInt kept per
 * connection end was 0.7 MB of a 4 GB capture's heap.
 */
class LoggedConnection implements ConnectionRecord {
  firstFrame: number;
  lastFrame: number;
  synAckFrame: number | undefined = undefined;
  clientBytes = 0;
  serverBytes = 0;
  clientFirstDataFrame: number | undefined = undefined;
  tls = false;
  resets: ConnectionRecord['resets'] = NO_RESETS;
  /** Whether it is in the log's queue of closed connections. */
  queued = false;
  /** SYN and FIN frames listed (at most MAX_FRAMES_LISTED each): the first ones here, the rest in an array. */
  synCount = 0;
  finCount = 0;
  private syn0 = 0;
  private fin0 = 0;
  private fin1 = 0;
  private synRest: number[] | undefined = undefined;
  private finRest: number[] | undefined = undefined;

  constructor(
    readonly client: Endpoint,
    readonly server: Endpoint,
    frame: number,
  ) {
    this.firstFrame = this.lastFrame = frame;
  }

  get synFrames(): number[] {
    if (this.synCount === 0) return NO_FRAMES;
    return this.synRest ? [this.syn0, ...this.synRest] : [this.syn0];
  }

  get finFrames(): number[] {
    if (this.finCount === 0) return NO_FRAMES;
    if (this.finCount === 1) return [this.fin0];
    return this.finRest ? [this.fin0, this.fin1, ...this.finRest] : [this.fin0, this.fin1];
  }

  seen(frame: number): void {
    this.lastFrame = frame;
  }

  addSyn(frame: number): void {
    if (this.synCount === 0) this.syn0 = frame;
    else (this.synRest ??= []).push(frame);
    this.synCount++;
  }

  addFin(frame: number): void {
    if (this.finCount === 0) this.fin0 = frame;
    else if (this.finCount === 1) this.fin1 = frame;
    else (this.finRest ??= []).push(frame);
    this.finCount++;
  }

  /** Everything it holds, as JSON text (ConnectionLogOptions.aside). */
  toRecord(): string {
    return JSON.stringify([
      this.client.ip, this.client.port, this.server.ip, this.server.port, this.firstFrame, this.lastFrame, this.synAckFrame ?? null,
      this.clientBytes, this.serverBytes, this.clientFirstDataFrame ?? null, this.tls, this.resets, this.queued,
      this.synCount, this.finCount, this.syn0, this.fin0, this.fin1, this.synRest ?? null, this.finRest ?? null,
    ]);
  }

  /** The connection toRecord() made `text` of. */
  static fromRecord(text: string): LoggedConnection {
    const r = JSON.parse(text) as [string, number, string, number, number, number, number | null, number, number, number | null, boolean, ConnectionRecord['resets'], boolean, number, number, number, number, number, number[] | null, number[] | null];
    const c = new LoggedConnection(sharedEndpoint(r[0], r[1]), sharedEndpoint(r[2], r[3]), r[4]);
    c.lastFrame = r[5];
    c.synAckFrame = r[6] ?? undefined;
    c.clientBytes = r[7];
    c.serverBytes = r[8];
    c.clientFirstDataFrame = r[9] ?? undefined;
    c.tls = r[10];
    c.resets = r[11].length ? r[11] : NO_RESETS;
    c.queued = r[12];
    c.synCount = r[13];
    c.finCount = r[14];
    c.syn0 = r[15];
    c.fin0 = r[16];
    c.fin1 = r[17];
    c.synRest = r[18] ?? undefined;
    c.finRest = r[19] ?? undefined;
    return c;
  }

  /** The same facts as a plain object (to cross threads: structured clone drops accessors). */
  plain(): ConnectionRecord {
    return {
      client: this.client,
      server: this.server,
      firstFrame: this.firstFrame,
      lastFrame: this.lastFrame,
      synFrames: this.synFrames,
      synAckFrame: this.synAckFrame,
      resets: this.resets,
      finFrames: this.finFrames,
      clientBytes: this.clientBytes,
      serverBytes: this.serverBytes,
      clientFirstDataFrame: this.clientFirstDataFrame,
      tls: this.tls,
    };
  }
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
  /**
   * Where connections that must stay are put once closed and quiet, out of
   * memory (a day's capture has tens of thousands); a frame of one that comes
   * after all brings it back. Only those with a SYN-ACK: `keep` must not turn
   * false for them (for a failed one, a late SYN-ACK may). all() then lists
   * the others. Absent: every one stays in memory.
   */
  aside?: ConnectionsAside;
  /** Closed connections kept in memory before they are put aside. @default ASIDE_AFTER_CLOSES */
  asideAfterCloses?: number;
  /**
   * Capture time after which the way back to a connection put aside (its
   * tuple's entry) is forgotten, at the next close: a frame of it after that
   * starts a new connection, as it starts a new flow in the reassembler. @default TIME_WAIT_NS
   */
  forgetAsideAfterNs?: bigint;
  /** Told when the tuple of a connection put aside is forgotten (the caller may forget what it keeps by tuple). */
  forgotten?: (client: Endpoint, server: Endpoint) => void;
}

/** A store for connection records (ConnectionLogOptions.aside). */
export interface ConnectionsAside {
  /** Keep a connection's record (LoggedConnection.toRecord); the number it is known by. */
  put(record: string, firstFrame: number, clientIp: string): number;
  /** The record put aside as `n`, which the store then forgets. */
  take(n: number): string;
}

/** A connection put aside (ConnectionsAside), from its record. */
export function connectionOfRecord(record: string): ConnectionRecord {
  return LoggedConnection.fromRecord(record);
}

/**
 * Closed connections kept in memory before they are put aside (aside): a
 * closed connection's last ACK, and a resent FIN, come within a few
 * connections' time; later ones bring it back.
 */
export const ASIDE_AFTER_CLOSES = 256;

/** A connection put aside: its tuple leads to `n` until it is forgotten, at `forgetAtNs`. */
interface AsideTuple {
  client: Endpoint;
  server: Endpoint;
  n: number;
  forgetAtNs: bigint;
}

export class ConnectionLog {
  /**
   * Connections by 4-tuple (at most one per tuple, whichever side is the
   * client), until a new SYN on the tuple retires them to `done`; a number
   * stands for one put aside (opts.aside).
   */
  private readonly open = new TupleTable<LoggedConnection | number>();
  private readonly done = new Set<LoggedConnection>();
  /** Closed connections in the order they closed, for eviction. */
  private readonly closed = new Fifo<LoggedConnection>();
  private readonly maxKept: number;
  private readonly keep: (r: ConnectionRecord) => boolean;
  private readonly aside: ConnectionsAside | undefined;
  /** Closed connections in the order they closed, waiting asideAfterCloses closes before they are put aside. */
  private readonly settling = new Fifo<LoggedConnection>();
  private readonly asideAfterCloses: number;
  /** Connections put aside, oldest first, whose tuples are forgotten forgetAsideAfterNs later. */
  private readonly asideTuples = new Fifo<AsideTuple>();
  private readonly forgetAsideAfterNs: bigint;
  private readonly forgotten: ConnectionLogOptions['forgotten'];
  /**
   * Connections put aside whose tuple was forgotten. They are still the log's
   * (on the shelf) and count against its bounds as they did with a tuple: a
   * capture's report does not change with when they were forgotten.
   */
  tuplesForgotten = 0;
  /** Connections forgotten because MAX_CONNECTIONS was reached. */
  dropped = 0;
  /** Closed connections forgotten because of maxKept. */
  evicted = 0;

  constructor(opts: ConnectionLogOptions = {}) {
    this.maxKept = opts.maxKept ?? 8192;
    this.keep = opts.keep ?? (() => false);
    this.aside = opts.aside;
    this.asideAfterCloses = opts.asideAfterCloses ?? ASIDE_AFTER_CLOSES;
    this.forgetAsideAfterNs = opts.forgetAsideAfterNs ?? TIME_WAIT_NS;
    this.forgotten = opts.forgotten;
  }

  /** Connections remembered: in memory, and put aside (with their tuple or without). */
  private get remembered(): number {
    return this.open.size + this.done.size + this.tuplesForgotten;
  }

  push(f: DecodedFrame): void {
    const tcp = f.tcp;
    const ip = f.ip;
    if (!tcp || !ip) return;
    const isSyn = (tcp.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    const found = this.open.get(ip.src, tcp.srcPort, ip.dst, tcp.dstPort);
    let rec = typeof found === 'number' ? this.bringBack(found) : found;
    let fromClient = rec !== undefined && rec.client.port === tcp.srcPort && rec.client.ip === ip.src;
    // A fresh SYN on a tuple whose previous attempt is over (or was answered) starts a new attempt.
    if (rec && isSyn && fromClient && (rec.synAckFrame !== undefined || rec.resets.length > 0 || rec.finCount > 0)) {
      this.retire(rec);
      rec = undefined;
    }
    if (!rec) {
      // Who is the client: the SYN sender; mid-connection, the lower port is the server.
      const isSynAck = (tcp.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
      const srcIsClient = isSyn ? true : isSynAck ? false : tcp.srcPort >= tcp.dstPort;
      const client: Endpoint = srcIsClient ? sharedEndpoint(ip.src, tcp.srcPort) : sharedEndpoint(ip.dst, tcp.dstPort);
      const server: Endpoint = srcIsClient ? sharedEndpoint(ip.dst, tcp.dstPort) : sharedEndpoint(ip.src, tcp.srcPort);
      rec = new LoggedConnection(client, server, f.frame);
      if (this.remembered >= MAX_CONNECTIONS) this.dropped++;
      else this.open.set(client.ip, client.port, server.ip, server.port, rec);
      fromClient = srcIsClient;
    }
    rec.seen(f.frame);
    if (isSyn && fromClient && rec.synCount < MAX_FRAMES_LISTED) rec.addSyn(f.frame);
    if ((tcp.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK) && !fromClient && rec.synAckFrame === undefined) {
      rec.synAckFrame = f.frame;
    }
    // Resets are rare: a new array per reset keeps no spare room.
    if (tcp.flags & TCP_RST && rec.resets.length < MAX_FRAMES_LISTED) rec.resets = [...rec.resets, { frame: f.frame, from: fromClient ? 'client' : 'server' }];
    if (tcp.flags & TCP_FIN && rec.finCount < MAX_FRAMES_LISTED) rec.addFin(f.frame);
    if ((tcp.flags & TCP_RST || rec.finCount >= 2) && !rec.queued) {
      rec.queued = true;
      // One that will be put aside is never evicted: the eviction queue would only keep it alive.
      if (!this.aside || rec.synAckFrame === undefined || !this.keep(rec)) this.closed.push(rec);
      if (this.aside) this.settling.push(rec);
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
    if (this.remembered > this.maxKept) this.evict();
    if (this.settling.size > this.asideAfterCloses) this.settle(f.timestampNs);
  }

  /** Move an open connection (found by its own tuple) to the finished ones, or aside when it must stay. */
  private retire(rec: LoggedConnection): void {
    this.open.delete(rec.client.ip, rec.client.port, rec.server.ip, rec.server.port);
    if (this.aside && this.keep(rec)) this.aside.put(rec.toRecord(), rec.firstFrame, rec.client.ip);
    else this.done.add(rec);
  }

  /**
   * Put aside the connections closed asideAfterCloses closes ago that must
   * stay, and will: a later frame can add a SYN-ACK to one that had none,
   * and `keep` may then let it go (evict), so those stay here.
   */
  private settle(nowNs: bigint): void {
    // Here rather than at every frame: a close comes often enough, and a frame pays nothing.
    this.forgetQuietTuples(nowNs);
    const aside = this.aside!;
    while (this.settling.size > this.asideAfterCloses) {
      const r = this.settling.shift()!;
      const { client, server } = r;
      if (this.open.get(client.ip, client.port, server.ip, server.port) !== r || r.synAckFrame === undefined || !this.keep(r)) continue;
      const n = aside.put(r.toRecord(), r.firstFrame, client.ip);
      this.open.set(client.ip, client.port, server.ip, server.port, n);
      this.asideTuples.push({ client, server, n, forgetAtNs: nowNs + this.forgetAsideAfterNs });
    }
  }

  /**
   * Forget the tuples of connections put aside forgetAsideAfterNs or more
   * before `nowNs` (the time of a close), unless a frame brought the connection
   * back since (the tuple then leads elsewhere): kept for the whole capture,
   * they grew with it (about 100 bytes a connection).
   */
  private forgetQuietTuples(nowNs: bigint): void {
    for (let t = this.asideTuples.peek(); t && nowNs >= t.forgetAtNs; t = this.asideTuples.peek()) {
      this.asideTuples.shift();
      const { client, server } = t;
      if (this.open.get(client.ip, client.port, server.ip, server.port) !== t.n) continue;
      this.open.delete(client.ip, client.port, server.ip, server.port);
      this.tuplesForgotten++;
      this.forgotten?.(client, server);
    }
  }

  /** A connection put aside, back in its place (a frame of it came after all); it may be put aside again. */
  private bringBack(n: number): LoggedConnection {
    const rec = LoggedConnection.fromRecord(this.aside!.take(n));
    this.open.set(rec.client.ip, rec.client.port, rec.server.ip, rec.server.port, rec);
    if (rec.queued) this.settling.push(rec);
    return rec;
  }

  /** Forget the oldest closed connections nobody needs, while over the bound. */
  private evict(): void {
    while (this.remembered > this.maxKept && this.closed.size > 0) {
      const r = this.closed.shift()!;
      // One put aside (or brought back since) is one that must stay.
      if (this.keep(r)) continue;
      if (this.open.get(r.client.ip, r.client.port, r.server.ip, r.server.port) === r) {
        this.open.delete(r.client.ip, r.client.port, r.server.ip, r.server.port);
      }
      else this.done.delete(r);
      this.evicted++;
    }
  }

  /** Every connection attempt remembered (but those put aside), in order of first frame. */
  all(): ConnectionRecord[] {
    const open: LoggedConnection[] = [];
    for (const r of this.open.allValues()) if (typeof r !== 'number') open.push(r);
    return [...this.done, ...open].sort((x, y) => x.firstFrame - y.firstFrame);
  }

  /** all() as plain objects, which survive a structured clone (to another thread). */
  allPlain(): ConnectionRecord[] {
    return this.all().map((c) => (c as LoggedConnection).plain());
  }
}
