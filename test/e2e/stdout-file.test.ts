// Output redirected to a file (`> report.json`) is written by upxray itself,
// synchronously (cli/io.ts): the bytes must be those a pipe gets, and a write
// that fails (a full disk, here /dev/full) must end the command with one line
// and exit 2, not with exit 0 and a short file.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, CAPTURES, ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'upxray-stdout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The command with its stdout on file descriptor `fd`. */
function runInto(fd: number | 'pipe', argv: string[]) {
  return spawnSync(process.execPath, [BIN, ...argv], { cwd: ROOT, stdio: ['ignore', fd, 'pipe'], maxBuffer: 1 << 28 });
}

const COMMANDS: Array<[string, string[]]> = [
  ['analyze --json', ['analyze', '--json', join(CAPTURES, 'many-phones.pcap')]],
  ['analyze (text)', ['analyze', join(CAPTURES, 'many-phones.pcap')]],
  ['flows --json', ['flows', '--json', join(CAPTURES, 'dus-healthy.pcap')]],
];

describe('standard output into a file', () => {
  it.each(COMMANDS)('%s writes into a file the bytes a pipe gets', (_, argv) => {
    const piped = runInto('pipe', argv);
    expect(piped.status).toBe(0);
    const path = join(dir, `${argv.join('-').replace(/[^a-z0-9.-]/gi, '_')}.out`);
    const fd = openSync(path, 'w');
    const filed = runInto(fd, argv);
    closeSync(fd);
    expect(filed.status).toBe(0);
    expect(filed.stderr.toString()).toBe(piped.stderr.toString());
    const bytes = readFileSync(path);
    expect(bytes.length).toBeGreaterThan(1000);
    expect(bytes.equals(piped.stdout)).toBe(true);
  });

  it('says so in one line and exits 2 when the write fails (a full disk)', () => {
    const fd = openSync('/dev/full', 'w');
    const r = runInto(fd, ['analyze', '--json', join(CAPTURES, 'dus-healthy.pcap')]);
    closeSync(fd);
    expect(r.status).toBe(2);
    const stderr = r.stderr.toString();
    expect(stderr).toMatch(/^upxray: ENOSPC: no space left on device/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
