// The Redactor's promises (same length, every notation, consistent, only what
// it was told), the packet rewrite's checksum adjustment on a checksum that
// was wrong, and the archive writers' CRC-32.
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/report/redact.js';
import { crc32 } from '../../src/ticket/archive.js';
import { redactPacket } from '../../src/ticket/packet-rewrite.js';
import { checksumsVerify, MIXED, readAll } from './helpers.js';

describe('Redactor', () => {
  it('replaces a MAC in every notation with the same pseudonym, keeping length, separators and case', () => {
    const r = new Redactor();
    const p = r.addMac('00:21:63:0f:20:7b');
    for (const form of ['00:21:63:0f:20:7b', '00-21-63-0F-20-7B', '0021630F207B', '0021630f207b', '0021.630f.207b']) {
      const out = r.text(`mx ${form};`);
      expect(out).toHaveLength(`mx ${form};`.length);
      expect(out.toLowerCase()).not.toContain(form.toLowerCase());
      expect(out.replace(/[^0-9a-f]/gi, '').toUpperCase()).toBe(p);
    }
    expect(r.text('00-21-63-0F-20-7B')).toBe(p.match(/../g)!.join('-'));
  });

  it('gives IPv4 and IPv6 pseudonyms of the same text shape, and leaves look-alikes it was not told about', () => {
    const r = new Redactor();
    const v4 = r.addIp('10.99.2.123');
    expect(v4.split('.').map((o) => o.length)).toEqual([2, 2, 1, 3]);
    const v6 = r.addIp('2001:db8:0:1::2a');
    expect(v6).toHaveLength('2001:db8:0:1::2a'.length);
    expect(v6).toMatch(/^[1-9a-f]{4}:[1-9a-f]{3}:0:[1-9a-f]::[1-9a-f]{2}$/);
    expect(r.text('from 10.99.2.123 and [2001:db8:0:1::2a], version 1.0.522.103, 110.99.2.1234')).toBe(
      `from ${v4} and [${v6}], version 1.0.522.103, 110.99.2.1234`,
    );
    // Broadcast and unspecified addresses name nobody.
    expect(r.addIp('255.255.255.255')).toBe('255.255.255.255');
    expect(r.addMac('ff:ff:ff:ff:ff:ff')).toBe('FFFFFFFFFFFF');
  });

  it('replaces host labels but not the top-level label or service names, also in DNS wire format', () => {
    const r = new Redactor();
    r.addHost('ucupdates-r2.contoso.com');
    r.addHost('ocs.demo.local');
    const t = r.text('http://ocs.demo.local/x and ucupdates-r2.contoso.com');
    expect(t).toHaveLength('http://ocs.demo.local/x and ucupdates-r2.contoso.com'.length);
    expect(t).not.toMatch(/ocs|demo|contoso/);
    expect(t).toMatch(/\.local\/x and ucupdates-r2\.[a-z0-9]{7}\.com$/);
    const wire = Buffer.from('\x0cucupdates-r2\x07contoso\x03com\x00', 'latin1');
    r.bytesInPlace(wire);
    expect(wire.toString('latin1')).toMatch(/^\x0cucupdates-r2\x07[a-z0-9]{7}\x03com\x00$/);
  });

  it('rewrites UTF-16 text and binary addresses inside payloads', () => {
    const r = new Redactor();
    const p = r.addMac('0021630F207B');
    r.addIp('10.99.2.123');
    r.addSerial('C185H001209');
    const body = Buffer.concat([Buffer.from('<SerialNumber>C185H001209</SerialNumber><Mac>0021630F207B</Mac>', 'utf16le'), Buffer.from([10, 99, 2, 123])]);
    const before = body.length;
    r.bytesInPlace(body);
    expect(body.length).toBe(before);
    const text = body.subarray(0, body.length - 4).toString('utf16le');
    expect(text).not.toContain('C185H001209');
    expect(text).toContain(`<Mac>${p}</Mac>`);
    expect([...body.subarray(body.length - 4)]).not.toEqual([10, 99, 2, 123]);
  });

  it('blanks credentials and maps the SIP user consistently', () => {
    const r = new Redactor();
    const a = r.text('Authorization: Basic dXNlcjpwYXNz\r\nX: sip:jane.doe@corp.example\r\n');
    expect(a).toContain('Authorization: Basic xxxxxxxxxxxx\r\n');
    const user = /sip:([^@]+)@/.exec(a)![1];
    expect(user).toHaveLength('jane.doe'.length);
    expect(r.text('jane.doe called')).toBe(`${user} called`);
    expect(r.headerValue('Cookie', 'session=abc123')).toBe('xxxxxxx=xxxxxx');
  });
});

describe('packet rewrite', () => {
  it('keeps a wrong TCP checksum wrong (offload) and a right one right', async () => {
    const recs = await readAll(MIXED);
    const rec = recs[33 + 3]; // the phone's check-in request
    const bad = Buffer.from(rec.data);
    const tcpChecksum = 14 + 20 + 16;
    bad.writeUInt16BE(bad.readUInt16BE(tcpChecksum) ^ 0x00ff, tcpChecksum);
    const diff1c = (x: number, y: number) => {
      let s = x + (~y & 0xffff);
      while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
      return s % 0xffff;
    };
    const wrongBy = diff1c(bad.readUInt16BE(tcpChecksum), rec.data.readUInt16BE(tcpChecksum));
    const r = new Redactor();
    r.addMac('0021630F207B');
    r.addIp('10.99.2.123');
    const good = Buffer.from(rec.data);
    expect(redactPacket(good, rec.linkType, r)).toEqual({ ok: true, checksumsKept: true });
    expect(redactPacket(bad, rec.linkType, r)).toEqual({ ok: true, checksumsKept: true });
    expect(checksumsVerify(good)).toEqual({ ip: true, transport: true });
    expect(checksumsVerify(bad)).toEqual({ ip: true, transport: false });
    // Wrong by the same amount as before (one's complement difference).
    expect(diff1c(bad.readUInt16BE(tcpChecksum), good.readUInt16BE(tcpChecksum))).toBe(wrongBy);
    expect(redactPacket(Buffer.from(rec.data), 147, r)).toMatchObject({ ok: false });
  });
});

describe('archives', () => {
  it('CRC-32 is the standard one (check value of "123456789") and agrees with zlib', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));
    expect(crc32(data)).toBe(zlibCrc32(data) >>> 0);
  });
});

describe('--redact with an inventory', () => {
  it('hides the host names only the inventory names (they show in the expected-vs-actual views)', async () => {
    const { mkdtempSync, readFileSync, readdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { CAPTURES, cli } = await import('../helpers/cli.js');
    const dir = mkdtempSync(join(tmpdir(), 'upxray-redact-inv-'));
    const inv = JSON.parse(readFileSync(join(CAPTURES, 'make/dus/inventory.json'), 'utf8'));
    inv.externalServer = 'secret-outside.contoso-ext.test';
    writeFileSync(join(dir, 'inventory.json'), JSON.stringify(inv));
    const out = join(dir, 'out');
    const r = await cli(['ticket', join(CAPTURES, 'serve-response-diff.pcap'), '--inventory', join(dir, 'inventory.json'), '--redact', '-o', out]);
    expect(r.code).toBe(0);
    for (const f of readdirSync(out)) expect(readFileSync(join(out, f)).includes('secret-outside'), f).toBe(false);
    // And without --redact the name is there, so the search above means something.
    const plain = join(dir, 'plain');
    await cli(['ticket', join(CAPTURES, 'serve-response-diff.pcap'), '--inventory', join(dir, 'inventory.json'), '-o', plain]);
    expect(readdirSync(plain).some((f) => readFileSync(join(plain, f)).includes('secret-outside'))).toBe(true);
  });
});
