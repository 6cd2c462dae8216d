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
import { bigBuffer } from '../util/big-buffer.js';

/** Text gathered before one write. */
const WRITE_BYTES = 1 << 20;
/**
 * The report reads the texts back in report order, which is nearly the order
 * they were written in (an exchange is written when it completes; a download
 * completes a few hundred exchanges after it starts): reading a piece of the
 * file at once, and keeping the last few pieces, takes one read where there
 * were hundreds.
 */
const READ_PIECE = 64 * 1024;
const READ_PIECES = 16;

interface ReadPiece {
  at: number;
  length: number;
  bytes: Buffer;
  /** When it was last used (for replacing the longest unused). */
  used: number;
}

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
  private readonly heldBytes: Uint8Array[] = [];
  private readonly out = bigBuffer(WRITE_BYTES);
  private outBytes = 0;
  /** Bytes in the file (flushed), and the file offset of `out`'s first byte. */
  private fileBytes = 0;
  private readBuffer = Buffer.alloc(0);
  private readonly pieces: ReadPiece[] = [];
  /** Counts the pieces' uses: a piece's `used` is this clock when it was last read from. */
  private clock = 0;
  /** Reads made from the file (for tests and measurements). */
  fileReads = 0;

  constructor(readonly folder = tmpdir()) {
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
    // A character is at most 3 bytes in UTF-8 (4 for a pair of two).
    if (text.length * 3 > WRITE_BYTES) return this.appendBytes(Buffer.from(text, 'utf8'));
    const at = this.fileBytes + this.outBytes;
    if (this.outBytes + text.length * 3 > WRITE_BYTES) this.flush();
    const length = this.out.write(text, this.outBytes, 'utf8');
    this.outBytes += length;
    return { at, length };
  }

  /**
   * Bytes put aside (the rare part of an exchange's record,
   * StoredExchange.toRecord), or text too long for the write buffer; where no
   * file could be made, held as they are.
   */
  appendBytes(bytes: Uint8Array): SpoolPlace {
    if (this.fd === undefined) {
      this.heldBytes.push(bytes);
      return { at: this.heldBytes.length - 1, length: bytes.length };
    }
    const at = this.fileBytes + this.outBytes;
    if (this.outBytes + bytes.length > WRITE_BYTES) this.flush();
    if (bytes.length > WRITE_BYTES) {
      this.writeAll(bytes);
      this.fileBytes += bytes.length;
      return { at, length: bytes.length };
    }
    this.out.set(bytes, this.outBytes);
    this.outBytes += bytes.length;
    return { at, length: bytes.length };
  }

  /** Bytes appendBytes put aside, valid until the next read. */
  readBytes(place: SpoolPlace): Uint8Array {
    if (this.fd === undefined) return this.heldBytes[place.at];
    if (this.outBytes > 0) this.flush();
    return this.readAlone(place);
  }

  /** The bytes of `place`, in one read of just them into the read buffer (valid until the next read). */
  private readAlone(place: SpoolPlace): Buffer {
    if (this.readBuffer.length < place.length) this.readBuffer = Buffer.allocUnsafe(place.length);
    this.readFully(this.readBuffer, place.length, place.at);
    return this.readBuffer.subarray(0, place.length);
  }

  /**
   * Text append() put aside. `scattered`: the caller reads places all over
   * the file (a part of the report at a time), so one read of just this text
   * instead of a piece the next read will not use.
   */
  read(place: SpoolPlace, scattered = false): string {
    if (this.fd === undefined) return this.held[place.at];
    if (this.outBytes > 0) this.flush();
    if (scattered || place.length > READ_PIECE) return this.readAlone(place).toString('utf8');
    const piece = this.pieceWith(place);
    piece.used = ++this.clock;
    return piece.bytes.toString('utf8', place.at - piece.at, place.at - piece.at + place.length);
  }

  /** A piece of the file read earlier that holds `place`, or a new one read from `place` on. */
  private pieceWith(place: SpoolPlace): ReadPiece {
    let oldest: ReadPiece | undefined;
    for (const p of this.pieces) {
      if (p.at <= place.at && place.at + place.length <= p.at + p.length) return p;
      if (!oldest || p.used < oldest.used) oldest = p;
    }
    // The file only grows, and what is in it never changes: a piece read stays right.
    const piece = this.pieces.length < READ_PIECES ? { at: 0, length: 0, bytes: Buffer.allocUnsafe(READ_PIECE), used: 0 } : oldest!;
    if (piece !== oldest) this.pieces.push(piece);
    const length = Math.min(READ_PIECE, this.fileBytes - place.at);
    if (length < place.length) throw new Error('the exchange spool file is shorter than what was written to it');
    // Emptied first: a read that fails leaves no piece claiming bytes it does not have.
    piece.length = 0;
    this.readFully(piece.bytes, length, place.at);
    piece.at = place.at;
    piece.length = length;
    return piece;
  }

  private readFully(into: Buffer, length: number, at: number): void {
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd!, into, got, length - got, at + got);
      this.fileReads++;
      if (n === 0) throw new Error('the exchange spool file is shorter than what was written to it');
      got += n;
    }
  }

  close(): void {
    unclosed.unregister(this);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.held.length = 0;
    this.heldBytes.length = 0;
    this.pieces.length = 0;
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
