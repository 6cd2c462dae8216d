// Run the upxray CLI in-process, capturing what it prints, or as the real
// binary in a child process (for exit codes and stderr as a user sees them).
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/program.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CAPTURES = fileURLToPath(new URL('../../captures/', import.meta.url));
// What `npm install` puts on the PATH: the bundle of dist/ (scripts/bundle.mjs).
export const BIN = fileURLToPath(new URL('../../dist/bundle/upxray.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(argv: string[], stdin: Uint8Array = new Uint8Array(), env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stdin: Readable.from([Buffer.from(stdin)]),
    isTTY: false,
    env: { NO_COLOR: '1', ...env },
  });
  return { code, stdout, stderr };
}

/** The built binary, as `npx upxray` runs it. */
export function bin(argv: string[], input?: Uint8Array): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...argv], { input, encoding: 'utf8', timeout: 60_000, cwd: ROOT });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
