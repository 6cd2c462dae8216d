// The fuzzer's watchdog: a case that blocks the event loop cannot be stopped
// from inside, so the watchdog thread saves its input and kills the process.
// Run in a child process, since the kill is the point.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const WATCHDOG = pathToFileURL(join(__dirname, '../../scripts/fuzz/watchdog.mjs')).href;

describe('fuzz watchdog', () => {
  it('saves the input of a case that blocks the loop, then kills the run', () => {
    const out = mkdtempSync(join(tmpdir(), 'upxray-watchdog-'));
    try {
      const script = `
        import { Worker } from 'node:worker_threads';
        const shared = new SharedArrayBuffer(32 + 64);
        const meta = new Float64Array(shared, 0, 4);
        new Uint8Array(shared, 32).set([0x47, 0x45, 0x54]);
        const w = new Worker(new URL(${JSON.stringify(WATCHDOG)}), { workerData: { shared, targets: ['blocked'], outDir: ${JSON.stringify(out)}, hangMs: 300, seed: 5 } });
        w.unref();
        meta[0] = 0; meta[1] = 3; meta[3] = 11; meta[2] = Date.now();
        const t = Date.now();
        while (Date.now() - t < 10000) {}
        console.log('survived');`;
      // A file, not -e: a worker inherits --input-type and would refuse to load.
      writeFileSync(join(out, 'blocked.mjs'), script);
      const r = spawnSync(process.execPath, [join(out, 'blocked.mjs')], { encoding: 'utf8', timeout: 20_000 });
      expect(r.signal).toBe('SIGKILL');
      expect(r.stdout).not.toContain('survived');
      expect(r.stderr).toContain('HANG in blocked (seed 5, case 11)');
      const files = readdirSync(join(out, 'blocked')).sort();
      expect(files.map((f) => f.split('.').pop())).toEqual(['bin', 'txt']);
      expect(readFileSync(join(out, 'blocked', files[0]), 'latin1')).toBe('GET');
      expect(readFileSync(join(out, 'blocked', files[1]), 'utf8')).toMatch(/^hang: .*\nseed 5 case 11\n$/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
