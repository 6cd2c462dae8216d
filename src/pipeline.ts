// The only file that knows every stage. It wires capture records through frame
// decoding, TCP reassembly and HTTP, for files and (later) live captures alike:
// one async edge (the capture source), synchronous stages behind it.
import type { CaptureInfo, CaptureSource } from './capture/source.js';
import type { DecodeError } from './net/decode-error.js';
import type { DecodedFrame } from './net/packet.js';
import { FrameDecoder, type FrameStats } from './net/frame-decoder.js';
import { TcpReassembler, type ReassemblyStats } from './reassembly/tcp-reassembler.js';
import type { StreamEvent } from './reassembly/stream-event.js';
import { HttpExchangeTracker, type HttpExchange } from './http/exchanges.js';

export interface PipelineOptions {
  /** Keep HTTP bodies on the exchanges (for `objects`); otherwise only sizes and hashes. */
  keepBodies?: boolean;
  /** Largest body kept, in bytes. @default 64 MiB */
  maxBodyBytes?: number;
  /** Called for every HTTP exchange as soon as it is complete. */
  onExchange?: (x: HttpExchange) => void;
  /** Called for every decoded frame (valid only during the call: copy what you keep). */
  onFrame?: (f: DecodedFrame) => void;
  /** Called for every TCP stream event, before HTTP sees it (for other protocols over TCP, e.g. DNS). */
  onStreamEvent?: (e: StreamEvent) => void;
  signal?: AbortSignal;
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
}

/** Capture time between idle-flow sweeps. */
const SWEEP_EVERY_NS = 10_000_000_000n;
/**
 * A file is read faster than it was captured, so an idle keep-alive connection
 * that resumes is still one connection to tshark: evict only flows idle for an
 * hour of capture time (memory stays bounded by what is open in that hour).
 */
const IDLE_TIMEOUT_NS = 3_600_000_000_000n;

export async function runPipeline(source: CaptureSource, opts: PipelineOptions = {}): Promise<PipelineResult> {
  const decoder = new FrameDecoder();
  const reassembler = new TcpReassembler({ idleTimeoutNs: IDLE_TIMEOUT_NS });
  const http = new HttpExchangeTracker({ keepBodies: opts.keepBodies ?? false, maxBodyBytes: opts.maxBodyBytes });
  const emit = opts.onExchange ?? (() => {});
  const onStream = opts.onStreamEvent;
  const feed = (events: StreamEvent[]): void => {
    for (const e of events) {
      onStream?.(e);
      for (const x of http.push(e)) emit(x);
    }
  };

  let first: bigint | undefined;
  let last: bigint | undefined;
  let nextSweep: bigint | undefined;
  for await (const batch of source.batches(opts.signal)) {
    for (const rec of batch) {
      if (first === undefined) first = rec.timestampNs;
      last = rec.timestampNs;
      const frame = decoder.decode(rec);
      opts.onFrame?.(frame);
      if (frame.tcp) feed(reassembler.push(frame));
    }
    if (last !== undefined) {
      if (nextSweep === undefined) nextSweep = last + SWEEP_EVERY_NS;
      else if (last >= nextSweep) {
        feed(reassembler.flush('timeout', last));
        nextSweep = last + SWEEP_EVERY_NS;
      }
    }
  }
  feed(reassembler.flush('eof', last ?? 0n));
  for (const x of http.flush()) emit(x);
  decoder.flush(); // counts IP datagrams still waiting for fragments

  return {
    info: source.info,
    records: source.recordCount,
    warnings: [...source.warnings],
    decode: decoder.stats,
    reassembly: reassembler.stats,
    firstTimestampNs: first,
    lastTimestampNs: last,
  };
}
