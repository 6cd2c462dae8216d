// `upxray serve --inventory PATH`: a reference Device Update Service that
// answers check-ins by the rules of ucdevice-upx.md section 5 and serves the
// download tree, with switches that reproduce each known fault. Runs until
// interrupted (SIGINT/SIGTERM), logging one line per request.
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { FAULT_NAMES, FAULTS, isFault, type FaultName } from '../../serve/faults.js';
import type { RunningServe, ServeOptions } from '../../serve/server.js';
import { terminalSafe } from '../../report/terminal-safe.js';
import { EXIT_OK, UsageError, type CliIo } from '../io.js';
import type { CommandContext } from '../program.js';
import { inventoryOption } from './analyze.js';

export interface ServeCommandOptions {
  inventory: string;
  bind?: string;
  port?: number;
  /** false with --no-http. */
  http?: boolean;
  httpsPort?: number;
  cert?: string;
  key?: string;
  filesHost?: string;
  fault?: FaultName[];
  provisionFirst?: boolean;
}

function port(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError('not a port number (0-65535; 0 picks a free one)');
  return n;
}

function collectFault(v: string, prev: FaultName[] = []): FaultName[] {
  if (!isFault(v)) throw new InvalidArgumentError(`unknown fault; one of: ${FAULT_NAMES.join(', ')}`);
  return [...prev, v];
}

function readPem(what: string, path: string | undefined): Buffer {
  if (path === undefined) throw new UsageError(`--https-port needs --cert and --key`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`${what}: ${(e as Error).message}`);
  }
}

/** Start the service and run until `signal` aborts. */
export async function serveCommand(opts: ServeCommandOptions, io: CliIo, signal: AbortSignal): Promise<number> {
  let inventory = inventoryOption(opts.inventory);
  // An explicit host wins over the manifest's server name (a lab copy of a real inventory).
  if (opts.filesHost !== undefined) inventory = { ...inventory, server: opts.filesHost };
  const so: ServeOptions = {
    inventory,
    host: opts.bind ?? '127.0.0.1',
    faults: new Set(opts.fault ?? []),
    provisioning: opts.provisionFirst === true,
    log: (line) => io.stdout(`${line}\n`),
  };
  if (opts.http !== false) so.httpPort = opts.port ?? 80;
  if (opts.httpsPort !== undefined) {
    so.httpsPort = opts.httpsPort;
    so.tls = { cert: readPem('--cert', opts.cert), key: readPem('--key', opts.key) };
  }
  if (so.httpPort === undefined && so.httpsPort === undefined) throw new UsageError('nothing to listen on: give --port or --https-port');
  if (opts.filesHost !== undefined) so.filesHost = opts.filesHost;
  let running: RunningServe;
  try {
    // Loaded here: every other command would pay for the server's imports at start-up.
    const { startServe } = await import('../../serve/server.js');
    running = await startServe(so);
  } catch (e) {
    throw new UsageError(`cannot listen: ${(e as Error).message}`);
  }
  const at = (scheme: string, a: { address: string; port: number } | undefined) => (a ? [`${scheme}://${a.address}:${a.port}`] : []);
  io.stdout(`upxray serve: listening on ${[...at('http', running.http), ...at('https', running.https)].join(' and ')}\n`);
  io.stdout(
    `upxray serve: ${inventory.updates.length} update(s), ${inventory.testDevices.length} test device(s)${inventory.root ? `, files from ${terminalSafe(inventory.root)}` : ', stand-in files'}${so.faults!.size > 0 ? `; faults: ${[...so.faults!].join(', ')}` : ''}\n`,
  );
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await running.close();
  return EXIT_OK;
}

export function registerServe({ program, io, setExit }: CommandContext): void {
  program
    .command('serve')
    .description('run a reference Device Update Service (section 5 rules) with switches that reproduce known faults')
    .requiredOption('--inventory <path>', 'JSON manifest or DeviceUpdateFiles folder (with an optional inventory.json for approvals and test devices)')
    .option('--bind <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'plain HTTP port (check-ins and downloads; 0 picks a free one)', port, 80)
    .option('--no-http', 'no plain HTTP listener')
    .option('--https-port <n>', 'HTTPS port (needs --cert and --key)', port)
    .option('--cert <pem>', 'server certificate (PEM) for HTTPS')
    .option('--key <pem>', 'private key (PEM) for HTTPS')
    .option('--files-host <host[:port]>', 'host[:port] written in the URLs of answers (default: the inventory\'s server, else the HTTP listener)')
    .option('--fault <name>', `reproduce a fault (repeatable): ${FAULT_NAMES.map((f) => `${f} (${FAULTS[f]})`).join('; ')}`, collectFault)
    .option('--provision-first', "answer a phone's first check-in without version with nothing (in-band provisioning)")
    .action(async (opts: ServeCommandOptions) => {
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        setExit(await serveCommand(opts, io, ac.signal));
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
