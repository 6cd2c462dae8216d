// Bad input is normal input: nothing a log holds may throw, hang, or reach the
// terminal raw.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeLogs } from '../../src/logs/log-findings.js';
import { renderLogsText, logsDocument } from '../../src/logs/logs-report.js';
import { MAX_IIS_FIELDS } from '../../src/logs/iis-log.js';
import { parseLogText } from '../../src/logs/read-log.js';
import { cli } from '../helpers/cli.js';
import { AUDIT_HEADER, IIS_FIELDS } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'upxray-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function roundTrip(name: string, text: string) {
  const log = parseLogText(name, text);
  expect(log).toBeDefined();
  const analysis = analyzeLogs([log!]);
  const out = renderLogsText([log!], analysis);
  JSON.stringify(logsDocument([log!], analysis));
  return { log: log!, analysis, out };
}

describe('hostile log lines', () => {
  it('a megabyte line is skipped with a note; the lines around it still parse', () => {
    const mb = 'A'.repeat(1024 * 1024);
    const { log, out } = roundTrip('big.log', ['#Software: IIS', IIS_FIELDS, mb, '2009-03-06 12:35:36 10.1.1.90 GET /DeviceUpdateFiles_Int/x/CPE.nbt - 80 - 10.1.1.1 UA 500 19 5 62'].join('\n'));
    expect(log.notes.map((n) => [n.line, n.code])).toEqual([[3, 'log.line-too-long']]);
    expect(log.kind === 'iis' && log.entries).toHaveLength(1);
    expect(out).toContain('log.line-too-long');
    expect(out.length).toBeLessThan(10_000);
  });

  it('control characters and escape sequences in fields are shown escaped, never raw', () => {
    const evil = '/DeviceUpdateFiles_Int/\x1b]52;c;aGk=\x07\x1b[2J\u202eCPE.nbt';
    const { out } = roundTrip('evil.log', ['#Software: IIS', IIS_FIELDS, `2009-03-06 12:35:36 10.1.1.90 GET ${evil} - 80 - 10.1.1.1 UA 404 0 2 62`].join('\n'));
    expect(out).toContain('firmware-not-found');
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/);
    expect(out).toContain('\\x1b');
    const csv = roundTrip('evil-audit.log', [AUDIT_HEADER, `03-13-2009 10:00:00,\x1b[31mred,10.0.0.1,UCPhone,13-03-2009 10:00:00,"\x07MAC",S,V\x00,M,A,ENU,cpe.nbt;1.0;x,\x1b]0;t\x07;2;y`].join('\n'));
    expect(csv.out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('a #Fields: line with 1000 columns is capped, noted, and the data still reads by position', () => {
    const names = ['date', 'time', 'cs-method', 'cs-uri-stem', 'sc-status', ...Array.from({ length: 995 }, (_, i) => `x-${i}`)];
    const values = ['2009-03-06', '10:00:00', 'GET', '/a', '200', ...Array.from({ length: 995 }, () => 'v')];
    const { log } = roundTrip('wide.log', [`#Fields: ${names.join(' ')}`, values.join(' ')].join('\n'));
    if (log.kind !== 'iis') throw new Error('not iis');
    expect(log.fields).toHaveLength(MAX_IIS_FIELDS);
    expect(log.notes.map((n) => n.code)).toContain('iis.fields-capped');
    expect(log.entries[0]).toMatchObject({ method: 'GET', uriStem: '/a', status: 200 });
  });

  it('CSV with unbalanced quotes, stray quotes and too many fields never throws', () => {
    const lines = [
      AUDIT_HEADER,
      '"03-13-2009 10:00:00,u,10.0.0.1,UCPhone,13-03-2009 10:00:00,"0021630F207B",S,V,M,A,ENU,,',
      '03-13-2009 10:00:00,u"x,10.0.0.1,UCPhone,13-03-2009 10:00:00,"00216"30F207B"z,S,V,M,A,ENU,cpe.nbt;;;;;;,#;#',
      ','.repeat(5000),
      '"',
      '""""""',
    ];
    const { log } = roundTrip('quotes.log', lines.join('\n'));
    if (log.kind !== 'audit') throw new Error('not audit');
    expect(log.notes.map((n) => n.code)).toEqual(expect.arrayContaining(['audit.unbalanced-quote', 'audit.too-many-fields']));
    expect(log.records.length).toBeGreaterThanOrEqual(2);
  });

  it('random bytes after a valid header never throw', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) & 0xff);
    for (const header of [AUDIT_HEADER, IIS_FIELDS]) {
      for (let round = 0; round < 20; round++) {
        const bytes = new Uint8Array(4000);
        for (let i = 0; i < bytes.length; i++) {
          const b = rnd();
          bytes[i] = b % 7 === 0 ? 0x0a : b % 11 === 0 ? 0x2c : b % 13 === 0 ? 0x22 : b;
        }
        const text = new Uint8Array([...new TextEncoder().encode(header + '\n'), ...bytes]);
        const log = parseLogText('r.log', text);
        expect(log).toBeDefined();
        expect(() => renderLogsText([log!], analyzeLogs([log!]))).not.toThrow();
      }
    }
  });

  it('through the CLI: a file with a megabyte line and binary junk ends with exit 0 and escaped output', async () => {
    const p = join(dir, 'junk.log');
    writeFileSync(p, Buffer.concat([Buffer.from(IIS_FIELDS + '\n'), Buffer.alloc(1024 * 1024, 0x1b), Buffer.from('\n\x00\x01\x02 GET\n')]));
    const r = await cli(['logs', p]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f]/);
  });
});
