// Where a command writes, so tests can run the program in-process and read
// what it printed, and so exit codes live in one place.
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
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stdin: process.stdin,
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    stdoutRoom: () => roomIn(process.stdout),
  };
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
