// `upxray ticket` as a user runs it: a folder, a .zip and a .tar.gz; with
// --redact, no original identifier in any byte of the output (archives
// searched as written and as unpacked, the pcapng included).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CAPTURES, cli } from '../helpers/cli.js';
import { identifierNeedles, writeSyntheticCapture } from '../ticket/synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'upxray-ticket-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SYNTH = join(dir, 'check-in-with-user.pcapng');
writeSyntheticCapture(SYNTH);
const DEMO = join(CAPTURES, 'dus-demo.pcap');
const NAMES = ['report.md', 'flows.har', 'flows.pcapng', 'analysis.json'];

/** Entries of a ustar archive: name and bytes. */
function untar(tar: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let o = 0;
  while (o + 512 <= tar.length && tar[o] !== 0) {
    const name = tar.subarray(o, o + 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(tar.subarray(o + 124, o + 136).toString('ascii').replace(/\0.*$/s, ''), 8);
    out.set(name, tar.subarray(o + 512, o + 512 + size));
    o += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Entries of a zip of stored entries, read through the central directory. */
function unzip(zip: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let p = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const nameLen = zip.readUInt16LE(p + 28);
    const extra = zip.readUInt16LE(p + 30);
    const comment = zip.readUInt16LE(p + 32);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const size = zip.readUInt32LE(p + 20);
    const local = zip.readUInt32LE(p + 42);
    expect(zip.readUInt16LE(p + 10)).toBe(0); // stored
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    out.set(name, zip.subarray(start, start + size));
    p += 46 + nameLen + extra + comment;
  }
  return out;
}

function leaks(bytes: Buffer, needles: { text: string[]; binary: Buffer[] }, binary: boolean): string[] {
  const lower = bytes.toString('latin1').toLowerCase();
  const utf16 = Buffer.from(bytes.toString('latin1').toLowerCase(), 'latin1');
  const found = needles.text.filter((n) => lower.includes(n.toLowerCase()) || utf16.includes(Buffer.from(n.toLowerCase(), 'utf16le')));
  if (binary) for (const b of needles.binary) if (bytes.includes(b)) found.push(`binary ${b.toString('hex')}`);
  return found;
}

describe('ticket output forms', () => {
  it('writes the four files into a folder and says what it wrote', async () => {
    const out = join(dir, 'demo');
    const r = await cli(['ticket', DEMO, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/flows\.pcapng \(196 packet\(s\)\)/);
    expect(readdirSync(out).sort()).toEqual([...NAMES].sort());
    const doc = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'));
    expect(doc.schema).toBe(1);
    expect(doc.captures[0].path).toBe('dus-demo.pcap');
    expect(doc.findings.map((f: { code: string }) => f.code)).toEqual(['interim-required']);
  });

  it('.zip and .tar.gz hold the same four files as the folder', async () => {
    const folder = join(dir, 'acl');
    const capture = join(CAPTURES, 'dus-download-forbidden-acl.pcap');
    expect((await cli(['ticket', capture, '-o', folder])).code).toBe(0);
    expect((await cli(['ticket', capture, '-o', join(dir, 'acl.zip')])).code).toBe(0);
    expect((await cli(['ticket', capture, '-o', join(dir, 'acl.tar.gz')])).code).toBe(0);
    const zip = unzip(readFileSync(join(dir, 'acl.zip')));
    const tar = untar(gunzipSync(readFileSync(join(dir, 'acl.tar.gz'))));
    for (const entries of [zip, tar]) {
      expect([...entries.keys()]).toEqual(NAMES);
      for (const n of NAMES) expect(entries.get(n)!.equals(readFileSync(join(folder, n)))).toBe(true);
    }
  });

  it('refuses standard input, an unknown phone, and a missing -o with exit 2', async () => {
    expect((await cli(['ticket', '-', '-o', join(dir, 'x')])).code).toBe(2);
    const r = await cli(['ticket', DEMO, '-o', join(dir, 'y'), '--phone', '00:00:00:00:00:01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no phone 00:00:00:00:00:01/);
    expect((await cli(['ticket', DEMO])).code).toBe(2);
  });

  it('--fail-on error exits 1 when the ticket holds an error', async () => {
    const r = await cli(['ticket', join(CAPTURES, 'dus-download-forbidden-acl.pcap'), '-o', join(dir, 'f'), '--fail-on', 'error']);
    expect(r.code).toBe(1);
  });
});

describe('--redact: no original identifier anywhere in OUT', () => {
  const needles = identifierNeedles();

  it('the unredacted ticket does hold them (the search works)', async () => {
    const out = join(dir, 'plain-synth');
    expect((await cli(['ticket', SYNTH, '-o', out])).code).toBe(0);
    const all = Buffer.concat(NAMES.map((n) => readFileSync(join(out, n))));
    expect(leaks(all, needles, true).length).toBeGreaterThan(10);
    // The request's user is in the SIP URI of the HAR and the report's HTTP headers, the credentials in the HAR.
    expect(readFileSync(join(out, 'flows.har'), 'utf8')).toContain('sip:alice.smith@fabrikam.net');
  });

  for (const form of ['folder', 'zip', 'tar.gz'] as const) {
    it(`leaves none in a ${form}, packets and archive bytes included`, async () => {
      const out = join(dir, `redacted-synth${form === 'folder' ? '' : `.${form}`}`);
      const r = await cli(['ticket', SYNTH, '-o', out, '--redact']);
      expect(r.code).toBe(0);
      let entries: Map<string, Buffer>;
      if (form === 'folder') entries = new Map(NAMES.map((n) => [n, readFileSync(join(out, n))]));
      else {
        const raw = readFileSync(out);
        expect(leaks(raw, needles, true)).toEqual([]);
        entries = form === 'zip' ? unzip(raw) : untar(gunzipSync(raw));
      }
      expect([...entries.keys()].sort()).toEqual([...NAMES].sort());
      for (const [name, bytes] of entries) expect({ name, leaks: leaks(bytes, needles, name === 'flows.pcapng') }).toEqual({ name, leaks: [] });
      // Still a useful ticket: the check-in and its pseudonymous phone are there.
      const md = entries.get('report.md')!.toString('utf8');
      expect(md).toMatch(/Check-in/);
      const har = JSON.parse(entries.get('flows.har')!.toString('utf8'));
      expect(har.log.entries).toHaveLength(1);
      expect(har.log.entries[0].request.url).toMatch(/^http:\/\/[a-z0-9]+\.[a-z0-9]+\.net\/RequestHandler\/ucdevice\.upx$/);
    });
  }

  it('gives the phone the same pseudonym in the report, the HAR, the JSON and the packets', async () => {
    const out = join(dir, 'same');
    expect((await cli(['ticket', SYNTH, '-o', out, '--redact'])).code).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'));
    const mac: string = doc.phones[0].mac;
    const ip: string = doc.phones[0].ips[0];
    expect(mac).not.toBe('001B2C3D4E5F');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(mac);
    const har = readFileSync(join(out, 'flows.har'), 'utf8');
    expect(har).toContain(mac.match(/../g)!.join('-'));
    expect(har).toContain(ip);
    const pcap = readFileSync(join(out, 'flows.pcapng'));
    expect(pcap.includes(Buffer.from(mac, 'hex'))).toBe(true);
    expect(pcap.includes(Buffer.from(ip.split('.').map(Number)))).toBe(true);
    expect(pcap.includes(Buffer.from(mac.match(/../g)!.join('-')))).toBe(true);
  });

  it('leaves none of the demo capture’s identifiers (MAC in every notation, IPs, serial, host)', async () => {
    const out = join(dir, 'demo-redacted.zip');
    expect((await cli(['ticket', DEMO, '-o', out, '--redact'])).code).toBe(0);
    const demo = {
      text: ['00:21:63:0f:20:7b', '00-21-63-0f-20-7b', '0021630f207b', '0021.630f.207b', '00:15:5d:0a:02:5a', '00155d0a025a', '10.99.2.123', '10.99.2.90', 'C185H001209', 'ocs.demo.local'],
      binary: [Buffer.from('0021630f207b', 'hex'), Buffer.from('00155d0a025a', 'hex'), Buffer.from([10, 99, 2, 123]), Buffer.from([10, 99, 2, 90])],
    };
    const raw = readFileSync(out);
    expect(leaks(raw, demo, true)).toEqual([]);
    for (const [name, bytes] of unzip(raw)) expect({ name, leaks: leaks(bytes, demo, name === 'flows.pcapng') }).toEqual({ name, leaks: [] });
  });
});
