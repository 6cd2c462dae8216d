// `upxray browse <capture>`: the analysis in an interactive terminal UI
// (src/tui/): phones, their timelines and exchanges, findings with their
// frames. Same engine as `analyze`; only the output differs.
import { analyzeCapture } from '../../analysis.js';
import { EXIT_OK, UsageError, type CliIo } from '../io.js';
import type { CommandContext } from '../program.js';
import type { AnalysisResult } from '../../analysis.js';

/** Show an analysis in the UI; refuses (exit 2) when stdout is not a terminal. */
export async function showTui(r: AnalysisResult, path: string, io: CliIo): Promise<number> {
  if (!io.isTTY) throw new UsageError('the terminal UI needs a terminal on standard output; use analyze for a text report');
  // Loaded only when wanted: ink and React take over a second to import, which
  // every other command (analyze, flows...) would otherwise pay at start-up.
  const { runTui } = await import('../../tui/run.js');
  await runTui(r, path, { stdin: process.stdin, stdout: process.stdout, env: io.env });
  return EXIT_OK;
}

export async function browseCommand(path: string, io: CliIo): Promise<number> {
  if (!io.isTTY) throw new UsageError('the terminal UI needs a terminal on standard output; use analyze for a text report');
  const r = await analyzeCapture(path, io);
  return showTui(r, path, io);
}

export function registerBrowse({ program, io, setExit }: CommandContext): void {
  program
    .command('browse')
    .description('browse phones, timelines, exchanges and findings in an interactive terminal UI')
    .argument('<capture>', 'pcap or pcapng file, optionally gzipped; - for standard input (keys then come from /dev/tty)')
    .action(async (path: string) => {
      setExit(await browseCommand(path, io));
    });
}
