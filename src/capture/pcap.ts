// Classic libpcap files, read by our own loop over the record headers.
//
// Format: a 24-byte global header (magic, version 2.4, snap length, link type)
// then records of a 16-byte header (seconds, fraction, incl_len, orig_len) and
// incl_len bytes. The magic gives the byte order and whether the fraction is
// microseconds (a1b2c3d4) or nanoseconds (a1b23c4d).
//
// This used to be pcap-parser behind a guard that walked the headers first (it
// knows only the microsecond magic, believes every incl_len, is silent about a
// record cut short, and has no backpressure). The guard was doing all the
// checking already, and pcap-parser's per-record events, header objects,
// Buffer slices and the copy of every chunk made it the slowest stage (about
// 27 MB/s): the guard now makes the records itself, as views into the 1 MiB
// read chunks, with the same warnings.
import type { CaptureInfo, CaptureRecord, CaptureSource } from './source.js';
import { CaptureError } from './source.js';
import type { BeforeReuse, ByteQueue, LentBufferReader } from './byte-queue.js';
import type { DecodeError } from '../net/decode-error.js';
import { plural, WarningList, type ReaderContext } from './warnings.js';

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
/** Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD: no real record is larger. */
export const MAX_RECORD_LENGTH = 262144;

/** The four magics, as the bytes appear at the start of the file. */
const MAGICS: Record<string, { littleEndian: boolean; nano: boolean }> = {
  a1b2c3d4: { littleEndian: false, nano: false },
  d4c3b2a1: { littleEndian: true, nano: false },
  a1b23c4d: { littleEndian: false, nano: true },
  '4d3cb2a1': { littleEndian: true, nano: true },
};

export function isPcapMagic(first4: Uint8Array): boolean {
  return Buffer.from(first4.subarray(0, 4)).toString('hex') in MAGICS;
}

/**
 * Read the global header from `q` (positioned at the start of the file) and
 * return a source for the records. Rejects with CaptureError when the header
 * itself is unusable.
 */
export async function openPcap(q: ByteQueue, ctx: ReaderContext): Promise<CaptureSource> {
  if (!(await q.fill(GLOBAL_HEADER))) {
    throw new CaptureError(
      `upxray: ${ctx.name}: pcap file header cut short (${q.available} of ${GLOBAL_HEADER} bytes)`,
      'pcap.truncated-header',
    );
  }
  const h = q.view().subarray(0, GLOBAL_HEADER);
  const magic = MAGICS[h.subarray(0, 4).toString('hex')];
  if (!magic) throw new CaptureError(`upxray: ${ctx.name}: not a pcap file`, 'pcap.bad-magic');
  const u16 = (o: number) => (magic.littleEndian ? h.readUInt16LE(o) : h.readUInt16BE(o));
  const u32 = (o: number) => (magic.littleEndian ? h.readUInt32LE(o) : h.readUInt32BE(o));
  const major = u16(4);
  const minor = u16(6);
  // libpcap reads only major version 2 (older ones are "archaic").
  if (major !== 2) {
    throw new CaptureError(
      `upxray: ${ctx.name}: unsupported pcap version ${major}.${minor} (only 2.x is readable)`,
      'pcap.unsupported-version',
    );
  }
  const snapLen = u32(16);
  // The top bits of the link-type field carry FCS information (libpcap LT_LINKTYPE).
  const linkType = u32(20) & 0x03ffffff;
  q.skip(GLOBAL_HEADER);
  return new PcapSource(q, ctx, { ...magic, snapLen, linkType });
}

/**
 * A record of a classic pcap file: its bytes stay in the read chunk, and
 * `data`, a view of them, is made only when something reads it (the fast
 * decoder reads the headers from `chunk` at `chunkAt` and needs none).
 */
class PcapRecord implements CaptureRecord {
  private view: Uint8Array | undefined = undefined;

  constructor(
    readonly frame: number,
    readonly timestampNs: bigint,
    readonly linkType: number,
    readonly origLen: number,
    /** A plain view of the whole read chunk: its subarray() is a plain view, whose slice() copies. */
    readonly chunk: Uint8Array,
    readonly chunkAt: number,
    readonly capLen: number,
  ) {}

  get interfaceId(): number {
    return 0;
  }

  get data(): Uint8Array {
    return (this.view ??= this.chunk.subarray(this.chunkAt, this.chunkAt + this.capLen));
  }
}

interface PcapHeaderFacts {
  littleEndian: boolean;
  nano: boolean;
  snapLen: number;
  linkType: number;
}

class PcapSource implements CaptureSource {
  readonly info: CaptureInfo;
  private readonly warn = new WarningList();
  private count = 0;
  private started = false;

  constructor(
    private readonly q: ByteQueue,
    private readonly ctx: ReaderContext,
    private readonly facts: PcapHeaderFacts,
  ) {
    this.info = { format: 'pcap', gzip: ctx.gzip, snapLen: facts.snapLen, comments: [] };
  }

  get warnings(): readonly DecodeError[] {
    return this.warn.list;
  }

  get recordCount(): number {
    return this.count;
  }

  lendBuffers(beforeReuse: BeforeReuse, reader?: LentBufferReader): void {
    this.q.lend(beforeReuse, reader);
  }

  async *batches(signal?: AbortSignal): AsyncIterable<readonly CaptureRecord[]> {
    if (this.started) throw new Error('CaptureSource.batches() can be iterated only once');
    this.started = true;
    const { q, facts } = this;
    const le = facts.littleEndian;
    const fracNs = facts.nano ? 1 : 1000;
    const { snapLen, linkType } = facts;
    // Seconds change rarely from one record to the next: keep their BigInt.
    let lastSec = -1;
    let lastSecNs = 0n;
    // A batch is every record that ends in one read chunk: it is handed on
    // just before the next chunk is read from the file.
    let batch: CaptureRecord[] = [];
    try {
      for (;;) {
        if (batch.length === 0 && signal?.aborted) return;
        // The guard: take the whole records with sane lengths from what is buffered.
        const view = q.view();
        // Read once per chunk, not once per record.
        const chunk = view.buffer;
        const chunkOffset = view.byteOffset;
        const length = view.length;
        const dv = new DataView(chunk, chunkOffset, length);
        // Not a Buffer: records' views come from it, and a Buffer's slice() would not copy.
        const whole = new Uint8Array(chunk, chunkOffset, length);
        let end = 0;
        let fatal = false;
        while (length - end >= RECORD_HEADER) {
          const incl = dv.getUint32(end + 8, le);
          const frame = this.count + 1;
          if (incl > MAX_RECORD_LENGTH) {
            this.warn.add(
              'pcap.incl-len-too-large',
              q.offset + end + 8,
              `record ${frame} claims ${incl} captured bytes, more than the ${MAX_RECORD_LENGTH} any real capture holds; ` +
                `reading stopped after ${plural(this.count, 'record')}`,
              { frame, lenSource: 'pcap.incl_len', required: incl },
            );
            fatal = true;
            break;
          }
          if (length - end - RECORD_HEADER < incl) break;
          if (snapLen > 0 && incl > snapLen) {
            this.warn.addRepeated(
              'pcap.incl-len-over-snaplen',
              q.offset + end + 8,
              (n) =>
                `record ${frame} has ${incl} captured bytes, more than the file's snap length ${snapLen}; ` +
                `${plural(n, 'record')} like this, accepted`,
              { frame, lenSource: 'pcap.incl_len' },
            );
          }
          const sec = dv.getUint32(end, le);
          if (sec !== lastSec) {
            lastSec = sec;
            lastSecNs = BigInt(sec) * 1_000_000_000n;
          }
          this.count = frame;
          batch.push(
            new PcapRecord(
              frame,
              // The fraction is microseconds, or nanoseconds in a nanosecond file (< 2^32 * 1000: exact as a double).
              lastSecNs + BigInt(dv.getUint32(end + 4, le) * fracNs),
              linkType,
              dv.getUint32(end + 12, le),
              whole,
              end + RECORD_HEADER,
              incl,
            ),
          );
          end += RECORD_HEADER + incl;
        }
        // What the next record needs: its header, then all of it (incl is sane: checked above).
        const left = length - end;
        const need = left >= RECORD_HEADER ? RECORD_HEADER + dv.getUint32(end + 8, le) : RECORD_HEADER;
        q.skip(end);
        if (fatal || q.available < need) {
          if (batch.length) yield batch;
          batch = [];
          if (fatal) return;
        }
        // Only the unread tail (part of one record) is copied; the next read lands right after it.
        if (!(await q.fill(need))) {
          this.atEnd();
          return;
        }
      }
    } finally {
      await q.close();
    }
  }

  /** End of input: say what, if anything, was left over. */
  private atEnd(): void {
    const { q } = this;
    const left = q.available;
    const read = plural(this.count, 'record');
    if (q.failure) {
      this.warn.add(
        'pcap.read-error',
        q.offset + left,
        `reading ${this.ctx.name} failed (${q.failure.message}) after ${read}` +
          (left > 0 ? `; ${plural(left, 'byte')} of an incomplete record dropped` : ''),
      );
      return;
    }
    if (left === 0) return;
    if (left < RECORD_HEADER) {
      this.warn.add(
        'pcap.trailing-bytes',
        q.offset,
        `${plural(left, 'byte')} after the last record, too few for a record header; ${read} read`,
        { required: RECORD_HEADER, available: left },
      );
      return;
    }
    const incl = this.facts.littleEndian ? q.view().readUInt32LE(8) : q.view().readUInt32BE(8);
    this.warn.add(
      'pcap.truncated-record',
      q.offset,
      `the capture file appears to have been cut short in the middle of a packet: record ${this.count + 1} ` +
        `needs ${RECORD_HEADER + incl} bytes, ${left} present; ${read} read`,
      { frame: this.count + 1, required: RECORD_HEADER + incl, available: left, lenSource: 'pcap.incl_len' },
    );
  }
}
