// pcapng files, read by our own streaming block walker.
//
// Format (draft-ietf-opsawg-pcapng): a file is a run of blocks, each
//   type u32 | total length u32 | body | total length u32 (again)
// in the byte order of its section. A Section Header Block (SHB) starts each
// section, says the byte order with its 0x1A2B3C4D magic, and forgets the
// interfaces of the previous section. Interface Description Blocks (IDB)
// number the interfaces of a section from 0; packets refer to them by index.
// Packet blocks are the Enhanced (EPB), Simple (SPB, interface 0, no
// timestamp) and the obsolete Packet Block (PB). Every other block is skipped
// by its length.
import type { CaptureInfo, CaptureRecord, CaptureSource } from './source.js';
import { CaptureError } from './source.js';
import type { BeforeReuse, ByteQueue, LentBufferReader } from './byte-queue.js';
import type { DecodeError } from '../net/decode-error.js';
import { plural, WarningList, type ReaderContext } from './warnings.js';

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 0x00000001;
export const BLOCK_PB = 0x00000002;
export const BLOCK_SPB = 0x00000003;
export const BLOCK_EPB = 0x00000006;
/** Decryption Secrets Block (TLS key logs embedded by `editcap --inject-secrets`). */
export const BLOCK_DSB = 0x0000000a;
/** DSBs kept per file: each is at most a block (16 MiB), so bound their number too. */
const MAX_SECRETS_BLOCKS = 64;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/**
 * Blocks that are not packets but that Wireshark (4.0) still lists as frames:
 * custom blocks (copiable and not), systemd journal export entries and sysdig
 * event blocks. They take a frame number, so that our frame N is Wireshark's
 * frame N, and are not delivered.
 */
export const NON_PACKET_FRAME_BLOCKS: ReadonlySet<number> = new Set([
  0x00000bad, 0x40000bad, 0x00000009, 0x00000204, 0x00000208, 0x00000216, 0x00000217, 0x00000221, 0x00000222,
]);
/** Larger blocks are refused before anything is buffered (Wireshark caps blocks near this size too). */
export const MAX_BLOCK_LENGTH = 16 * 1024 * 1024;
const MIN_BLOCK_LENGTH = 12;
const MIN_SHB_LENGTH = 28;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

export function isPcapngMagic(first4: Uint8Array): boolean {
  return first4[0] === 0x0a && first4[1] === 0x0d && first4[2] === 0x0d && first4[3] === 0x0a;
}

/** An interface of the current section. */
interface Iface {
  linkType: number;
  snapLen: number;
  /** if_tsresol: the timestamp unit is 10^-exp (pow10) or 2^-exp seconds. */
  pow10: boolean;
  exp: number;
  /** if_tsoffset in nanoseconds (seconds to add to every timestamp). */
  offsetNs: bigint;
  /** Multiplier (units coarser than 1 ns) or divisor (finer) for power-of-10 units. */
  scale: bigint;
}

/**
 * Little/big endian reads over one block, at offsets from the block start.
 * It indexes the queue's buffer instead of making a view per block: at a
 * million blocks, views are most of the garbage.
 */
class BlockView {
  constructor(
    private readonly buf: Buffer,
    private readonly start: number,
    readonly length: number,
    readonly le: boolean,
  ) {}
  u16(o: number): number {
    return this.le ? this.buf.readUInt16LE(this.start + o) : this.buf.readUInt16BE(this.start + o);
  }
  u32(o: number): number {
    return this.le ? this.buf.readUInt32LE(this.start + o) : this.buf.readUInt32BE(this.start + o);
  }
  sub(from: number, to: number): Buffer {
    return this.buf.subarray(this.start + from, this.start + to);
  }
  /** A plain view, not a Buffer: its slice() copies, so whoever keeps a piece of a packet keeps only that piece. */
  bytes(from: number, to: number): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.start + from, to - from);
  }
}

interface OptionValue {
  code: number;
  value: Buffer;
}

/**
 * Walk a block's options (code u16, length u16, value padded to 4 bytes).
 * Returns what was readable and whether the list ran past the block.
 */
function readOptions(v: BlockView, start: number, end: number): { options: OptionValue[]; bad: boolean } {
  const options: OptionValue[] = [];
  let o = start;
  while (o + 4 <= end) {
    const code = v.u16(o);
    const len = v.u16(o + 2);
    if (code === OPT_ENDOFOPT) return { options, bad: false };
    if (o + 4 + len > end) return { options, bad: true };
    options.push({ code, value: v.sub(o + 4, o + 4 + len) });
    o += 4 + ((len + 3) & ~3);
  }
  // A list that stops without opt_endofopt is allowed; leftover bytes fewer than an option header are not.
  return { options, bad: o !== end && o < end };
}

const utf8 = new TextDecoder('utf-8');

function comments(options: OptionValue[]): string[] {
  return options.filter((x) => x.code === OPT_COMMENT).map((x) => utf8.decode(x.value));
}

function blockTypeName(type: number): string {
  return type === BLOCK_EPB ? 'Enhanced Packet Block' : type === BLOCK_SPB ? 'Simple Packet Block' : type === BLOCK_PB ? 'Packet Block' : `block of type 0x${type.toString(16).padStart(8, '0')}`;
}

/** How a block header read at the queue position turned out. */
type Header =
  | { kind: 'need'; bytes: number }
  | { kind: 'bad' }
  | { kind: 'ok'; type: number; length: number; le: boolean };

/**
 * Check the first Section Header Block and return a source for the file.
 * Rejects with CaptureError when even the first SHB is unusable.
 */
export async function openPcapng(q: ByteQueue, ctx: ReaderContext): Promise<CaptureSource> {
  const fail = (what: string, code: string): never => {
    throw new CaptureError(`upxray: ${ctx.name}: ${what}`, code);
  };
  if (!(await q.fill(12))) fail(`pcapng section header cut short (${q.available} bytes)`, 'pcapng.truncated-header');
  const h = q.view();
  const le = h.readUInt32LE(8) === BYTE_ORDER_MAGIC ? true : h.readUInt32BE(8) === BYTE_ORDER_MAGIC ? false : undefined;
  if (le === undefined) fail(`bad pcapng byte-order magic ${h.subarray(8, 12).toString('hex')}`, 'pcapng.bad-byte-order-magic');
  const length = le ? h.readUInt32LE(4) : h.readUInt32BE(4);
  if (length < MIN_SHB_LENGTH || length % 4 !== 0 || length > MAX_BLOCK_LENGTH) {
    fail(`bad pcapng section header length ${length}`, 'pcapng.bad-block-length');
  }
  if (!(await q.fill(length))) fail(`pcapng section header cut short (${q.available} of ${length} bytes)`, 'pcapng.truncated-header');
  const v = new BlockView(q.buffer, q.position, length, le!);
  if (v.u32(length - 4) !== length) fail('pcapng section header trailing length does not match', 'pcapng.bad-trailing-length');
  const major = v.u16(12);
  if (major !== 1) fail(`unsupported pcapng version ${major}.${v.u16(14)}`, 'pcapng.unsupported-version');
  const source = new PcapngSource(q, ctx);
  await source.prime();
  return source;
}

class PcapngSource implements CaptureSource {
  readonly info: CaptureInfo;
  private readonly warn = new WarningList();
  /** Records delivered. */
  private count = 0;
  /** The last frame number given out (packets delivered or not, and non-packet frames). */
  private frame = 0;
  private started = false;
  private le = true;
  private ifaces: Iface[] = [];
  private sawIdb = false;
  private stopped = false;

  constructor(
    private readonly q: ByteQueue,
    private readonly ctx: ReaderContext,
  ) {
    this.info = { format: 'pcapng', gzip: ctx.gzip, snapLen: 0, comments: [] };
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

  /**
   * Read the blocks before the first packet (SHB, IDBs), so `info` holds the
   * snap length and comments once the source is open. Stops at the first IDB
   * or packet block.
   */
  async prime(): Promise<void> {
    while (!this.stopped && !this.sawIdb) {
      const h = this.header();
      if (h.kind === 'bad') return;
      if (h.kind === 'need') {
        if (!(await this.q.fill(h.bytes))) return; // batches() reports the end
        continue;
      }
      if (h.type === BLOCK_EPB || h.type === BLOCK_SPB || h.type === BLOCK_PB) return;
      if (!(await this.q.fill(h.length))) return;
      this.block(h.type, h.length, h.le, []);
    }
  }

  async *batches(signal?: AbortSignal): AsyncIterable<readonly CaptureRecord[]> {
    if (this.started) throw new Error('CaptureSource.batches() can be iterated only once');
    this.started = true;
    const { q } = this;
    try {
      // A batch is every packet that ends in one read chunk: it is handed on
      // just before the next chunk is read from the file.
      let batch: CaptureRecord[] = [];
      while (!this.stopped) {
        if (batch.length === 0 && signal?.aborted) return;
        let need = 0;
        // Every whole block already buffered goes into this batch.
        while (!this.stopped) {
          const h = this.header();
          if (h.kind === 'bad') break;
          if (h.kind === 'need') {
            need = h.bytes;
            break;
          }
          if (q.available < h.length) {
            need = h.length;
            break;
          }
          this.block(h.type, h.length, h.le, batch);
        }
        if (this.stopped || q.available < need) {
          if (batch.length) yield batch;
          batch = [];
          if (this.stopped) return;
        }
        // Only the unread tail (part of one block) is copied; the next read lands right after it.
        if (!(await q.fill(need))) {
          this.atEnd();
          return;
        }
      }
    } finally {
      await q.close();
    }
  }

  /** Read and check the header of the block at the queue position. */
  private header(): Header {
    const { q } = this;
    // Indexes into the queue's buffer at its read position p, without a view.
    const b = q.buffer;
    const p = q.position;
    if (q.available < 8) return { kind: 'need', bytes: 8 };
    let le = this.le;
    const isShb = b.readUInt32LE(p) === BLOCK_SHB;
    if (isShb) {
      // A new section may switch byte order: its magic decides how to read its length.
      if (q.available < 12) return { kind: 'need', bytes: 12 };
      if (b.readUInt32LE(p + 8) === BYTE_ORDER_MAGIC) le = true;
      else if (b.readUInt32BE(p + 8) === BYTE_ORDER_MAGIC) le = false;
      else {
        this.fatal(
          'pcapng.bad-byte-order-magic',
          q.offset + 8,
          `a Section Header Block has the byte-order magic ${b.subarray(p + 8, p + 12).toString('hex')}`,
        );
        return { kind: 'bad' };
      }
    }
    const type = le ? b.readUInt32LE(p) : b.readUInt32BE(p);
    const length = le ? b.readUInt32LE(p + 4) : b.readUInt32BE(p + 4);
    const min = isShb ? MIN_SHB_LENGTH : MIN_BLOCK_LENGTH;
    if (length < min || length % 4 !== 0 || length > MAX_BLOCK_LENGTH) {
      const why = length > MAX_BLOCK_LENGTH ? `more than the ${MAX_BLOCK_LENGTH} allowed` : length < min ? `less than the minimum ${min}` : 'not a multiple of 4';
      this.fatal('pcapng.bad-block-length', q.offset + 4, `a ${blockTypeName(type)} claims a total length of ${length} bytes, ${why}`, {
        lenSource: 'pcapng.block_total_length',
        required: length,
      });
      return { kind: 'bad' };
    }
    return { kind: 'ok', type, length, le };
  }

  /** Handle one whole block at the queue position and step past it. */
  private block(type: number, length: number, le: boolean, batch: CaptureRecord[]): void {
    const { q } = this;
    const at = q.offset;
    const v = new BlockView(q.buffer, q.position, length, le);
    if (v.u32(length - 4) !== length) {
      this.fatal(
        'pcapng.bad-trailing-length',
        at + length - 4,
        `a ${blockTypeName(type)} of ${length} bytes ends with the length ${v.u32(length - 4)}`,
        { lenSource: 'pcapng.block_total_length' },
      );
      return;
    }
    switch (type) {
      case BLOCK_SHB:
        this.sectionHeader(v, at);
        break;
      case BLOCK_IDB:
        this.interfaceDescription(v, at);
        break;
      case BLOCK_EPB:
      case BLOCK_PB:
        this.packet(v, at, type, batch);
        break;
      case BLOCK_SPB:
        this.simplePacket(v, at, batch);
        break;
      case BLOCK_DSB:
        this.decryptionSecrets(v);
        break;
      default:
        // NRB, ISB, custom and unknown blocks carry nothing the analyzer
        // needs; some of them still count as frames in Wireshark.
        if (NON_PACKET_FRAME_BLOCKS.has(type)) this.frame += 1;
        break;
    }
    if (!this.stopped) q.skip(length);
  }

  /** A Decryption Secrets Block: secrets type, length, data (kept as a copy; bounded by the block cap). */
  private decryptionSecrets(v: BlockView): void {
    if (v.length < 20) return;
    const type = v.u32(8);
    const len = v.u32(12);
    if (len > v.length - 20) return;
    const secrets = (this.info.secrets ??= []);
    if (secrets.length < MAX_SECRETS_BLOCKS) secrets.push({ type, data: Buffer.from(v.sub(16, 16 + len)) });
  }

  private sectionHeader(v: BlockView, at: number): void {
    const major = v.u16(12);
    if (major !== 1) {
      this.fatal('pcapng.unsupported-version', at + 12, `a section has the unsupported version ${major}.${v.u16(14)}`);
      return;
    }
    this.le = v.le;
    this.ifaces = [];
    const { options, bad } = readOptions(v, 24, v.length - 4);
    if (bad) this.badOptions(at, 'Section Header Block');
    this.info.comments.push(...comments(options));
  }

  private interfaceDescription(v: BlockView, at: number): void {
    const end = v.length - 4;
    if (end < 16) {
      this.fatal('pcapng.bad-block-length', at + 4, `an Interface Description Block of ${v.length} bytes is too short`);
      return;
    }
    const iface: Iface = { linkType: v.u16(8), snapLen: v.u32(12), pow10: true, exp: 6, offsetNs: 0n, scale: 1000n };
    const { options, bad } = readOptions(v, 16, end);
    if (bad) this.badOptions(at, 'Interface Description Block');
    for (const opt of options) {
      if (opt.code === IF_TSRESOL && opt.value.length >= 1) {
        const r = opt.value[0];
        iface.pow10 = (r & 0x80) === 0;
        iface.exp = r & 0x7f;
      } else if (opt.code === IF_TSOFFSET && opt.value.length >= 8) {
        iface.offsetNs = (le64(opt.value, v.le)) * 1_000_000_000n;
      }
    }
    if (iface.pow10) iface.scale = 10n ** BigInt(Math.abs(9 - iface.exp));
    this.info.comments.push(...comments(options));
    if (!this.sawIdb) this.info.snapLen = iface.snapLen;
    this.sawIdb = true;
    this.ifaces.push(iface);
  }

  /** EPB (type 6) and the obsolete PB (type 2) share a layout, except the interface id's width. */
  private packet(v: BlockView, at: number, type: number, batch: CaptureRecord[]): void {
    const frame = this.frame + 1;
    const end = v.length - 4;
    if (end < 28) {
      this.fatal('pcapng.bad-block-length', at + 4, `an ${blockTypeName(type)} of ${v.length} bytes is too short for its fields (frame ${frame})`, { frame });
      return;
    }
    const ifId = type === BLOCK_EPB ? v.u32(8) : v.u16(8);
    const hi = v.u32(12);
    const lo = v.u32(16);
    // One BigInt instead of four when the 64-bit count fits a double exactly (it does for 285 years of microseconds).
    const ts = hi < 0x200000 ? BigInt(hi * 0x100000000 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
    const capLen = v.u32(20);
    const origLen = v.u32(24);
    if (capLen > end - 28) {
      this.fatal(
        'pcapng.bad-captured-length',
        at + 20,
        `frame ${frame}: an ${blockTypeName(type)} claims ${capLen} captured bytes but has room for ${end - 28}`,
        { frame, required: capLen, available: end - 28, lenSource: 'pcapng.caplen' },
      );
      return;
    }
    const iface = this.iface(ifId, at + 8, frame);
    if (!iface) return;
    // Most packets have no options: no list to walk.
    const optionsAt = 28 + ((capLen + 3) & ~3);
    let notes: string[] | undefined;
    if (optionsAt < end) {
      const { options, bad } = readOptions(v, optionsAt, end);
      if (bad) this.badOptions(at, blockTypeName(type));
      notes = comments(options);
    }
    this.count += 1;
    const rec: CaptureRecord = {
      frame,
      timestampNs: toNs(ts, iface),
      linkType: iface.linkType,
      origLen,
      data: v.bytes(28, 28 + capLen),
      interfaceId: ifId,
    };
    if (notes?.length) rec.comments = notes;
    batch.push(rec);
  }

  private simplePacket(v: BlockView, at: number, batch: CaptureRecord[]): void {
    const frame = this.frame + 1;
    const end = v.length - 4;
    if (end < 12) {
      this.fatal('pcapng.bad-block-length', at + 4, `a Simple Packet Block of ${v.length} bytes is too short (frame ${frame})`, { frame });
      return;
    }
    const iface = this.iface(0, at, frame);
    if (!iface) return;
    this.count += 1;
    const origLen = v.u32(8);
    // The SPB has no captured length: it is what the snap length and the block allow.
    let capLen = Math.min(origLen, end - 12);
    if (iface.snapLen > 0) capLen = Math.min(capLen, iface.snapLen);
    batch.push({
      frame,
      // An SPB carries no timestamp; Wireshark shows such frames at time 0 too.
      timestampNs: 0n,
      linkType: iface.linkType,
      origLen,
      data: v.bytes(12, 12 + capLen),
      interfaceId: 0,
    });
  }

  /** The interface a packet refers to; a packet on an unknown one is counted but skipped. */
  private iface(id: number, offset: number, frame: number): Iface | undefined {
    this.frame = frame;
    const iface = this.ifaces[id];
    if (!iface) {
      this.warn.addRepeated(
        'pcapng.unknown-interface',
        offset,
        (n) =>
          `frame ${frame} refers to interface ${id} but its section describes ${plural(this.ifaces.length, 'interface')}; ` +
          `${plural(n, 'record')} like this skipped`,
        { frame },
      );
    }
    return iface;
  }

  private badOptions(at: number, name: string): void {
    this.warn.addRepeated('pcapng.bad-options', at, (n) => `the options of a ${name} run past its end; ${plural(n, 'block')} like this, options read up to there`);
  }

  /** A problem that ends the file: record it and stop reading. */
  private fatal(code: string, offset: number, detail: string, extra: Partial<DecodeError> = {}): void {
    this.warn.add(code, offset, `${detail}; reading stopped after ${plural(this.count, 'record')}`, extra);
    this.stopped = true;
  }

  private atEnd(): void {
    const { q } = this;
    const left = q.available;
    const read = plural(this.count, 'record');
    if (q.failure) {
      this.warn.add(
        'pcapng.read-error',
        q.offset + left,
        `reading ${this.ctx.name} failed (${q.failure.message}) after ${read}` +
          (left > 0 ? `; ${plural(left, 'byte')} of an incomplete block dropped` : ''),
      );
      return;
    }
    if (left === 0) return;
    if (left < MIN_BLOCK_LENGTH) {
      this.warn.add('pcapng.trailing-bytes', q.offset, `${plural(left, 'byte')} after the last block, too few for a block; ${read} read`, {
        required: MIN_BLOCK_LENGTH,
        available: left,
      });
      return;
    }
    const h = this.header();
    if (h.kind !== 'ok') return; // header() has recorded why
    const isPacket = h.type === BLOCK_EPB || h.type === BLOCK_SPB || h.type === BLOCK_PB;
    this.warn.add(
      'pcapng.truncated-block',
      q.offset,
      `the capture file appears to have been cut short in the middle of ${isPacket ? 'a packet' : 'a block'}: ` +
        `a ${blockTypeName(h.type)} needs ${h.length} bytes, ${left} present; ${read} read`,
      { required: h.length, available: left, lenSource: 'pcapng.block_total_length', ...(isPacket ? { frame: this.frame + 1 } : {}) },
    );
  }
}

function le64(b: Buffer, le: boolean): bigint {
  return le ? b.readBigInt64LE(0) : b.readBigInt64BE(0);
}

/** A timestamp in interface units to nanoseconds since the epoch. */
function toNs(ts: bigint, iface: Iface): bigint {
  let ns: bigint;
  if (iface.pow10) {
    ns = iface.exp <= 9 ? ts * iface.scale : ts / iface.scale;
  } else {
    ns = (ts * 1_000_000_000n) >> BigInt(iface.exp);
  }
  return iface.offsetNs === 0n ? ns : ns + iface.offsetNs;
}
