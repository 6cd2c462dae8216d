// `upxray phone URL`: an emulated phone for live tests and demos. It checks in
// with the given identity and version, downloads what it is offered, waits,
// "reboots" on the new version and checks in again until it is offered nothing.
import { InvalidArgumentError, Option } from 'commander';
import type { PhoneOptions } from '../../serve/phone-client.js';
import { terminalSafe } from '../../report/terminal-safe.js';
import { EXIT_OK, UsageError, type CliIo } from '../io.js';
import type { CommandContext } from '../program.js';

export interface PhoneCommandOptions {
  handler?: 'internal' | 'external' | 'legacy';
  mac?: string;
  serial?: string;
  vendor?: string;
  model?: string;
  revision?: string;
  locale?: string;
  cpeVersion?: string;
  cycles?: number;
  wait?: number;
  connectTo?: string;
  insecure?: boolean;
  badRequestLine?: boolean;
  timeout?: number;
  json?: boolean;
}

function count(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('not a number');
  return n;
}

export async function phoneCommand(url: string, o: PhoneCommandOptions, io: CliIo): Promise<number> {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http or https');
  } catch {
    throw new UsageError(`not an http(s) URL: ${url}`);
  }
  const po: PhoneOptions = { url, log: o.json ? undefined : (l) => io.stdout(`${terminalSafe(l)}\n`) };
  for (const k of ['handler', 'mac', 'serial', 'vendor', 'model', 'revision', 'locale', 'connectTo', 'insecure', 'badRequestLine'] as const) {
    if (o[k] !== undefined) (po as unknown as Record<string, unknown>)[k] = o[k];
  }
  if (o.cpeVersion !== undefined) po.version = o.cpeVersion;
  if (o.cycles !== undefined) po.maxCycles = o.cycles;
  if (o.wait !== undefined) po.waitSeconds = o.wait;
  if (o.timeout !== undefined) po.timeoutSeconds = o.timeout;
  // Loaded here: every other command would pay for the client's imports at start-up.
  const { runPhone } = await import('../../serve/phone-client.js');
  const run = await runPhone(po);
  if (o.json) io.stdout(JSON.stringify({ schema: 1, ...run }, null, 2) + '\n');
  else io.stdout(`phone: ${run.updates} update(s); now on ${terminalSafe(run.finalVersion)}\n`);
  return EXIT_OK;
}

export function registerPhone({ program, io, setExit }: CommandContext): void {
  program
    .command('phone')
    .description('emulate a phone: check in, download what is offered, reboot on the new version, check in again')
    .argument('<url>', 'the server (http://host:port) or its check-in URL (.../RequestHandler/ucdevice.upx)')
    .addOption(new Option('--handler <which>', 'handler path when the URL is a server').choices(['internal', 'external', 'legacy']).default('internal'))
    .option('--mac <mac>', 'MacAddress', '0021630F207B')
    .option('--serial <serial>', 'SerialNumber', 'C185H001209')
    .option('--vendor <vendor>', 'Vendor', 'LG-Nortel')
    .option('--model <model>', 'Model', 'IP8540')
    .option('--revision <rev>', 'Revision', 'A')
    .option('--locale <locale>', 'Locale', 'ENU')
    // Not --version: the program's own --version would answer it.
    .option('--cpe-version <version>', 'CPE version it runs (0.0.0.0: none)', '0.0.0.0')
    .option('--cycles <n>', 'most check-ins', count, 4)
    .option('--wait <seconds>', 'idle time before the reboot (real phones: 300)', count, 0)
    .option('--connect-to <address>', 'connect here whatever host a URL names (Host header unchanged)')
    .option('--insecure', "accept the server's certificate without checking it")
    .option('--bad-request-line', 'send the check-in with a malformed request line (a raw space and control byte)')
    .option('--timeout <seconds>', 'wait this long for each answer', count, 10)
    .option('--json', 'print the run as one JSON document')
    .action(async (url: string, opts: PhoneCommandOptions) => {
      setExit(await phoneCommand(url, opts, io));
    });
}
