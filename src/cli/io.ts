// Where a command writes, so tests can run the program in-process and read
// what it printed, and so exit codes live in one place.
import { fstatSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Standard input, for the `-` capture name. */
  stdin: NodeJS.ReadableStream;
  /** Whether stdout is a terminal (colour, TUI). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /**
   * Resolves once stdout has room again. Into a pipe Node queues every write,
   * so a long output waits on it rather than piling up in memory behind a slow
   * reader. Absent: no waiting (tests, files).
   */
  stdoutRoom?: () => Promise<void>;
}

/** Exit codes of the design card: 0 done, 1 --fail-on matched, 2 bad usage or unreadable input. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** A problem the user must fix (bad option, unreadable file): one line on stderr, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function processIo(): CliIo {
  return {
    stdout: stdoutWriter(),
    stderr: (t) => void process.stderr.write(t),
    stdin: process.stdin,
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    stdoutRoom: () => roomIn(process.stdout),
  };
}

/**
 * How standard output is written. Into a file (or /dev/null) Node's stream
 * writes synchronously too, but it copies each text into a new buffer first,
 * which lingers until a collection (3 MiB of the peak of a 4 GB capture's
 * report), and it turns a failed write (a full disk) into an event nobody
 * hears, so the command ended as if all was written. Written here with
 * fs.writeSync, the text is encoded into memory freed at once, and a failure
 * is thrown: the command ends with its one line and exit 2. Pipes and
 * terminals keep Node's stream (a pipe's reader sets the pace: stdoutRoom).
 */
function stdoutWriter(fd = 1): (text: string) => void {
  if (!isFileLike(fd)) return (t) => void process.stdout.write(t);
  return (t) => {
    const written = writeSync(fd, t);
    if (written === Buffer.byteLength(t)) return;
    // A short write (rare into a file): the rest from its bytes.
    const rest = Buffer.from(t).subarray(written);
    for (let at = 0; at < rest.length; ) at += writeSync(fd, rest, at);
  };
}

/** Whether `fd` is a file or a device other than a terminal (what Node writes synchronously). */
function isFileLike(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return st.isFile() || (st.isCharacterDevice() && !isatty(fd));
  } catch {
    return false;
  }
}

/** At once while `out` takes writes without queueing past its mark; else when it drains, or closes (then nothing will drain). */
export function roomIn(out: NodeJS.EventEmitter & { writableNeedDrain?: boolean }): Promise<void> {
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}
