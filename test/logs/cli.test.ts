// `upxray logs` end to end through runCli.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogsDocument } from '../../src/logs/logs-report.js';
import { cli } from '../helpers/cli.js';
import { FIXTURES } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'upxray-logs-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('upxray logs', () => {
  it('--json: schema 1, each log summarised with its parsed lines, and the findings', async () => {
    // IIS log first: the kind comes from the content, not the order or the name.
    const r = await cli(['logs', '--json', FIXTURES + 'interim-iis.log', FIXTURES + 'interim-audit.log']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as LogsDocument;
    expect(doc.schema).toBe(1);
    expect(doc.logs.map((l) => [l.kind, l.lines])).toEqual([
      ['iis', 11],
      ['audit', 4],
    ]);
    const audit = doc.logs[1];
    if (audit.kind !== 'audit') throw new Error('not audit');
    expect(audit.checkIns).toBe(3);
    expect(audit.clock).toEqual({ seconds: 0, matches: 3 });
    expect(audit.dates).toEqual({ 'iis-log': 3, 'other-column': 3, 'same-either-way': 2, unambiguous: 3 });
    expect(audit.records[0].loggedAt).toMatchObject({ value: '2009-03-06 17:07:20', resolution: 'iis-log' });
    const iis = doc.logs[0];
    if (iis.kind !== 'iis') throw new Error('not iis');
    expect(iis.requests).toBe(7);
    expect(doc.findings.map((f) => f.code)).toEqual(['interim-required']);
    expect(doc.findings[0].phone).toEqual({ mac: '0021630F207B', ip: '10.1.1.123' });
  });

  it('text: one timeline per phone, audit and IIS lines interleaved in time, then its findings', async () => {
    const r = await cli(['logs', FIXTURES + 'interim-audit.log', FIXTURES + 'interim-iis.log', FIXTURES + 'acl-500-19-iis.log']);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain('Phone 0021630F207B (10.1.1.123): LG-Nortel IP8540 rev A ENU serial C185H001209');
    const order = ['interim-audit.log:2', 'interim-iis.log:5', 'interim-audit.log:3', 'interim-iis.log:6', 'interim-iis.log:7', 'interim-audit.log:4'];
    const at = order.map((s) => out.indexOf(s));
    expect(at.every((x) => x >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(out).toMatch(/INFO interim-required: 0021630F207B/);
    expect(out).toContain('Address 10.1.1.1');
    expect(out).toMatch(/ERROR download-forbidden-acl: GET \/DeviceUpdateFiles_Int\/.*500\.19/);
    expect(out).toContain('2 finding(s): 1 error, 0 warning, 1 info');
    expect(out).toContain('dates: 3 settled by the IIS log');
  });

  it('text: the audit log alone lists its ambiguous dates with both readings', async () => {
    const r = await cli(['logs', FIXTURES + 'interim-audit.log']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Ambiguous dates');
    expect(r.stdout).toContain('interim-audit.log:2 Request DateTime 06-03-2009 09:07:20: 2009-06-03 09:07:20 or 2009-03-06 09:07:20');
    expect(r.stdout).toContain('03-06-2009 17:07:20 (ambiguous: 2009-03-06 17:07:20 or 2009-06-03 17:07:20)');
  });

  it('a file that is neither kind: exit 2, one line on stderr', async () => {
    const p = join(dir, 'notes.txt');
    writeFileSync(p, 'hello\nworld\n');
    const r = await cli(['logs', FIXTURES + 'interim-iis.log', p]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^upxray: .*notes\.txt is neither/);
  });

  it('a missing file or a folder: exit 2, one line', async () => {
    for (const p of [join(dir, 'nope.log'), dir]) {
      const r = await cli(['logs', p]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('no file at all is a usage error', async () => {
    const r = await cli(['logs']);
    expect(r.code).toBe(2);
  });
});

describe('upxray logs on large and wrong inputs', () => {
  it('gives up early on a large file that is no log, with exit 2', async () => {
    const p = join(dir, 'capture.bin');
    writeFileSync(p, Buffer.alloc(8 * 1024 * 1024, 0xd4)); // no line ends at all
    const t0 = Date.now();
    const r = await cli(['logs', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is neither/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a day of check-ins from many phones (20k audit lines, 60k IIS lines) is analysed in bounded time', async () => {
    const audit: string[] = [];
    const iis: string[] = ['#Software: Microsoft Internet Information Services 7.0', '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken'];
    audit.push('Logging DateTime,User Name,User Host Address,Device Type,Request DateTime,Mac Address,Serial Number,Vendor,Model,Revision,Locale,Requested<FileName;Version;TimeStamp>[# Seperated for Multiple],Response<FileName;Version;TimeStamp>[# Seperated for Multiple]');
    const url = '/DeviceUpdateFiles_Int/UCPhone/Polycom/CX700/A/ENU/3.5.6907.0/CPE/CPE.nbt';
    for (let i = 0; i < 20_000; i++) {
      const ip = `10.2.${(i >> 8) & 255}.${i & 255}`;
      const mac = (0x001b9e000000 + i).toString(16).toUpperCase().padStart(12, '0');
      const s = i % 86_000;
      const hh = String(Math.floor(s / 3600)).padStart(2, '0');
      const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
      const ss = String(s % 60).padStart(2, '0');
      audit.push(`03-06-2009 ${hh}:${mm}:${ss},u,${ip},UCPhone,06-03-2009 ${hh}:${mm}:${ss},"${mac}",S,Polycom,CX700,A,ENU,cpe.nbt;1.0.522.103;16-12-2008 04:43:58,http://ocs${url};3.5.6907.0;16-12-2008 04:43:58`);
      iis.push(`2009-03-06 ${hh}:${mm}:${ss} 10.1.1.90 POST /RequestHandler/ucdevice.upx - 443 - ${ip} Microsoft+UCPhone+Device 200 0 0 100`);
      iis.push(`2009-03-06 ${hh}:${mm}:${ss} 10.1.1.90 GET ${url} - 80 - ${ip} Microsoft+UCPhone+Device 200 0 0 100`);
      iis.push(`2009-03-06 ${hh}:${mm}:${ss} 10.1.1.90 GET /favicon.ico - 80 - 10.9.9.9 Mozilla 404 0 2 1`);
    }
    const a = join(dir, 'big-audit.log');
    const b = join(dir, 'big-iis.log');
    writeFileSync(a, audit.join('\r\n') + '\r\n');
    writeFileSync(b, iis.join('\r\n') + '\r\n');
    const t0 = Date.now();
    const r = await cli(['logs', '--json', a, b]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as LogsDocument;
    expect(doc.findings).toEqual([]); // every offer was downloaded
    const audits = doc.logs[0];
    if (audits.kind !== 'audit') throw new Error('not audit');
    expect(audits.clock).toEqual({ seconds: 0, matches: 20_000 });
    expect(audits.dates['iis-log']).toBe(20_000);
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 60_000);
});
