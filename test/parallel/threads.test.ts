// `analyze --threads N` must print exactly what one thread prints: on captures
// the shards can split (and this checks they really did run sharded), and on
// captures where the threads must give up and one thread runs instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeSharded } from '../../src/parallel/analyze-sharded.js';
import { CAPTURES, cli } from '../helpers/cli.js';
// @ts-expect-error plain JavaScript benchmark script without types
import { synthesize } from '../../bench/synth-capture.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'upxray-threads-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function analyzeJson(path: string, threads: string): Promise<string> {
  const r = await cli(['analyze', '--json', '--threads', threads, path]);
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('analyze --threads', () => {
  it('gives the single-threaded JSON on a mass-update capture from the benchmark generator, sharded for real', async () => {
    const path = join(tmp, 'mass-update.pcap');
    synthesize(path, 6_000_000);
    const how = await analyzeSharded(path, 2, {});
    expect('result' in how ? 'sharded' : how.fallback).toBe('sharded');
    const one = await analyzeJson(path, '1');
    expect(JSON.parse(one).exchanges.length).toBeGreaterThan(20);
    expect(await analyzeJson(path, '2')).toBe(one);
    expect(await analyzeJson(path, '3')).toBe(one);
  });

  it.each(['many-phones.pcap', 'dus-demo.pcap', 'serve-two-cycles.pcap', 'http-vlan.pcap', 'tcp-port-reuse.pcap', 'dus-check-in-failed.pcap'])(
    'gives the single-threaded JSON on %s, sharded',
    async (name) => {
      const path = join(CAPTURES, name);
      const how = await analyzeSharded(path, 2, {});
      expect('result' in how ? 'sharded' : how.fallback).toBe('sharded');
      expect(await analyzeJson(path, '2')).toBe(await analyzeJson(path, '1'));
    },
  );

  it.each([
    ['http-ipv6.pcapng', 'TCP that is not Ethernet/IPv4 or came in IP fragments'],
    ['tls-keylog-embedded.pcapng', 'TLS key log inside the capture'],
  ])('falls back to one thread on %s, with the same JSON', async (name, why) => {
    const path = join(CAPTURES, name);
    const how = await analyzeSharded(path, 2, {});
    expect('fallback' in how ? how.fallback : 'sharded').toBe(why);
    expect(await analyzeJson(path, '2')).toBe(await analyzeJson(path, '1'));
  });

  it('says the same one line and exit 2 as one thread for a missing, empty or directory input', async () => {
    for (const path of [join(tmp, 'no-such.pcap'), join(CAPTURES, 'derived', 'empty.pcap'), CAPTURES]) {
      const one = await cli(['analyze', '--threads', '1', path]);
      const two = await cli(['analyze', '--threads', '2', path]);
      expect(one.code).toBe(2);
      expect(two).toEqual(one);
      expect(two.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('refuses a thread count that is not a number from 1 to 16 (analyze and flows)', async () => {
    for (const command of ['analyze', 'flows']) {
      for (const bad of ['0', '-1', 'two', '1.5', '17']) {
        const r = await cli([command, '--threads', bad, join(CAPTURES, 'dus-demo.pcap')]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/--threads: expected a number/);
      }
    }
  });
});
