// The hashing thread is a speed switch: with it, a capture with firmware
// downloads must give the very digests, JSON and text that one thread gives,
// and the test checks the thread really hashed them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import type { HttpExchange } from '../../src/http/exchanges.js';
import { runPipeline } from '../../src/pipeline.js';
import { CAPTURES, cli } from '../helpers/cli.js';
// @ts-expect-error plain JavaScript benchmark script without types
import { synthesize } from '../../bench/synth-capture.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'upxray-hash-thread-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const massUpdate = join(tmp, 'mass-update.pcap');
synthesize(massUpdate, 12_000_000);

async function digests(path: string, hashThread: boolean, readSize?: number): Promise<{ sums: string[]; offThread: number }> {
  const exchanges: HttpExchange[] = [];
  const r = await runPipeline(await openCapture(path, { readSize }), { hashThread, onExchange: (x) => exchanges.push(x) });
  const sums = exchanges.map((x) => `${x.id} ${x.request?.bodySize}:${x.request?.bodySha256} ${x.response?.bodySize}:${x.response?.bodySha256}`);
  return { sums, offThread: r.offThreadBodies };
}

describe('hashing long bodies on a second thread', () => {
  it('gives every body the digest one thread gives, on a mass update with firmware downloads', async () => {
    const one = await digests(massUpdate, false);
    const two = await digests(massUpdate, true);
    expect(one.offThread).toBe(0);
    // Firmware downloads are 2-5 MB: they went to the thread.
    expect(two.offThread).toBeGreaterThan(0);
    expect(two.sums).toEqual(one.sums);
    expect(two.sums.join('\n')).not.toMatch(/:(\s|$)/m); // no digest left pending
    // Small reads: lent buffers come round far more often, and the thread is waited for.
    expect((await digests(massUpdate, true, 4096)).sums).toEqual(one.sums);
  });

  it.each(['dus-download-truncated.pcap', 'http-chunked-gzip.pcapng', 'dus-demo.pcap'])('changes nothing on %s', async (name) => {
    const path = join(CAPTURES, name);
    expect((await digests(path, true)).sums).toEqual((await digests(path, false)).sums);
  });

  it('analyze --json and flows --json print the same bytes with --threads 1 (one thread in all) and by default', async () => {
    for (const command of ['analyze', 'flows']) {
      const one = await cli([command, '--json', '--threads', '1', massUpdate]);
      const auto = await cli([command, '--json', massUpdate]);
      expect(one.code).toBe(0);
      expect(auto.stdout).toBe(one.stdout);
      expect(JSON.parse(one.stdout).exchanges.length).toBeGreaterThan(20);
    }
  });
});
