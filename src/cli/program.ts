// The commander program: commands, options and the exit-code contract
// (0 done, 1 --fail-on matched, 2 bad usage or unreadable input, with one line
// on stderr and never a stack trace). Each command lives in its own module in
// commands/ and registers itself through COMMANDS below.
import { Command, CommanderError } from 'commander';
import { CaptureError } from '../capture/source.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerFlows } from './commands/flows.js';
import { registerObjects } from './commands/objects.js';
import { registerLogs } from './commands/logs.js';
import { registerExplain } from './commands/explain.js';
import { registerDiff } from './commands/diff.js';
import { registerServe } from './commands/serve.js';
import { registerPhone } from './commands/phone.js';
import { registerTicket } from './commands/ticket.js';
import { registerBrowse } from './commands/browse.js';
import { registerLive } from './commands/live.js';
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './io.js';
import { terminalSafe } from '../report/terminal-safe.js';
import { VERSION } from './version.js';

/** What a command module gets: the program to add itself to, the io, and how to set the exit code. */
export interface CommandContext {
  program: Command;
  io: CliIo;
  setExit: (code: number) => void;
}

/** Every command, in the order `--help` lists them. */
const COMMANDS: ReadonlyArray<(ctx: CommandContext) => void> = [registerAnalyze, registerFlows, registerObjects, registerLogs, registerExplain, registerBrowse, registerLive, registerTicket, registerDiff, registerServe, registerPhone];

export function createProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('upxray')
    .description('Analyze captures of OCS 2007 R2 Device Update Service traffic (ucdevice.upx check-ins and firmware downloads)')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
    });
  for (const register of COMMANDS) register({ program, io, setExit });
  return program;
}

/** Run the CLI with argv (without node and script) and return the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code = EXIT_OK;
  const program = createProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version end with exit code 0; every usage error is a 2.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (e instanceof CaptureError || e instanceof UsageError) {
      io.stderr(`upxray: ${terminalSafe(e.message.replace(/^upxray: /, ''))}\n`);
      return EXIT_USAGE;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code)) {
      // An operating-system error (EACCES, ENOSPC, EPIPE...): say it in one line.
      io.stderr(`upxray: ${terminalSafe(err.message)}\n`);
      return EXIT_USAGE;
    }
    // A bug in upxray: still one line, but say where to report it.
    io.stderr(`upxray: internal error: ${terminalSafe(String((e as Error)?.message ?? e))} (please report this with the capture)\n`);
    return 70;
  }
}
