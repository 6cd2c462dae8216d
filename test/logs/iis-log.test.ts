import { describe, expect, it } from 'vitest';
import { parseLogText } from '../../src/logs/read-log.js';
import { iis } from './helpers.js';

describe('the seed IIS log (interim-iis.log)', () => {
  const log = iis('interim-iis.log');

  it('takes the columns from #Fields: and reads every request', () => {
    expect(log.software).toBe('Microsoft Internet Information Services 7.0');
    expect(log.fields).toHaveLength(14);
    expect(log.entries).toHaveLength(7);
    expect(log.entries[2]).toEqual({
      line: 7,
      at: { text: '2009-03-06 17:12:57', value: '2009-03-06 17:12:57', order: 'ymd', resolution: 'iso' },
      serverIp: '10.1.1.90',
      method: 'GET',
      uriStem: '/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt',
      uriQuery: undefined,
      serverPort: 80,
      username: undefined,
      clientIp: '10.1.1.123',
      userAgent: 'Microsoft UCPhone Device',
      status: 200,
      substatus: 0,
      win32Status: 0,
      timeTaken: 137810,
    });
    expect(log.notes).toEqual([]);
  });

  it('reads the seed lines that lack the address columns under their own #Fields: line', () => {
    const e = iis('firmware-404-iis.log').entries[0];
    expect(e).toMatchObject({ method: 'GET', status: 404, substatus: 0, win32Status: 2, timeTaken: 140 });
    expect(e.clientIp).toBeUndefined();
    expect(iis('acl-500-19-iis.log').entries[0]).toMatchObject({ status: 500, substatus: 19, win32Status: 5, clientIp: '10.1.1.1' });
  });
});

describe('IIS log details', () => {
  it('a later #Fields: line replaces the columns (IIS writes one at each restart)', () => {
    const log = parseLogText(
      'x.log',
      [
        '#Software: Microsoft Internet Information Services 7.0',
        '#Fields: date time cs-method cs-uri-stem sc-status',
        '2009-03-06 10:00:00 GET /a 200',
        '#Fields: date time c-ip cs-method cs-uri-stem sc-status sc-substatus',
        '2009-03-06 11:00:00 10.0.0.9 GET /b 403 4',
      ].join('\n'),
    );
    expect(log?.kind).toBe('iis');
    if (log?.kind !== 'iis') return;
    expect(log.entries.map((e) => [e.uriStem, e.status, e.substatus, e.clientIp])).toEqual([
      ['/a', 200, undefined, undefined],
      ['/b', 403, 4, '10.0.0.9'],
    ]);
  });

  it('notes data lines before any #Fields: line and lines with the wrong count of values', () => {
    const log = parseLogText('x.log', ['#Software: IIS', '2009-03-06 10:00:00 GET /a 200', '#Fields: date time cs-method cs-uri-stem sc-status', '2009-03-06 10:00:00 GET /a'].join('\n'));
    if (log?.kind !== 'iis') throw new Error('not iis');
    expect(log.notes.map((n) => [n.line, n.code])).toEqual([
      [2, 'iis.no-fields'],
      [4, 'iis.field-count'],
    ]);
    expect(log.entries[0]).toMatchObject({ uriStem: '/a', status: undefined });
  });

  it('a non-numeric status or a bad date is kept as absent, not as NaN', () => {
    const log = parseLogText('x.log', ['#Fields: date time cs-method cs-uri-stem sc-status', '2009-13-45 99:00:00 GET /a 2OO'].join('\n'));
    if (log?.kind !== 'iis') throw new Error('not iis');
    expect(log.entries[0].status).toBeUndefined();
    expect(log.entries[0].at.resolution).toBe('invalid');
    expect(log.notes.map((n) => n.code)).toEqual(['iis.bad-date']);
  });
});
