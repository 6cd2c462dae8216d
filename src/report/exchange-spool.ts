// Text put aside while a capture is read and read back when the report is
// written: the JSON of each exchange, made when it completes. Without it, a
// big capture's report kept every exchange whole in memory until the end.
// The file is made in the system's temporary folder and unlinked at once: it
// never outlives the process, and nothing else can open it. Where no such file
// can be made, the text stays in memory (as before, only bigger).
import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpExchange } from '../http/exchanges.js';
import { PENDING_SHA256 } from '../http/off-thread-hasher.js';

/** Text gathered before one write. */
const WRITE_BYTES = 1 << 20;

export interface SpoolPlace {
  at: number;
  length: number;
}

/** A spool nobody closed is closed when it is collected (a test runs many analyses in one process). */
const unclosed = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // Closed already.
  }
});

export class ExchangeSpool {
  private fd: number | undefined;
  /** Where no file could be made: the texts themselves, `at` being the index. */
  private readonly held: string[] = [];
  private readonly out = Buffer.allocUnsafe(WRITE_BYTES);
  private outBytes = 0;
  /** Bytes in the file (flushed), and the file offset of `out`'s first byte. */
  private fileBytes = 0;
  private readBuffer = Buffer.alloc(0);

  constructor(private readonly folder = tmpdir()) {
    let dir: string | undefined;
    try {
      dir = mkdtempSync(join(folder, 'upxray-spool-'));
      const path = join(dir, 'exchanges.json');
      this.fd = openSync(path, 'wx+', 0o600);
      unlinkSync(path);
      rmdirSync(dir);
      unclosed.register(this, this.fd, this);
    } catch {
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
      try {
        if (dir !== undefined) rmdirSync(dir);
      } catch {
        // A folder left behind is empty; nothing more can be done about it.
      }
    }
  }

  /** Whether the texts go to a file (false: they are held in memory). */
  get onDisk(): boolean {
    return this.fd !== undefined;
  }

  append(text: string): SpoolPlace {
    if (this.fd === undefined) {
      this.held.push(text);
      return { at: this.held.length - 1, length: text.length };
    }
    const at = this.fileBytes + this.outBytes;
    // A character is at most 3 bytes in UTF-8 (4 for a pair of two).
    if (this.outBytes + text.length * 3 > WRITE_BYTES) this.flush();
    if (text.length * 3 > WRITE_BYTES) {
      const bytes = Buffer.from(text, 'utf8');
      this.writeAll(bytes);
      this.fileBytes += bytes.length;
      return { at, length: bytes.length };
    }
    const length = this.out.write(text, this.outBytes, 'utf8');
    this.outBytes += length;
    return { at, length };
  }

  read(place: SpoolPlace): string {
    if (this.fd === undefined) return this.held[place.at];
    if (this.outBytes > 0) this.flush();
    if (this.readBuffer.length < place.length) this.readBuffer = Buffer.allocUnsafe(Math.max(place.length, 64 * 1024));
    let got = 0;
    while (got < place.length) {
      const n = readSync(this.fd, this.readBuffer, got, place.length - got, place.at + got);
      if (n === 0) throw new Error('the exchange spool file is shorter than what was written to it');
      got += n;
    }
    return this.readBuffer.toString('utf8', 0, place.length);
  }

  close(): void {
    unclosed.unregister(this);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.held.length = 0;
  }

  private flush(): void {
    this.writeAll(this.out.subarray(0, this.outBytes));
    this.fileBytes += this.outBytes;
    this.outBytes = 0;
  }

  private writeAll(bytes: Uint8Array): void {
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(this.fd!, bytes, done, bytes.length - done);
    } catch (e) {
      // ENOSPC and the like: one line naming the folder (the CLI prints an operating-system error as it is).
      const err = e as NodeJS.ErrnoException;
      err.message = `cannot write the temporary file of exchanges in ${this.folder} (TMPDIR): ${err.message}`;
      throw err;
    }
  }
}

/**
 * Exchanges on their way into a spool: an exchange whose body is hashed on the
 * hashing thread has no digest yet when it completes (PENDING_SHA256 until the
 * digests of its batch of reads are written in), so its JSON waits for it.
 */
export class SpoolQueue {
  private waiting: Array<{ x: HttpExchange; put: (place: SpoolPlace) => void }> = [];

  constructor(
    readonly spool: ExchangeSpool,
    /** The text to put aside for an exchange. */
    private readonly text: (x: HttpExchange) => string,
  ) {}

  /** Put aside the text of `x` now or, if a digest is still pending, once it is in; `put` is told where. */
  add(x: HttpExchange, put: (place: SpoolPlace) => void): void {
    this.waiting.push({ x, put });
    this.drain(false);
  }

  /** Put aside what is ready; `all` once the pipeline is done (every digest is in by then). */
  drain(all: boolean): void {
    const still: typeof this.waiting = [];
    for (const w of this.waiting) {
      if (!all && (w.x.request?.bodySha256 === PENDING_SHA256 || w.x.response?.bodySha256 === PENDING_SHA256)) still.push(w);
      else w.put(this.spool.append(this.text(w.x)));
    }
    this.waiting = still;
  }
}
