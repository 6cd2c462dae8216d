// upxray serve and upxray phone end to end: the commands over loopback, and the
// captures captures/make/dus/serve-phone.sh made of them under tcpdump in
// network namespaces (committed with tshark's verdict and the expected
// findings), analysed with the server's inventory.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyzeCapture, type AnalysisResult } from '../../src/analysis.js';
import { serveCommand } from '../../src/cli/commands/serve.js';
import type { CliIo } from '../../src/cli/io.js';
import type { FindingCode, Severity } from '../../src/diagnose/catalogue.js';
import { loadInventory } from '../../src/dus/inventory.js';
import { CAPTURES, cli, ROOT } from '../helpers/cli.js';

const INV_PATH = join(ROOT, 'captures/make/dus/inventory.json');

interface Expected {
  shows: string;
  findings: Array<{ code: FindingCode; severity: Severity; frames: number[] }>;
}

const names = readdirSync(CAPTURES)
  .filter((n) => /^serve-.*\.pcap$/.test(n))
  .map((n) => n.replace(/\.pcap$/, ''))
  .sort();

const runs = new Map<string, Promise<AnalysisResult>>();
function analyze(name: string, withInventory: boolean): Promise<AnalysisResult> {
  const key = `${name}|${withInventory}`;
  let r = runs.get(key);
  if (!r) {
    const inv = loadInventory(INV_PATH);
    if (!inv.ok) throw new Error(inv.error);
    r = analyzeCapture(join(CAPTURES, `${name}.pcap`), { stdin: process.stdin }, undefined, withInventory ? { inventory: inv.value } : {});
    runs.set(key, r);
  }
  return r;
}

describe('analyze --inventory on the captures of serve and phone', () => {
  it('has the healthy run and one capture per inventory finding', () => {
    expect(names).toEqual(expect.arrayContaining(['serve-healthy', 'serve-no-update-offered', 'serve-response-diff', 'serve-locale-mismatch', 'serve-interim-not-offered']));
  });

  for (const name of names) {
    const exp = JSON.parse(readFileSync(join(CAPTURES, `${name}.expect.json`), 'utf8')) as Expected;
    it(`${name}: exactly ${exp.findings.map((f) => f.code).join(', ') || 'nothing'} (${exp.shows})`, async () => {
      const { findings } = await analyze(name, true);
      expect(findings.map((f) => f.code).sort()).toEqual(exp.findings.map((f) => f.code).sort());
      for (const e of exp.findings) {
        const f = findings.find((x) => x.code === e.code)!;
        expect(f.severity).toBe(e.severity);
        expect(f.evidence.frames).toEqual(expect.arrayContaining(e.frames));
        expect(f.phone.mac).toBe('0021630F207B');
      }
    });
  }

  it('the healthy run raises nothing at all, and the phone ends on the approved version', async () => {
    const r = await analyze('serve-healthy', true);
    expect(r.findings).toEqual([]);
    const p = r.model.phones[0];
    expect(p.version).toBe('3.5.6907.0');
  });

  it('needs the inventory to see no-update-offered, locale-mismatch and response-diff', async () => {
    for (const name of ['serve-no-update-offered', 'serve-locale-mismatch', 'serve-response-diff']) {
      const { findings } = await analyze(name, false);
      expect(findings.map((f) => f.code), name).toEqual([]);
    }
  });

  it('the two-cycle run shows the phone going 1.0.452.0 -> 1.0.522.103 -> 3.5.6907.0', async () => {
    const r = await analyze('serve-two-cycles', true);
    const versions = r.model.exchanges.filter((x) => x.cls.kind === 'check-in').map((x) => (x.upxRequest?.ok ? x.upxRequest.value.files[0]?.version : undefined));
    expect(versions).toEqual(['1.0.452.0', '1.0.522.103', '3.5.6907.0']);
  });

  it('analyze --inventory on the command line names a bad manifest field', async () => {
    const r = await cli(['analyze', join(CAPTURES, 'serve-healthy.pcap'), '--inventory', join(ROOT, 'test/dus/fixtures/canonical-request.xml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^upxray: --inventory: .*canonical-request\.xml: not JSON/);
    const ok = await cli(['analyze', join(CAPTURES, 'serve-response-diff.pcap'), '--inventory', INV_PATH, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).findings.map((f: { code: string }) => f.code)).toEqual(['response-diff']);
  });

  it('analyze --expected diffs every response with a known-good body, not repeating what other rules report', async () => {
    const good = join(ROOT, 'test/dus/fixtures/canonical-response.xml');
    const healthy = await cli(['analyze', join(CAPTURES, 'dus-healthy.pcap'), '--expected', good, '--json']);
    expect(healthy.code).toBe(0);
    const diff = JSON.parse(healthy.stdout).findings.filter((f: { code: string }) => f.code === 'response-diff');
    expect(diff).toHaveLength(1);
    expect(diff[0].message).toContain('Downloads: expected "1", got "0"');
    expect(diff[0].evidence.field).toBe('Downloads,Files[1]');
    // Only ServiceVersion differs here, and missing-service-version already says so.
    const missing = await cli(['analyze', join(CAPTURES, 'dus-missing-service-version.pcap'), '--expected', good, '--json']);
    const codes = JSON.parse(missing.stdout).findings.map((f: { code: string }) => f.code);
    expect(codes).toContain('missing-service-version');
    expect(codes).not.toContain('response-diff');
    const bad = await cli(['analyze', join(CAPTURES, 'dus-healthy.pcap'), '--expected', join(ROOT, 'test/dus/fixtures/README.md')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^upxray: --expected: .*README\.md: not a ucdevice\.upx response/);
  });
});

function io(): CliIo & { out: () => string } {
  let out = '';
  return { stdout: (t) => void (out += t), stderr: (t) => void (out += t), stdin: new PassThrough(), isTTY: false, env: {}, out: () => out };
}

async function untilListening(x: { out: () => string }): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(x.out());
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`serve did not start: ${x.out()}`);
}

describe('upxray serve and upxray phone commands', () => {
  it('bring a phone below 1.0.522.98 to the approved version in two cycles, and one above it in one', async () => {
    const sio = io();
    const ac = new AbortController();
    const done = serveCommand({ inventory: INV_PATH, port: 0, filesHost: '127.0.0.1' }, sio, ac.signal);
    const base = await untilListening(sio);
    const port = new URL(base).port;
    try {
      const low = await cli(['phone', base, '--cpe-version', '1.0.452.0', '--connect-to', `127.0.0.1:${port}`, '--json']);
      expect(low.code).toBe(0);
      const lowRun = JSON.parse(low.stdout);
      expect(lowRun.updates).toBe(2);
      expect(lowRun.finalVersion).toBe('3.5.6907.0');
      const high = await cli(['phone', base, '--cpe-version', '1.0.522.103', '--connect-to', `127.0.0.1:${port}`]);
      expect(high.stdout).toMatch(/phone: 1 update\(s\); now on 3\.5\.6907\.0\n$/);
      expect(high.stdout).toContain('check-in 1 with 1.0.522.103: HTTP 200');
    } finally {
      ac.abort();
    }
    expect(await done).toBe(0);
    expect(sio.out()).toMatch(/POST \/RequestHandler\/ucdevice\.upx 200 \d+ \d+ms interim -> 1\.0\.522\.103/);
  });

  it('refuse bad usage with one line and exit 2', async () => {
    const bad = await cli(['serve', '--inventory', INV_PATH, '--fault', 'bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown fault; one of: no-server-version/);
    const https = await cli(['serve', '--inventory', INV_PATH, '--port', '0', '--https-port', '0']);
    expect(https.code).toBe(2);
    expect(https.stderr).toBe('upxray: --https-port needs --cert and --key\n');
    const inv = await cli(['serve', '--inventory', '/nonexistent/inv.json']);
    expect(inv.code).toBe(2);
    expect(inv.stderr).toMatch(/^upxray: --inventory: \/nonexistent\/inv\.json: ENOENT/);
    const url = await cli(['phone', 'ftp://x']);
    expect(url.code).toBe(2);
    expect(url.stderr).toBe('upxray: not an http(s) URL: ftp://x\n');
  });
});
