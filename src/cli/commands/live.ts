// `upxray live -i IFACE`: watch phones check in and update on a mirror port.
// dumpcap (or tcpdump) captures in a child process; its packets go through the
// same pipeline as a file's, optionally to disk as pcapng (a ring of files),
// and findings are printed as they happen: on a terminal in the live
// dashboard (src/tui/LiveDashboard.tsx), else (or with --json or
// --no-dashboard) as lines. Ctrl-C, SIGTERM or the dashboard's `q` stops the
// child, the analysis finishes on what was seen, and the summary is printed.
import { Option } from 'commander';
import { CAPTURE_TOOLS, startLiveCapture, type CaptureTool, type LiveExit } from '../../capture/live.js';
import { RingWriter } from '../../capture/ring-writer.js';
import { captureStatsLine, exchangeEvent, exchangeLine, findingEvent, findingLine, isServiceTraffic, startEvent, summaryEvent, withdrawnEvent, withdrawnLine } from '../../live/live-events.js';
import { runLiveSession, type LiveEvent } from '../../live/live-session.js';
import { DownloadProgress } from '../../live/download-progress.js';
import { LiveStore } from '../../tui/live-store.js';
import type { LiveDashboardHandle } from '../../tui/run-live.js';
import { renderAnalyzeText } from '../../report/analyze-text.js';
import { palette } from '../../report/colour.js';
import { terminalSafe } from '../../report/terminal-safe.js';
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io.js';
import type { CommandContext } from '../program.js';
import { addTlsOptions, loadTlsKeys, type TlsOptionValues } from '../tls-options.js';
import { expectedOption, inventoryOption } from './analyze.js';

export interface LiveOptions extends TlsOptionValues {
  interface: string[];
  filter?: string;
  write?: string;
  ring?: string;
  ringSize?: string;
  json?: boolean;
  tool?: CaptureTool;
  inventory?: string;
  expected?: string;
  /** False with --no-dashboard: lines even on a terminal. @default true */
  dashboard?: boolean;
}

/** The terminal the dashboard draws on, when the command runs as the real binary. */
export interface LiveTerminal {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

/** Signals that end a live session the way Ctrl-C does. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

function positiveInt(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${what} must be a whole number of at least 1, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

export interface RingPlan {
  files: number;
  maxBytes?: number;
}

/** --ring and --ring-size, checked. */
export function ringPlan(opts: Pick<LiveOptions, 'write' | 'ring' | 'ringSize'>): RingPlan | undefined {
  const files = positiveInt(opts.ring, '--ring');
  const mb = positiveInt(opts.ringSize, '--ring-size');
  if ((files !== undefined || mb !== undefined) && opts.write === undefined) throw new UsageError('--ring and --ring-size need --write FILE');
  if (mb !== undefined && files === undefined) throw new UsageError('--ring-size needs --ring N (how many files to keep)');
  if (opts.write === undefined) return undefined;
  if (files === undefined) return { files: 1 };
  if (files < 2) throw new UsageError('--ring needs at least 2 files (one being written, one kept)');
  return { files, maxBytes: (mb ?? 100) * 1024 * 1024 };
}

export async function liveCommand(
  opts: LiveOptions,
  io: CliIo,
  proc: Pick<NodeJS.Process, 'on' | 'off'> = process,
  term: LiveTerminal | undefined = io.isTTY ? { stdin: process.stdin, stdout: process.stdout } : undefined,
): Promise<number> {
  // Keys and inventory are read before the capture starts: a bad one is a usage error, not a lost hour.
  const tls = loadTlsKeys(opts, io.env);
  const inventory = opts.inventory !== undefined ? inventoryOption(opts.inventory) : undefined;
  const expected = opts.expected !== undefined ? expectedOption(opts.expected) : undefined;
  const interfaces = opts.interface ?? [];
  if (interfaces.length === 0) throw new UsageError('live needs an interface: -i IFACE (several -i allowed)');
  const ring = ringPlan(opts);
  const c = palette(io.isTTY, io.env);
  const out = (o: Record<string, unknown>): void => io.stdout(JSON.stringify(o) + '\n');

  // Open the file first: a path that cannot be written is a usage error before anything runs.
  const writer = opts.write !== undefined && ring ? new RingWriter(opts.write, { files: ring.files, maxBytes: ring.maxBytes }) : undefined;
  let capture;
  try {
    capture = await startLiveCapture({ interfaces, filter: opts.filter, tool: opts.tool, path: io.env.PATH });
  } catch (e) {
    writer?.close();
    throw e;
  }
  const label = `live:${interfaces.join(',')}`;
  if (opts.json) out(startEvent({ tool: capture.tool, interfaces, filter: capture.filter, files: writer ? [opts.write!] : [] }));
  io.stderr(`upxray: capturing on ${terminalSafe(interfaces.join(', '))} with ${capture.tool}${writer ? `, writing ${terminalSafe(opts.write!)}` : ''}; Ctrl-C to stop\n`);

  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals === 1) capture.stop();
    else capture.kill();
  };
  for (const s of STOP_SIGNALS) proc.on(s, onSignal);

  // The dashboard when a person watches: stdout a terminal, keys readable, no --json or --no-dashboard.
  // ink and React load only when the dashboard is wanted (over a second to import).
  const dash = !opts.json && opts.dashboard !== false && term ? await import('../../tui/run-live.js') : undefined;
  const keys = dash && term ? dash.dashboardKeys(term.stdin) : undefined;
  let ui: { store: LiveStore; progress: DownloadProgress; handle: LiveDashboardHandle; poll: NodeJS.Timeout } | undefined;
  if (keys && term) {
    const store = new LiveStore({ label, tool: capture.tool });
    const progress = new DownloadProgress();
    const src = capture;
    const poll = setInterval(() => store.counters({ packets: src.recordCount, downloads: progress.list() }), 250);
    poll.unref();
    ui = { store, progress, poll, handle: dash!.startLiveDashboard(store, keys, { ...term, env: io.env }, onSignal) };
  }

  const onEvent = (e: LiveEvent): void => {
    if (ui) {
      if (e.kind === 'exchange') ui.progress.done(e.exchange);
      ui.store.event(e);
    } else if (e.kind === 'exchange') {
      if (opts.json) out(exchangeEvent(e.exchange));
      else if (isServiceTraffic(e.exchange)) io.stdout(exchangeLine(e.exchange, c));
    } else if (e.kind === 'finding') {
      if (opts.json) out(findingEvent(e.finding));
      else io.stdout(findingLine(e.finding, c, e.nowNs));
    } else if (opts.json) out(withdrawnEvent(e.finding));
    else io.stdout(withdrawnLine(e.finding, c));
  };

  let session;
  let exit: LiveExit;
  try {
    session = await runLiveSession(capture, {
      label,
      onEvent,
      tls,
      inventory,
      expected,
      onSnapshot: ui ? (r) => ui!.store.snapshot(r) : undefined,
      onStreamEvent: ui ? (e) => ui!.progress.accept(e) : undefined,
      onBatch: writer
        ? (batch) => {
            for (const rec of batch) writer.write(rec);
            writer.flush();
          }
        : undefined,
    });
  } finally {
    // Whatever happened, the child is told to stop and the files are closed whole.
    capture.stop();
    exit = await capture.done();
    writer?.close();
    for (const s of STOP_SIGNALS) proc.off(s, onSignal);
    if (ui) {
      clearInterval(ui.poll);
      await ui.handle.close();
    }
  }

  const files = writer?.paths ?? [];
  const records = session.pipeline.records;
  if (opts.json) {
    out(summaryEvent({ result: session.result, records, stats: exit.stats, files, otherDropped: session.otherDropped, error: exit.error }));
  } else {
    io.stdout('\n' + renderAnalyzeText(session.result, c));
    if (files.length > 0) io.stdout(`Written: ${files.map((f) => terminalSafe(f)).join(', ')}\n`);
  }
  io.stderr(`upxray: ${captureStatsLine(records, exit.stats)}`);
  if (session.otherDropped > 0) {
    io.stderr(`upxray: ${session.otherDropped} unrelated HTTP exchange(s) were forgotten to bound memory (findings rest on the service's own traffic)\n`);
  }
  if (exit.error !== undefined) {
    io.stderr(`upxray: ${terminalSafe(exit.error)}\n`);
    return EXIT_USAGE;
  }
  return EXIT_OK;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerLive({ program, io, setExit }: CommandContext): void {
  const cmd = program
    .command('live')
    .description('capture on a network interface (dumpcap or tcpdump) and report check-ins, downloads and findings as they happen')
    .option('-i, --interface <name>', 'interface to capture on (repeat for several)', collect)
    .option('-f, --filter <bpf>', 'capture filter replacing the default (HTTP, HTTPS, DNS, DHCP, IP fragments, VLAN-tagged too)')
    .option('--write <file>', 'keep the raw packets in this pcapng file')
    .option('--ring <n>', 'with --write: keep at most N files (FILE, FILE.1 ... FILE.N-1)')
    .option('--ring-size <mb>', 'with --ring: start a new file when the current one would pass this many MB (default 100)')
    .option('--json', 'print NDJSON events (start, exchange, finding, finding-withdrawn, summary) instead of text')
    .option('--no-dashboard', 'on a terminal, print one line per exchange and finding instead of the live dashboard')
    .addOption(new Option('--tool <name>', 'capture tool to use (default: dumpcap if installed, else tcpdump)').choices([...CAPTURE_TOOLS]))
    .option('--inventory <path>', "as for analyze: the server's inventory, to diff each response against what it should be")
    .option('--expected <file>', 'as for analyze: a known-good response body every check-in response is compared with');
  addTlsOptions(cmd).action(async (opts: LiveOptions) => {
    setExit(await liveCommand(opts, io));
  });
}
