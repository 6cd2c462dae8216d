// Open a capture file (or stdin) and hand back the right reader. The format
// is told by magic numbers, never by the file name: gzip (1f 8b) is
// decompressed on the fly, then the first four bytes say classic pcap or
// pcapng. Anything unreadable rejects with a CaptureError whose message is one
// line naming the input, for the CLI to print as it is.
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ByteQueue, DEFAULT_READ_SIZE } from './byte-queue.js';
import { isPcapMagic, openPcap } from './pcap.js';
import { isPcapngMagic, openPcapng } from './pcapng.js';
import { CaptureError, type CaptureSource } from './source.js';
import type { ReaderContext } from './warnings.js';

export interface OpenOptions {
  /** The stream read when path is '-' (defaults to process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /**
   * Bytes per read (and per batch of records). A speed knob only: any size
   * gives the same records. @default $UPXRAY_READ_SIZE, else 1 MiB
   */
  readSize?: number;
}

/** The read size asked for in the environment (tests and benchmarks try others), else the default. */
function defaultReadSize(): number {
  const v = Number(process.env.UPXRAY_READ_SIZE);
  return Number.isInteger(v) && v >= 1 && v <= 256 * 1024 * 1024 ? v : DEFAULT_READ_SIZE;
}

/**
 * Open `path` ('-' for standard input) as a capture. Resolves once the file
 * header has been read; rejects with CaptureError when the input cannot be
 * read as a capture at all.
 */
export async function openCapture(path: string, opts: OpenOptions = {}): Promise<CaptureSource> {
  const name = path === '-' ? 'stdin' : path;
  const readSize = opts.readSize ?? defaultReadSize();
  let q = new ByteQueue(path === '-' ? { chunks: chunksOf(opts.stdin ?? process.stdin) } : await openInput(path), readSize);
  try {
    await q.fill(4);
    if (q.failure) throw readFailure(name, q.failure.message);
    if (q.available === 0) throw new CaptureError(`upxray: ${name}: empty file`, 'capture.empty');
    let gzip = false;
    if (q.available >= 2 && q.view()[0] === 0x1f && q.view()[1] === 0x8b) {
      gzip = true;
      q = new ByteQueue({ chunks: gunzipped(q) }, readSize);
      await q.fill(4);
      if (q.failure) throw new CaptureError(`upxray: ${name}: not valid gzip data (${q.failure.message})`, 'capture.bad-gzip');
      if (q.available === 0) throw new CaptureError(`upxray: ${name}: empty after gunzip`, 'capture.empty');
    }
    const head = q.view().subarray(0, 4);
    const ctx: ReaderContext = { name, gzip };
    if (head.length === 4 && isPcapMagic(head)) return await openPcap(q, ctx);
    if (head.length === 4 && isPcapngMagic(head)) return await openPcapng(q, ctx);
    const what = gzip ? 'gzip data that is not a pcap or pcapng file' : 'not a pcap or pcapng file';
    throw new CaptureError(
      head.length < 4
        ? `upxray: ${name}: ${what} (only ${head.length} ${head.length === 1 ? 'byte' : 'bytes'})`
        : `upxray: ${name}: ${what} (magic ${Buffer.from(head).toString('hex')})`,
      'capture.bad-magic',
    );
  } catch (err) {
    await q.close();
    throw err;
  }
}

/**
 * Open a file for reading, turning the usual failures into one-line CaptureErrors.
 * A regular file may be read at known positions; a FIFO or device is read as it comes.
 */
async function openInput(path: string): Promise<{ file: FileHandle; regular: boolean }> {
  let fh;
  try {
    fh = await openFile(path, 'r');
  } catch (err) {
    throw fileError(path, err);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new CaptureError(`upxray: ${path}: is a directory, not a capture file`, 'capture.is-directory');
    return { file: fh, regular: st.isFile() };
  } catch (err) {
    await fh.close();
    throw err instanceof CaptureError ? err : fileError(path, err);
  }
}

function fileError(path: string, err: unknown): CaptureError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory, not a capture file'
          : `cannot open (${err instanceof Error ? err.message : String(err)})`;
  return new CaptureError(`upxray: ${path}: ${why}`, `capture.${(code ?? 'open').toLowerCase()}`);
}

function readFailure(name: string, message: string): CaptureError {
  const why = /EISDIR/.test(message) ? 'is a directory, not a capture file' : `cannot read (${message})`;
  return new CaptureError(`upxray: ${name}: ${why}`, 'capture.read-error');
}

function chunksOf(input: NodeJS.ReadableStream): AsyncIterator<Uint8Array | string> {
  return (input as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
}

/**
 * The decompressed bytes of what `q` holds and has yet to read. Backpressure
 * runs through: the gunzip stream asks for input only as its output is read.
 */
function gunzipped(q: ByteQueue): AsyncIterator<Uint8Array | string> {
  async function* compressed(): AsyncGenerator<Buffer> {
    try {
      // Copies: gunzip may hold its input past the queue's next read, which reuses the buffer.
      const first = Buffer.from(q.view());
      q.skip(first.length);
      yield first;
      while (await q.pull()) {
        const next = Buffer.from(q.view());
        q.skip(next.length);
        yield next;
      }
      if (q.failure) throw new Error(q.failure.message);
    } finally {
      await q.close();
    }
  }
  const source = Readable.from(compressed(), { objectMode: false });
  const gunzip = createGunzip();
  // A read error of the source reaches the consumer through the gunzip stream.
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  const it = gunzip[Symbol.asyncIterator]();
  return {
    next: () => it.next(),
    return: async (value?: unknown) => {
      source.destroy();
      return it.return ? it.return(value) : { done: true, value: undefined };
    },
  };
}
