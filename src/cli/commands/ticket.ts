// `upxray ticket <capture> -o OUT`: the files a support ticket needs (report,
// HAR, the flows' packets, the analysis JSON), in a folder or one archive,
// optionally narrowed to one phone and redacted.
import { Option } from 'commander';
import { analyzeCapture } from '../../analysis.js';
import { atOrAbove, type Severity } from '../../diagnose/finding.js';
import type { Inventory } from '../../dus/inventory.js';
import type { UpxResponse } from '../../dus/upx-types.js';
import { expectedOption, inventoryOption } from './analyze.js';
import { terminalSafe } from '../../report/terminal-safe.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError, type CliIo } from '../io.js';
import type { CommandContext } from '../program.js';
import { addTlsOptions, loadTlsKeys, type TlsOptionValues } from '../tls-options.js';
import type { TlsKeys } from '../../pipeline.js';
import { VERSION } from '../version.js';

export interface TicketOptions extends TlsOptionValues {
  output: string;
  phone?: string;
  redact?: boolean;
  failOn?: Severity;
  inventory?: string;
  expected?: string;
}

export async function ticketCommand(path: string, opts: TicketOptions, io: CliIo): Promise<number> {
  // The packets are copied on a second read of the capture: standard input cannot be read twice.
  if (path === '-') throw new UsageError('ticket reads the capture twice: give a file, not standard input');
  const extra: { inventory?: Inventory; expected?: UpxResponse; tls?: TlsKeys } = { tls: loadTlsKeys(opts, io.env) };
  if (opts.inventory !== undefined) extra.inventory = inventoryOption(opts.inventory);
  if (opts.expected !== undefined) extra.expected = expectedOption(opts.expected);
  const r = await analyzeCapture(path, io, undefined, extra);
  // Loaded here: every other command would pay for the ticket writer's imports at start-up.
  const [{ selectTicket }, { buildTicket, writeTicket }] = await Promise.all([import('../../ticket/select.js'), import('../../ticket/ticket.js')]);
  const sel = selectTicket(r, opts.phone);
  if (!sel) throw new UsageError(`no phone ${opts.phone} in ${path}`);
  const built = await buildTicket(path, r, sel, { redact: opts.redact, creatorVersion: VERSION, stdin: io.stdin });
  const first = r.flows.captures[0]?.lastTime;
  const mtime = first ? Math.floor(Date.parse(first) / 1000) : 0;
  const kind = await writeTicket(opts.output, built.entries, Number.isFinite(mtime) && mtime > 0 ? mtime : 0);
  const where = kind === 'folder' ? `${opts.output}/` : opts.output;
  io.stdout(
    `${terminalSafe(where)}: report.md, flows.har (${sel.exchanges.length} exchange(s)), flows.pcapng (${built.pcap.frames.length} packet(s)), analysis.json` +
      `${opts.redact ? ', redacted' : ''}\n`,
  );
  for (const w of r.flows.warnings) {
    if (w.layer === 'capture') io.stderr(`upxray: warning: ${terminalSafe(path)}: ${terminalSafe(w.detail ?? w.code)}\n`);
  }
  if (opts.failOn && sel.findings.some((f) => atOrAbove(f.severity, opts.failOn!))) return EXIT_FINDINGS;
  return EXIT_OK;
}

export function registerTicket({ program, io, setExit }: CommandContext): void {
  const cmd = program
    .command('ticket')
    .description('write what a support ticket needs: report.md, flows.har, flows.pcapng and analysis.json')
    .argument('<capture>', 'pcap or pcapng file, optionally gzipped')
    .requiredOption('-o, --output <out>', 'a folder, or one archive file ending in .zip or .tar.gz')
    .option('--phone <mac|ip>', 'only this phone (MAC in any notation, or IP address)')
    .option('--redact', 'replace MAC and IP addresses, serial numbers, host and user names by pseudonyms in every file')
    .option('--inventory <path>', 'as for analyze: the server inventory that says what each check-in should have been answered')
    .option('--expected <file>', 'as for analyze: a known-good response body every check-in response is compared with')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding of this severity or worse is in the ticket').choices(['error', 'warning', 'info']));
  addTlsOptions(cmd).action(async (path: string, opts: TicketOptions) => {
    setExit(await ticketCommand(path, opts, io));
  });
}
