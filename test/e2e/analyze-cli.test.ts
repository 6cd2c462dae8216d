// `upxray analyze` as a user runs it: the demo story, phone selection,
// --fail-on exit codes, colour only where it belongs.
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { CAPTURES, cli } from '../helpers/cli.js';

const DEMO = join(CAPTURES, 'dus-demo.pcap');

async function run(argv: string[], env: NodeJS.ProcessEnv, isTTY: boolean) {
  let stdout = '';
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: () => {},
    stdin: Readable.from([]),
    isTTY,
    env,
  });
  return { code, stdout };
}

describe('analyze on the demo capture (the seed story)', () => {
  it('tells the story: provisioning, the interim build, then 3.5.6907.0', async () => {
    const r = await cli(['analyze', DEMO]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const timeline = lines.filter((l) => /^ {2}2009-03-06 /.test(l));
    expect(timeline).toHaveLength(7);
    expect(timeline[0]).toMatch(/check-in \(cpe\.nbt 0\.0\.0\.0\): Downloads 0 +frames 4, 6/);
    expect(timeline[1]).toMatch(/check-in \(cpe\.nbt 0\.0\.0\.0\): offered 1\.0\.522\.103/);
    expect(timeline[2]).toMatch(/download \/DeviceUpdateFiles_Int\/OCInterim\/ENU\/CPE\.nbt: HTTP 200, 65536 bytes/);
    expect(timeline[4]).toMatch(/check-in \(cpe\.nbt 1\.0\.522\.103\): offered 3\.5\.6907\.0 .*idle reboot/);
    expect(timeline[5]).toMatch(/3\.5\.6907\.0\/CPE\/CPE\.nbt: HTTP 200/);
    expect(r.stdout).toMatch(/^Phone 0021630F207B \(00:21:63:0f:20:7b\) +10\.99\.2\.123/m);
    expect(r.stdout).toMatch(/LG-Nortel IP8540 rev A · locale ENU · serial C185H001209/);
    expect(r.stdout).toMatch(/^Capture health: whole/m);
    expect(r.stdout).toMatch(/^Summary: 1 phone\(s\), 0 error\(s\), 0 warning\(s\)/m);
  });

  it('JSON names the phone on every Device Update Service exchange and decodes the check-ins', async () => {
    const doc = JSON.parse((await cli(['analyze', '--json', DEMO])).stdout);
    expect(doc.phones).toHaveLength(1);
    expect(doc.phones[0]).toMatchObject({ mac: '0021630F207B', vendor: 'LG-Nortel', model: 'IP8540', locale: 'ENU' });
    const checkIns = doc.exchanges.filter((x: { kind: string }) => x.kind === 'check-in');
    expect(checkIns).toHaveLength(3);
    expect(checkIns.map((x: { upx: { response: { files: Array<{ version: string }> } } }) => x.upx.response.files.map((f) => f.version))).toEqual([
      [],
      ['1.0.522.103'],
      ['3.5.6907.0'],
    ]);
    expect(doc.exchanges.filter((x: { kind: string }) => x.kind === 'download')).toHaveLength(4);
    expect(doc.exchanges.every((x: { kind: string; phone: string | null }) => x.kind === 'other' || x.phone === '0021630F207B')).toBe(true);
  });
});

describe('--phone', () => {
  it.each(['00:21:63:0F:20:7B', '0021630f207b', '00-21-63-0f-20-7b', '10.99.2.123'])('selects the phone by %s', async (sel) => {
    const doc = JSON.parse((await cli(['analyze', '--json', '--phone', sel, DEMO])).stdout);
    expect(doc.phones.map((p: { key: string }) => p.key)).toEqual(['0021630F207B']);
  });

  it('an unknown phone is a usage error', async () => {
    const r = await cli(['analyze', '--phone', '00:11:22:33:44:55', DEMO]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no phone 00:11:22:33:44:55/);
  });
});

describe('--fail-on', () => {
  it('exits 0 when nothing reaches the threshold', async () => {
    expect((await cli(['analyze', '--fail-on', 'error', DEMO])).code).toBe(0);
    expect((await cli(['analyze', '--fail-on', 'warning', DEMO])).code).toBe(0);
  });

  it('exits 1 when a finding reaches the threshold, counting worse ones', async () => {
    const broken = join(CAPTURES, 'dus-missing-server-version.pcap');
    expect((await cli(['analyze', '--fail-on', 'error', broken])).code).toBe(1);
    expect((await cli(['analyze', '--fail-on', 'warning', broken])).code).toBe(1);
    const interim = join(CAPTURES, 'dus-interim-required.pcap'); // info only
    expect((await cli(['analyze', '--fail-on', 'warning', interim])).code).toBe(0);
    expect((await cli(['analyze', '--fail-on', 'info', interim])).code).toBe(1);
    expect((await cli(['analyze', interim])).code).toBe(0);
  });

  it('rejects a severity that does not exist', async () => {
    expect((await cli(['analyze', '--fail-on', 'fatal', DEMO])).code).toBe(2);
  });
});

describe('colour', () => {
  const ESC = '\u001b[';
  it('is off when piped', async () => {
    expect((await run(['analyze', DEMO], {}, false)).stdout).not.toContain(ESC);
  });
  it('is on on a terminal', async () => {
    expect((await run(['analyze', DEMO], {}, true)).stdout).toContain(ESC);
  });
  it('is off on a terminal with NO_COLOR', async () => {
    expect((await run(['analyze', DEMO], { NO_COLOR: '1' }, true)).stdout).not.toContain(ESC);
  });
  it('is on when piped with FORCE_COLOR', async () => {
    expect((await run(['analyze', DEMO], { FORCE_COLOR: '1' }, false)).stdout).toContain(ESC);
  });
});
