// `upxray analyze <capture>`: per phone, what it asked, what the server
// answered, what it downloaded, and which known fault explains the rest.
import { readFileSync } from 'node:fs';
import { Option } from 'commander';
import { analyzeCapture } from '../../analysis.js';
import { macKey } from '../../dus/build-model.js';
import { loadInventory, type Inventory } from '../../dus/inventory.js';
import { decodeUpx } from '../../dus/upx-codec.js';
import type { UpxResponse } from '../../dus/upx-types.js';
import type { Phone } from '../../dus/model.js';
import { atOrAbove, type Finding, type Severity } from '../../diagnose/finding.js';
import { analyzeDocumentToWrite } from '../../report/analyze-json.js';
import { writeJson } from '../write-json.js';
import { renderAnalyzeText } from '../../report/analyze-text.js';
import { palette } from '../../report/colour.js';
import { showTui } from './browse.js';
import { terminalSafe } from '../../report/terminal-safe.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError, type CliIo } from '../io.js';
import type { CommandContext } from '../program.js';
import { addTlsOptions, loadTlsKeys, type TlsOptionValues } from '../tls-options.js';
import type { TlsKeys } from '../../pipeline.js';
import { stat } from 'node:fs/promises';
import { analyzeLogs, type LogAnalysis } from '../../logs/log-findings.js';
import { hashThreadOption, threadsOption } from '../threads-option.js';
import { readLogFile, type ParsedLog } from '../../logs/read-log.js';

export interface AnalyzeOptions extends TlsOptionValues {
  json?: boolean;
  phone?: string;
  failOn?: Severity;
  /** Show the result in the terminal UI instead of printing it. */
  tui?: boolean;
  /** Manifest or updates folder of the server (section 8). */
  inventory?: string;
  /** A known-good response body to diff every check-in response against. */
  expected?: string;
  /** RequestHandlerAuditLog files of the server (repeatable). */
  auditLog?: string[];
  /** IIS W3C log files of the server (repeatable). */
  iisLog?: string[];
  /** Worker threads for a capture file (`auto` by default). */
  threads?: string;
}

/** `--audit-log`/`--iis-log` files, each read and checked to be the kind its option says. */
export async function logOptions(audit: readonly string[], iis: readonly string[]): Promise<LogAnalysis | undefined> {
  const logs: ParsedLog[] = [];
  const wanted: Array<{ path: string; kind: 'audit' | 'iis'; flag: string }> = [
    ...audit.map((path) => ({ path, kind: 'audit' as const, flag: '--audit-log' })),
    ...iis.map((path) => ({ path, kind: 'iis' as const, flag: '--iis-log' })),
  ];
  if (wanted.length === 0) return undefined;
  for (const { path, kind, flag } of wanted) {
    let log: ParsedLog | undefined;
    try {
      if (!(await stat(path)).isFile()) throw new UsageError(`${flag}: ${path} is not a file`);
      log = await readLogFile(path);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`${flag}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!log || log.kind !== kind) {
      const what = kind === 'audit' ? 'a Device Update Service audit log (no "Logging DateTime," header line)' : 'an IIS W3C log (no #Fields: line)';
      throw new UsageError(`${flag}: ${path} is not ${what}${log ? `; it reads as ${log.kind === 'audit' ? 'an audit log: use --audit-log' : 'an IIS log: use --iis-log'}` : ''}`);
    }
    logs.push(log);
  }
  return analyzeLogs(logs);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--inventory PATH`, or a usage error naming the bad field. */
export function inventoryOption(path: string): Inventory {
  const r = loadInventory(path);
  if (!r.ok) throw new UsageError(`--inventory: ${r.error}`);
  return r.value;
}

/** `--expected FILE`: a response body that must decode. */
export function expectedOption(path: string): UpxResponse {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`--expected: ${(e as Error).message}`);
  }
  const r = decodeUpx(bytes, { kind: 'response' });
  if (!r.ok) throw new UsageError(`--expected: ${path}: not a ucdevice.upx response (${r.error.code} at byte ${r.error.offset})`);
  return r.value;
}

/** Phones matching `--phone`: a MAC in any common notation, or an IP address. */
export function selectPhones(phones: readonly Phone[], wanted: string): Phone[] {
  const w = wanted.trim();
  const asMac = macKey(w);
  const isMac = /^[0-9A-F]{12}$/.test(asMac) && !/^\d+\.\d+\.\d+\.\d+$/.test(w);
  return phones.filter((p) => (isMac && p.mac === asMac) || p.ips.includes(w));
}

function belongsTo(f: Finding, phones: readonly Phone[]): boolean {
  return phones.some((p) => (f.phone.mac !== undefined && f.phone.mac === p.mac) || (f.phone.ip !== undefined && p.ips.includes(f.phone.ip)));
}

export async function analyzeCommand(path: string, opts: AnalyzeOptions, io: CliIo): Promise<number> {
  const extra: { inventory?: Inventory; expected?: UpxResponse; tls?: TlsKeys; logs?: LogAnalysis; threads?: number; keepCheckInBodies?: boolean; hashThread?: boolean; spool?: boolean; lean?: boolean; parts?: boolean } = {
    tls: loadTlsKeys(opts, io.env),
    threads: await threadsOption(opts.threads, path),
    hashThread: hashThreadOption(opts.threads),
    // The terminal UI shows check-in bodies; the JSON and text reports need only their decoded form.
    keepCheckInBodies: opts.tui === true,
    // The reports need of each exchange only what the model keeps, and the JSON report its JSON, made as it completes.
    spool: opts.tui !== true && opts.json === true,
    lean: opts.tui !== true && opts.json !== true,
    // The JSON report is written once from the result: the analysis can be made a part at a time.
    parts: opts.tui !== true && opts.json === true,
  };
  if (opts.inventory !== undefined) extra.inventory = inventoryOption(opts.inventory);
  if (opts.expected !== undefined) extra.expected = expectedOption(opts.expected);
  extra.logs = await logOptions(opts.auditLog ?? [], opts.iisLog ?? []);
  const r = await analyzeCapture(path, io, undefined, { ...extra, warn: (line) => io.stderr(`upxray: warning: ${terminalSafe(line)}\n`) });
  if (opts.tui) return showTui(r, path, io);
  let phones = r.model.phones;
  let findings = r.findings;
  if (opts.phone !== undefined) {
    phones = selectPhones(phones, opts.phone);
    if (phones.length === 0) throw new UsageError(`no phone ${opts.phone} in ${path}`);
    findings = findings.filter((f) => belongsTo(f, phones));
  }
  if (opts.json) {
    // In pieces, each exchange made as it is written: on a big capture the document is tens of MB.
    await writeJson(analyzeDocumentToWrite(r, opts.phone !== undefined ? new Set(phones.map((p) => p.key)) : undefined), io);
  } else {
    io.stdout(renderAnalyzeText(r, palette(io.isTTY, io.env), phones, findings));
  }
  for (const w of r.flows.warnings) {
    if (w.layer === 'capture') io.stderr(`upxray: warning: ${terminalSafe(path)}: ${terminalSafe(w.detail ?? w.code)}\n`);
  }
  if (opts.failOn && findings.some((f) => atOrAbove(f.severity, opts.failOn!))) return EXIT_FINDINGS;
  return EXIT_OK;
}

export function registerAnalyze({ program, io, setExit }: CommandContext): void {
  const cmd = program
    .command('analyze')
    .description('decode the ucdevice.upx check-ins and downloads of each phone and name the known faults')
    .argument('<capture>', 'pcap or pcapng file, optionally gzipped; - for standard input')
    .option('--json', 'print one JSON document (the flows document, schema 1, extended with phones and findings)')
    .option('--phone <mac|ip>', 'only this phone (MAC in any notation, or IP address)')
    .option('--inventory <path>', "the server's inventory (JSON manifest or DeviceUpdateFiles folder): diff each response against what it should be")
    .option('--expected <file>', 'a known-good response body: diff each check-in response against it')
    .option('--audit-log <file>', "the server's RequestHandlerAuditLog (repeatable): its lines join the phones' timelines", collect)
    .option('--iis-log <file>', "the server's IIS W3C log (repeatable): its lines join the phones' timelines", collect)
    .option('--threads <n|auto>', 'worker threads for a capture file, sharded by TCP connection (same output as 1); auto: on 4 or more cores, one per core but one, up to 4, for files of 64 MiB or more; on 2 or more cores, long bodies are hashed on a thread of their own unless this is 1', 'auto')
    .option('--tui', 'browse the result in the interactive terminal UI (as upxray browse)')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding of this severity or worse exists').choices(['error', 'warning', 'info']));
  addTlsOptions(cmd).action(async (path: string, opts: AnalyzeOptions) => {
    setExit(await analyzeCommand(path, opts, io));
  });
}
