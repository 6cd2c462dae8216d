// The one interface behind every capture input, file or live (gopacket's
// PacketSource). Readers stream: they hold at most one read chunk plus one
// record, whatever the size of the capture.
import type { DecodeError } from '../net/decode-error.js';
import type { BeforeReuse, LentBufferReader } from './byte-queue.js';

/**
 * One packet record of the capture, as Wireshark's frame. A reader may hand
 * out objects whose `data` is an accessor (classic pcap makes the view only
 * when it is read): copy a record field by field, not with a spread.
 */
export interface CaptureRecord {
  /** 1-based; every packet record of the file counts, as Wireshark numbers frames. */
  frame: number;
  /** Nanoseconds since the Unix epoch. */
  timestampNs: bigint;
  /** LINKTYPE_* value of the interface the record came from. */
  linkType: number;
  /** Length of the packet on the wire (may exceed data.length when cut by the snap length). */
  origLen: number;
  /**
   * The captured bytes. Valid only until the next batch is pulled: copy what you keep.
   * File readers hand out a plain Uint8Array view into the read chunk (not a Buffer),
   * so `slice()` copies and only `subarray()` would keep the whole chunk alive.
   */
  data: Uint8Array;
  /** pcapng interface index (0 for classic pcap). */
  interfaceId: number;
  /**
   * Where `data` lies, when the reader hands out the read chunk itself (classic
   * pcap): `data` is `chunk.subarray(chunkAt, chunkAt + capLen)`, made only when
   * read, so a decoder that reads a few header bytes can read them here instead
   * and spare a view per record. Valid as long as `data` would be.
   */
  chunk?: Uint8Array;
  chunkAt?: number;
  capLen?: number;
  /** pcapng opt_comment values on this packet, when any. */
  comments?: string[];
}

/** Facts about the file as a whole, known once its header has been read. */
export interface CaptureInfo {
  format: 'pcap' | 'pcapng';
  /** Whether the file was gzip-compressed. */
  gzip: boolean;
  /** Snap length of the (first) interface, 0 when unknown. */
  snapLen: number;
  /** Section or file comments (pcapng shb_comment / if_comment). */
  comments: string[];
  /**
   * pcapng Decryption Secrets Blocks met so far, in file order (`type` is the
   * secrets type: 0x544c534b is a TLS key log). Grows while reading: a DSB comes
   * before the packets it decrypts.
   */
  secrets?: Array<{ type: number; data: Uint8Array }>;
}

export interface CaptureSource {
  readonly info: CaptureInfo;
  /**
   * Records in file order, a batch at a time (one read chunk's worth) so the
   * per-record cost stays a loop iteration, not a promise. Each batch's data is
   * valid until the next batch is pulled.
   */
  batches(signal?: AbortSignal): AsyncIterable<readonly CaptureRecord[]>;
  /**
   * Problems met while reading: a record cut short, garbage after the last
   * record, an impossible length. Reading stops at such a problem and the
   * records before it are still delivered (partial results).
   */
  readonly warnings: readonly DecodeError[];
  /** Number of records delivered so far. */
  readonly recordCount: number;
  /**
   * File and stream readers: lend the read buffers out (ByteQueue.lend). From
   * now on records' bytes stay valid until `beforeReuse` is called with their
   * buffer (a SharedArrayBuffer, so another thread may read them too), which
   * happens at least a batch later than the contract above says. With
   * `reader`, a long regular file is read into those buffers on another
   * thread (ByteQueue.lend).
   */
  lendBuffers?(beforeReuse: BeforeReuse, reader?: LentBufferReader): void;
}

/**
 * The input cannot be read at all (no such file, empty, not a capture).
 * The CLI prints `message` as one line and exits 2.
 */
export class CaptureError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}
