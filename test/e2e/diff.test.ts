import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/cli/commands/diff.js';
import { CAPTURES, cli, ROOT } from '../helpers/cli.js';

const FIX = join(ROOT, 'test/dus/fixtures');
const INV = join(ROOT, 'captures/make/dus/inventory.json');

describe('upxray diff', () => {
  it('reads the three forms of a side', () => {
    expect(parseSpec('a.pcap#0.3')).toEqual({ kind: 'exchange', path: 'a.pcap', id: '0.3' });
    expect(parseSpec('dir/a.pcapng.gz@17')).toEqual({ kind: 'frame', path: 'dir/a.pcapng.gz', frame: 17 });
    expect(parseSpec('body.xml')).toEqual({ kind: 'body', path: 'body.xml' });
  });

  it('compares two response bodies field by field', async () => {
    const r = await cli(['diff', join(FIX, 'canonical-response.xml'), join(FIX, 'response-no-versions.xml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ServerVersion: only in A ("3.5.6907.0")');
    expect(r.stdout).toContain('ServiceVersion: only in A ("3.5.6907.0")');
    expect(r.stdout).toMatch(/\d+ difference\(s\) in all\n$/);
  });

  it('says "no differences" for the same body', async () => {
    const r = await cli(['diff', join(FIX, 'canonical-request.xml'), join(FIX, 'canonical-request.xml')]);
    expect(r.stdout).toContain('request: same');
    expect(r.stdout).toMatch(/no differences\n$/);
  });

  it('puts a working and a stuck phone side by side, by exchange id and by frame', async () => {
    const r = await cli(['diff', `${CAPTURES}dus-healthy.pcap#0.1`, `${CAPTURES}dus-locale-mismatch.pcap@6`, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.a.frames).toEqual([4, 6]);
    expect(doc.b.frames).toEqual([4, 6]);
    expect(doc.request).toEqual([{ field: 'Files[1].Version', kind: 'different', expected: '3.5.6907.0', actual: '1.0.522.103' }]);
    expect(doc.response).toContainEqual({ field: 'Downloads', kind: 'different', expected: '0', actual: '1' });
    expect(doc.response.find((d: { field: string }) => d.field === 'Files[1]').actual).toContain('/A/NLD/3.5.6907.0/');
  });

  it('with --inventory and one check-in, shows what it should have been answered', async () => {
    const r = await cli(['diff', `${CAPTURES}dus-interim-not-offered.pcap#0.1`, '--inventory', INV]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('A: expected (inventory, interim)');
    expect(r.stdout).toContain('Files[1].Version: expected "1.0.522.103", got "3.5.6907.0"');
    expect(r.stdout).toContain('Files[1].Url.path: expected "OCInterim/ENU/CPE.nbt"');
    expect(r.stdout).toContain('<Url>http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt</Url>');
  });

  it('with --inventory and a request body, prints the expected response', async () => {
    const r = await cli(['diff', join(FIX, 'canonical-request.xml'), '--inventory', INV, '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.decision.reason).toBe('test-device-update'); // the canonical MAC is the manifest's lab phone
    expect(doc.expected.files[0].version).toBe('3.5.6907.0');
  });

  it('fails with one line for a missing check-in, an unreadable body, or nothing to compare', async () => {
    const miss = await cli(['diff', `${CAPTURES}dus-healthy.pcap#7.7`, join(FIX, 'canonical-request.xml')]);
    expect(miss.code).toBe(2);
    expect(miss.stderr).toMatch(/^upxray: .*no check-in with id 7\.7; check-ins in .*: 0\.1 \(frame 4\)\n$/);
    const dir = mkdtempSync(join(tmpdir(), 'upx-diff-'));
    writeFileSync(join(dir, 'bad.xml'), '<Response><ServerVersion>');
    const bad = await cli(['diff', join(dir, 'bad.xml'), join(FIX, 'canonical-response.xml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a ucdevice\.upx body \(upx\.[a-z-]+ at byte \d+\)/);
    const mixed = await cli(['diff', join(FIX, 'canonical-request.xml'), join(FIX, 'canonical-response.xml')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/nothing to compare/);
    const one = await cli(['diff', join(FIX, 'canonical-request.xml')]);
    expect(one.code).toBe(2);
  });
});
