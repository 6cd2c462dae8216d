// The only file that knows every stage. It wires capture records through frame
// decoding, TCP reassembly, TLS decryption and HTTP, for files and live
// captures alike: one async edge (the capture source), synchronous stages behind it.
import type { CaptureInfo, CaptureSource } from './capture/source.js';
import type { DecodeError } from './net/decode-error.js';
import type { DecodedFrame } from './net/packet.js';
import { FrameDecoder, type FrameStats } from './net/frame-decoder.js';
import { TcpReassembler, type ReassemblyStats } from './reassembly/tcp-reassembler.js';
import type { StreamEvent } from './reassembly/stream-event.js';
import { TIME_WAIT_NS } from './reassembly/time-wait.js';
import { HttpExchangeTracker, type HttpExchange } from './http/exchanges.js';
import type { KeepBody } from './http/http1-parser.js';
import { KeyLog } from './tls/key-log.js';
import type { RsaKeyEntry } from './tls/rsa-key.js';
import { TlsSessionLayer, type SessionEvent, type TlsAlertEvent, type TlsInfoEvent, type TlsUndecryptableEvent } from './tls/tls-session.js';
import { shardOf, UNSHARDED } from './parallel/shard-of.js';
import { HashThread } from './parallel/hash-thread.js';
import { keepHeapAtWorkingSize } from './util/heap-policy.js';

/** Keys for TLS decryption: the server's RSA keys and a key log. */
export interface TlsKeys {
  rsaKeys: readonly RsaKeyEntry[];
  keyLog: KeyLog;
}

/** What the TLS layer said about each TLS connection. */
export interface TlsReport {
  sessions: TlsInfoEvent[];
  undecryptable: TlsUndecryptableEvent[];
  alerts: TlsAlertEvent[];
}

/** pcapng DSB secrets type of a TLS key log ('TLSK'). */
const DSB_TLS_KEY_LOG = 0x544c534b;
/** TLS events kept for the report; more are counted, not kept. */
const MAX_TLS_EVENTS = 100_000;

export interface PipelineOptions {
  /** Keep HTTP bodies on the exchanges (for `objects`); otherwise only sizes and hashes. */
  keepBodies?: boolean;
  /** Largest body kept, in bytes. @default 64 MiB */
  maxBodyBytes?: number;
  /** Which bodies keepBodies keeps (the rest are counted and hashed only). @default all */
  keepBody?: KeepBody;
  /** Called for every HTTP exchange as soon as it is complete. */
  onExchange?: (x: HttpExchange) => void;
  /** Called for every decoded frame (valid only during the call: copy what you keep). */
  onFrame?: (f: DecodedFrame) => void;
  /** Called for every TCP stream event, before HTTP sees it (for other protocols over TCP, e.g. DNS). */
  onStreamEvent?: (e: StreamEvent) => void;
  /** Keys to decrypt HTTPS with; key logs embedded in the capture (pcapng DSB) are added to them. */
  tls?: TlsKeys;
  signal?: AbortSignal;
  /**
   * Decode only the frames of this shard (worker threads sharded by flow,
   * parallel/shard-of.ts); shard 0 also takes every frame no shard claims.
   */
  shard?: { index: number; count: number };
  /** Open TCP flows tracked at once. @default DEFAULT_MAX_OPEN_FLOWS */
  maxOpenFlows?: number;
  /**
   * Hash long bodies that are not kept on a second thread (parallel/hash-thread.ts).
   * Their `bodySha256` is empty while onExchange sees them and set by the time the
   * pipeline returns: for callers that read digests only at the end. @default false
   */
  hashThread?: boolean;
  /**
   * Keep V8's heap at its working size (util/heap-policy.ts): the young
   * generation held, the old one collected when it has grown. V8's flags are
   * the whole process's: pipelines that run beside others (shards) leave them
   * alone, as one holding the young generation would stop the others' where
   * they stood. @default true
   */
  heapPolicy?: boolean;
}

export interface PipelineResult {
  info: CaptureInfo;
  records: number;
  /** Capture-level problems (cut-short file...), then decoding problems worth a line. */
  warnings: DecodeError[];
  decode: FrameStats;
  reassembly: ReassemblyStats;
  firstTimestampNs?: bigint;
  lastTimestampNs?: bigint;
  tls: TlsReport;
  /**
   * Sharded runs (shard 0): frames no shard claimed that turned out to be TCP
   * of a connection another shard could own. Non-zero means the shards do not
   * add up to the single-threaded run.
   */
  unshardedTcp: number;
  /** Bodies hashed on the second thread (opts.hashThread). */
  offThreadBodies: number;
}

/** Capture time between idle-flow sweeps. */
const SWEEP_EVERY_NS = 10_000_000_000n;
/**
 * A file is read faster than it was captured, so an idle keep-alive connection
 * that resumes is still one connection to tshark: evict only flows idle for an
 * hour of capture time (memory stays bounded by what is open in that hour).
 */
const IDLE_TIMEOUT_NS = 3_600_000_000_000n;
/**
 * A closed connection's tombstone takes its trailing segments for TIME_WAIT_NS
 * of capture time. Kept for the idle hour instead, a day's capture held
 * thousands of them.
 */
const CLOSED_TIMEOUT_NS = TIME_WAIT_NS;

export async function runPipeline(source: CaptureSource, opts: PipelineOptions = {}): Promise<PipelineResult> {
  const decoder = new FrameDecoder();
  const reassembler = new TcpReassembler({ idleTimeoutNs: IDLE_TIMEOUT_NS, closedTimeoutNs: CLOSED_TIMEOUT_NS, maxOpenFlows: opts.maxOpenFlows });
  const hashThread = opts.hashThread ? new HashThread() : undefined;
  // Body bytes are read where they were read from the file, by the reassembler
  // (which copies only what it still needs when a buffer comes round again) and
  // the hashing thread (which is waited for, if it is still reading it). The
  // hashing thread also reads a long file into those buffers.
  if (source.lendBuffers) {
    reassembler.readBuffersLent();
    source.lendBuffers(
      (buffer) => {
        reassembler.beforeReuse(buffer);
        hashThread?.beforeReuse(buffer);
      },
      hashThread && ((fd, into, at, length, pos) => hashThread.read(fd, into, at, length, pos)),
    );
  }
  const http = new HttpExchangeTracker({
    keepBodies: opts.keepBodies ?? false,
    maxBodyBytes: opts.maxBodyBytes,
    keepBody: opts.keepBody,
    hasher: hashThread,
  });
  const keyLog = opts.tls?.keyLog ?? new KeyLog();
  const tls = new TlsSessionLayer({ rsaKeys: opts.tls?.rsaKeys ?? [], keyLog });
  const report: TlsReport = { sessions: [], undecryptable: [], alerts: [] };
  let secretsSeen = 0;
  const emit = opts.onExchange ?? (() => {});
  const onStream = opts.onStreamEvent;
  // Indexed loops: the arrays come from several places (some shared and frozen),
  // and for-of over them made an iterator result per element.
  const deliver = (events: readonly SessionEvent[]): void => {
    for (let i = 0; i < events.length; i++) {
      const s = events[i];
      if (s.kind === 'tls-info') keep(report.sessions, s);
      else if (s.kind === 'tls-undecryptable') keep(report.undecryptable, s);
      else if (s.kind === 'tls-alert') keep(report.alerts, s);
      else {
        const done = http.push(s);
        for (let j = 0; j < done.length; j++) emit(done[j]);
      }
    }
  };
  const feedOne = (e: StreamEvent): void => {
    onStream?.(e);
    // TLS passes other flows' events through untouched and turns TLS flows into plaintext.
    deliver(tls.accept(e));
  };
  const feed = (events: readonly StreamEvent[]): void => {
    for (let i = 0; i < events.length; i++) feedOne(events[i]);
  };

  let first: bigint | undefined;
  let last: bigint | undefined;
  let nextSweep: bigint | undefined;
  let unshardedTcp = 0;
  const shard = opts.shard;
  const heapPolicy = opts.heapPolicy !== false;
  try {
    for await (const batch of source.batches(opts.signal)) {
      // Key logs embedded in the capture come before the packets they decrypt.
      const secrets = source.info.secrets;
      while (secrets && secretsSeen < secrets.length) {
        const dsb = secrets[secretsSeen++];
        if (dsb.type === DSB_TLS_KEY_LOG) keyLog.addFromText(Buffer.from(dsb.data).toString('utf8'), 'dsb');
      }
      for (const rec of batch) {
        const ts = rec.timestampNs;
        if (first === undefined) first = ts;
        last = ts;
        // Idle flows end on the capture's clock, checked at every record (of every
        // shard) so that neither read sizes nor threads move the moment they end.
        if (nextSweep === undefined) nextSweep = ts + SWEEP_EVERY_NS;
        else if (ts >= nextSweep) {
          feed(reassembler.flush('timeout', ts));
          nextSweep = ts + SWEEP_EVERY_NS;
        }
        let unclaimed = false;
        if (shard) {
          const s = shardOf(rec, shard.count);
          if (s !== shard.index) {
            if (s !== UNSHARDED || shard.index !== 0) continue;
            unclaimed = true;
          }
        }
        // Nothing below keeps the frame object (onFrame's contract): one object serves every frame.
        const frame = decoder.decodeTransient(rec);
        if (unclaimed && frame.tcp && frame.tcp.srcPort !== 53 && frame.tcp.dstPort !== 53) unshardedTcp++;
        opts.onFrame?.(frame);
        if (frame.tcp) reassembler.pushEach(frame, feedOne);
      }
      hashThread?.poll();
      if (heapPolicy) keepHeapAtWorkingSize();
    }
    feed(reassembler.flush('eof', last ?? 0n));
    deliver(tls.flush());
    for (const x of http.flush()) emit(x);
    // The last digests, before anyone reads them.
    hashThread?.settle();
  } finally {
    hashThread?.close();
  }
  decoder.flush(); // counts IP datagrams still waiting for fragments

  return {
    info: source.info,
    records: source.recordCount,
    warnings: [...source.warnings],
    decode: decoder.stats,
    reassembly: reassembler.stats,
    firstTimestampNs: first,
    lastTimestampNs: last,
    tls: report,
    unshardedTcp,
    offThreadBodies: hashThread?.bodies ?? 0,
  };
}

function keep<T>(list: T[], e: T): void {
  if (list.length < MAX_TLS_EVENTS) list.push(e);
}
