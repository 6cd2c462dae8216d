// `upxray explain CODE`: the phone's Last Update Status (0x2f7d/200), a lone
// WinInet code (12029, 0x2efd) or an HTTP status with an IIS substatus
// (404, 500.19), explained. An unknown code is still an answer (exit 0); input
// that is no code at all is a usage error (exit 2).
import { explain, renderExplanation } from '../../explain/explain.js';
import { terminalSafeBlock } from '../../report/terminal-safe.js';
import { UsageError, type CliIo } from '../io.js';
import type { CommandContext } from '../program.js';

/** The version of the `explain --json` document. */
export const EXPLAIN_SCHEMA = 1;

export interface ExplainOptions {
  json?: boolean;
}

export function explainCommand(codes: string[], opts: ExplainOptions, io: CliIo): number {
  const results = codes.map((c) => {
    const r = explain(c);
    if (!r.ok) throw new UsageError(`explain: ${JSON.stringify(c.slice(0, 64))}: ${r.reason}`);
    return r.explanation;
  });
  if (opts.json) {
    io.stdout(JSON.stringify({ schema: EXPLAIN_SCHEMA, explanations: results }, null, 2) + '\n');
    return 0;
  }
  io.stdout(results.map((e) => terminalSafeBlock(renderExplanation(e))).join('\n'));
  return 0;
}

export function registerExplain({ program, io, setExit }: CommandContext): void {
  program
    .command('explain')
    .description("explain a phone's Last Update Status (0x2f7d/200), a WinInet error (12029, 0x2efd) or an HTTP status (404, 500.19)")
    .argument('<code...>', 'status pair WININET/HTTP, WinInet code in decimal or hex, or HTTP status[.substatus]')
    .option('--json', 'print one JSON document (schema 1) instead of text')
    .action((codes: string[], opts: ExplainOptions) => {
      setExit(explainCommand(codes, opts, io));
    });
}
