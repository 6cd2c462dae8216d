import { describe, expect, it } from 'vitest';
import { resolveAuditDates } from '../../src/logs/date-resolution.js';
import { parseLogText } from '../../src/logs/read-log.js';
import { audit, auditText, iis, iisLine, iisText } from './helpers.js';

describe('settling the ambiguous dates of the seed with its IIS log', () => {
  const a = audit('interim-audit.log');
  const clock = resolveAuditDates(a, [iis('interim-iis.log')]);

  it('learns that the two logs share a clock from three matching check-ins', () => {
    expect(clock).toEqual({ seconds: 0, matches: 3 });
  });

  it('reads Logging DateTime month first, because the IIS log has those check-ins on 2009-03-06', () => {
    expect(a.records.map((r) => r.loggedAt.value)).toEqual(['2009-03-06 17:07:20', '2009-03-06 17:10:39', '2009-03-06 17:18:54']);
    for (const r of a.records) {
      expect(r.loggedAt.resolution).toBe('iis-log');
      expect(r.loggedAt.order).toBe('mdy');
    }
    expect(a.records[0].loggedAt.evidence).toContain('interim-iis.log line 5');
  });

  it('reads Request DateTime day first, because that reading agrees with the Logging DateTime of the line', () => {
    expect(a.records.map((r) => r.requestedAt.value)).toEqual(['2009-03-06 09:07:20', '2009-03-06 17:10:39', '2009-03-06 17:18:53']);
    for (const r of a.records) {
      expect(r.requestedAt.resolution).toBe('other-column');
      expect(r.requestedAt.order).toBe('dmy');
    }
  });
});

describe('date resolution rules', () => {
  it('an IIS log of another day settles nothing: the dates stay ambiguous', () => {
    const a = audit('interim-audit.log');
    expect(resolveAuditDates(a, [iis('firmware-404-iis.log')])).toBeUndefined();
    expect(a.records.every((r) => r.loggedAt.resolution === 'ambiguous' && r.requestedAt.resolution === 'ambiguous')).toBe(true);
  });

  it('learns a time-zone offset between the server clock and IIS (UTC)', () => {
    // The server runs at UTC+1: the audit log says 18:07:20 where IIS says 17:07:20.
    const a = auditText('a.log', '03-06-2009 18:07:20,u,10.1.1.123,UCPhone,06-03-2009 18:07:20,"0021630F207B",S,V,M,A,ENU,cpe.nbt;0.0.0.0;01-01-1601 00:00:00,');
    const clock = resolveAuditDates(a, [iisText('i.log', iisLine('2009-03-06 17:07:20', 'POST', '/RequestHandler/ucdevice.upx', 443, '10.1.1.123', '200 0 0'))]);
    expect(clock).toEqual({ seconds: -3600, matches: 1 });
    expect(a.records[0].loggedAt).toMatchObject({ value: '2009-03-06 18:07:20', resolution: 'iis-log' });
  });

  it('a check-in from another address does not count as evidence', () => {
    const a = auditText('a.log', '03-06-2009 17:07:20,u,10.1.1.123,UCPhone,06-03-2009 17:07:20,"0021630F207B",S,V,M,A,ENU,,');
    expect(resolveAuditDates(a, [iisText('i.log', iisLine('2009-03-06 17:07:20', 'POST', '/RequestHandler/ucdevice.upx', 443, '10.1.1.200', '200 0 0'))])).toBeUndefined();
    expect(a.records[0].loggedAt.resolution).toBe('ambiguous');
  });

  it('neighbouring lines of the same column and format settle the order when they agree', () => {
    const line = (logged: string, requested: string) => `${logged},u,10.0.0.1,UCPhone,${requested},"0021630F207B",S,V,M,A,ENU,,`;
    const a = auditText(
      'a.log',
      line('03-05-2009 09:00:00', '05-03-2009 09:00:00'), // ambiguous; its only neighbour (line 3) reads month first
      line('03-13-2009 09:00:00', '13-03-2009 09:00:00'), // unambiguous: month first / day first
      line('03-06-2009 09:00:00', '06-03-2009 09:00:00'), // ambiguous, between two unambiguous lines
      line('03-20-2009 09:00:00', '20-03-2009 09:00:00'),
    );
    resolveAuditDates(a, []);
    const r = a.records[2];
    expect(r.loggedAt).toMatchObject({ value: '2009-03-06 09:00:00', order: 'mdy', resolution: 'neighbours' });
    expect(r.loggedAt.evidence).toContain('line 3 and 5');
    // Both columns settle, by neighbours or by the other column; each says how.
    expect(r.requestedAt.value).toBe('2009-03-06 09:00:00');
    expect(['neighbours', 'other-column']).toContain(r.requestedAt.resolution);
    expect(a.records[0].loggedAt).toMatchObject({ value: '2009-03-05 09:00:00', resolution: 'neighbours' });
  });

  it('neighbours that disagree settle nothing, and a different format is no neighbour', () => {
    const line = (logged: string) => `${logged},u,10.0.0.1,UCPhone,,"0021630F207B",S,V,M,A,ENU,,`;
    const a = auditText('a.log', line('03-13-2009 09:00:00'), line('03-06-2009 09:00:00'), line('13-03-2009 09:00:00'), line('04/07/2009 09:00:00'));
    resolveAuditDates(a, []);
    expect(a.records[1].loggedAt.resolution).toBe('ambiguous');
    expect(a.records[3].loggedAt.resolution).toBe('ambiguous'); // slash dates have no slash neighbour
  });

  it('an ambiguous file timestamp is settled by the unambiguous timestamps of nearby lines', () => {
    const a = auditText(
      'a.log',
      '03-13-2009 09:00:00,u,10.0.0.1,UCPhone,13-03-2009 09:00:00,"0021630F207B",S,V,M,A,ENU,cpe.nbt;1.0.522.103;16-12-2008 04:43:58,',
      '03-13-2009 09:10:00,u,10.0.0.1,UCPhone,13-03-2009 09:10:00,"0021630F207B",S,V,M,A,ENU,cpe.nbt;1.0.522.103;05-12-2008 04:43:58,',
    );
    resolveAuditDates(a, []);
    expect(a.records[1].requested[0].timestamp).toMatchObject({ value: '2008-12-05 04:43:58', order: 'dmy', resolution: 'neighbours' });
  });
});

describe('the guide excerpt without addresses', () => {
  it('an exact check-in time in the IIS log still settles the order when neither log has an address', () => {
    const line = (logged: string, requested: string) => `${logged},ruisilva@demo.local,,UCPhone,${requested},"0021630F207B","C185H001209","LG-Nortel","IP8540","A","ENU",cpe.nbt;;01-01-1601 00:00:00,`;
    const a = auditText('a.log', line('03-06-2009 17:07:20', '06-03-2009 09:07:20'), line('03-06-2009 17:10:39', '06-03-2009 17:10:39'));
    const i = parseLogText(
      'i.log',
      [
        '#Software: Microsoft Internet Information Services 7.0',
        '#Fields: date time cs-method cs-uri-stem cs-uri-query s-port cs-username cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken',
        '2009-03-06 17:07:20 POST /RequestHandler/ucdevice.upx - 443 - Microsoft+UCPhone+Device 200 0 0 124',
        '2009-03-06 17:10:39 POST /RequestHandler/ucdevice.upx - 443 - Microsoft+UCPhone+Device 200 0 0 171',
      ].join('\r\n'),
    );
    if (i?.kind !== 'iis') throw new Error('not iis');
    expect(resolveAuditDates(a, [i])).toEqual({ seconds: 0, matches: 2 });
    expect(a.records.map((r) => [r.loggedAt.value, r.loggedAt.resolution])).toEqual([
      ['2009-03-06 17:07:20', 'iis-log'],
      ['2009-03-06 17:10:39', 'iis-log'],
    ]);
    expect(a.records[0].loggedAt.evidence).toContain('a check-in at that time');
    expect(a.records[0].requestedAt).toMatchObject({ value: '2009-03-06 09:07:20', resolution: 'other-column' });
  });
});
