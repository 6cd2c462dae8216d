// `live --write FILE [--ring N --ring-size MB]`: keep the raw packets as
// pcapng. With a ring, FILE is always the newest file; when it would grow past
// the size it becomes FILE.1, FILE.1 becomes FILE.2 ... and FILE.(N-1) is
// dropped, so a day on a busy port holds at most N x size on disk. Every file
// starts with its own Section Header and Interface Description Blocks, so each
// one opens on its own in Wireshark. Writes are synchronous and block-aligned:
// whatever stops the process between two writes leaves files tshark reads.
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { PcapngWriter } from './pcapng-writer.js';
import { CaptureError, type CaptureRecord } from './source.js';

export interface RingOptions {
  /** Files kept (FILE and FILE.1 … FILE.(files-1)); 1 means one file that grows without bound. @default 1 */
  files?: number;
  /** Largest size of one file in bytes before rotating (ignored with one file). */
  maxBytes?: number;
  /** Said in each file's section header comment (interfaces, tool, filter). */
  comment?: string;
}

/** Bytes gathered before they are written (one write per batch or per this much). */
const WRITE_CHUNK = 256 * 1024;

/** The name of ring file `k` (0 is the newest). */
export function ringFileName(path: string, k: number): string {
  return k === 0 ? path : `${path}.${k}`;
}

export class RingWriter {
  private fd = -1;
  private writer = new PcapngWriter();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private fileBytes = 0;
  private filePackets = 0;
  /** Files written so far in this run (at most `files`). */
  private opened = 0;
  private closed = false;
  private readonly files: number;
  private readonly maxBytes: number;
  /** Records written in all. */
  packets = 0;
  /** Times the ring turned over. */
  rotations = 0;

  constructor(
    readonly path: string,
    private readonly opts: RingOptions = {},
  ) {
    this.files = Math.max(1, Math.floor(opts.files ?? 1));
    this.maxBytes = this.files > 1 ? Math.max(64 * 1024, opts.maxBytes ?? 100 * 1024 * 1024) : Infinity;
    // Older ring files from an earlier run would read as part of this one.
    for (let k = 1; k < this.files; k++) rmSync(ringFileName(path, k), { force: true });
    this.openFile(1);
  }

  /** Files this run has on disk, newest first. */
  get paths(): string[] {
    return Array.from({ length: this.opened }, (_, k) => ringFileName(this.path, k));
  }

  private openFile(firstFrame: number): void {
    try {
      this.fd = openSync(this.path, 'w');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String((e as Error).message);
      throw new CaptureError(`upxray: ${this.path}: cannot write (${why})`, 'live.write-failed');
    }
    this.opened = Math.min(this.files, this.opened + 1);
    this.writer = new PcapngWriter();
    this.fileBytes = 0;
    this.filePackets = 0;
    const note = this.files > 1 ? `; ring of ${this.files} files; the first packet here is frame ${firstFrame} of the live session` : '';
    this.append(this.writer.header(`${this.opts.comment ?? 'upxray live capture'}${note}`));
    // The header goes out at once: even a capture of nothing leaves a valid file.
    this.flush();
  }

  private append(b: Buffer): void {
    this.pending.push(b);
    this.pendingBytes += b.length;
    this.fileBytes += b.length;
  }

  /** Add one record (its data is copied into the pending write). */
  write(rec: Pick<CaptureRecord, 'frame' | 'linkType' | 'timestampNs' | 'data' | 'origLen'>): void {
    if (this.closed) return;
    let block = this.writer.packet({ linkType: rec.linkType, timestampNs: rec.timestampNs, data: rec.data, origLen: rec.origLen });
    if (this.filePackets > 0 && this.fileBytes + block.length > this.maxBytes) {
      this.rotate(rec.frame);
      block = this.writer.packet({ linkType: rec.linkType, timestampNs: rec.timestampNs, data: rec.data, origLen: rec.origLen });
    }
    this.append(block);
    this.filePackets++;
    this.packets++;
    if (this.pendingBytes >= WRITE_CHUNK) this.flush();
  }

  private rotate(nextFrame: number): void {
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
    // FILE.(N-2) → FILE.(N-1) (replacing the oldest), …, FILE → FILE.1.
    for (let k = Math.min(this.opened, this.files - 1); k >= 1; k--) {
      renameSync(ringFileName(this.path, k - 1), ringFileName(this.path, k));
    }
    this.rotations++;
    this.openFile(nextFrame);
  }

  /** Write what is pending (call after each batch, so the file keeps up with the capture). */
  flush(): void {
    if (this.fd < 0 || this.pending.length === 0) return;
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    let off = 0;
    while (off < all.length) off += writeSync(this.fd, all, off, all.length - off);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
