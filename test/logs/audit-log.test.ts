import { describe, expect, it } from 'vitest';
import { splitCsvLine } from '../../src/logs/audit-log.js';
import { parseLogText } from '../../src/logs/read-log.js';
import { audit, auditText } from './helpers.js';

describe('splitCsvLine', () => {
  it('reads quoted and bare fields, doubled quotes and a trailing empty field', () => {
    expect(splitCsvLine('a,"0021630F207B","say ""hi""",')).toEqual({ fields: ['a', '0021630F207B', 'say "hi"', ''], unbalanced: false, capped: false });
  });

  it('keeps commas inside quotes', () => {
    expect(splitCsvLine('"a,b",c').fields).toEqual(['a,b', 'c']);
  });

  it('an unclosed quote takes the rest of the line and says so', () => {
    expect(splitCsvLine('x,"abc,def')).toEqual({ fields: ['x', 'abc,def'], unbalanced: true, capped: false });
  });

  it('caps the number of fields', () => {
    const r = splitCsvLine(','.repeat(10_000), 64);
    expect(r.fields).toHaveLength(64);
    expect(r.capped).toBe(true);
  });
});

describe('the seed audit log (interim-audit.log)', () => {
  const log = audit('interim-audit.log');

  it('reads three check-ins of phone 0021630F207B, with every column', () => {
    expect(log.records).toHaveLength(3);
    const [first, second, third] = log.records;
    expect(first).toMatchObject({
      line: 2,
      user: 'ruisilva@demo.local',
      hostAddress: '10.1.1.123',
      deviceType: 'UCPhone',
      mac: '0021630F207B',
      serial: 'C185H001209',
      vendor: 'LG-Nortel',
      model: 'IP8540',
      revision: 'A',
      locale: 'ENU',
      response: [],
    });
    expect(first.requested).toEqual([{ name: 'cpe.nbt', version: '0.0.0.0', timestamp: { text: '01-01-1601 00:00:00', value: '1601-01-01 00:00:00', resolution: 'same-either-way' } }]);
    expect(second.response).toEqual([
      {
        name: 'http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt',
        version: '1.0.522.103',
        timestamp: { text: '16-12-2008 04:43:58', value: '2008-12-16 04:43:58', order: 'dmy', resolution: 'unambiguous' },
      },
    ]);
    expect(third.requested[0].version).toBe('1.0.522.103');
    expect(third.response[0].name).toBe('http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt');
    expect(log.notes).toEqual([]);
  });

  it('leaves both check-in dates of every line ambiguous when the audit log is alone', () => {
    for (const r of log.records) {
      expect(r.loggedAt.resolution).toBe('ambiguous');
      expect(r.requestedAt.resolution).toBe('ambiguous');
    }
    expect(log.records[0].requestedAt.readings).toEqual(['2009-06-03 09:07:20', '2009-03-06 09:07:20']);
  });

  it('reads the US-format line of the seed comments (empty address, empty version, URL-less response)', () => {
    const us = audit('us-dates-audit.log').records[0];
    expect(us.hostAddress).toBeUndefined();
    expect(us.mac).toBe('001B9EF3BC18');
    expect(us.loggedAt).toMatchObject({ value: '2009-06-30 16:47:51', resolution: 'unambiguous' });
    expect(us.requestedAt).toMatchObject({ value: '2009-06-30 16:47:50', resolution: 'unambiguous' });
    expect(us.requested).toEqual([{ name: 'cpe.nbt', version: '', timestamp: expect.objectContaining({ value: '1601-01-01 00:00:00' }) }]);
    expect(us.response).toEqual([{ name: '', version: '1.0.522.103', timestamp: expect.objectContaining({ value: '2009-05-20 02:03:46' }) }]);
  });
});

describe('audit log details', () => {
  it('splits #-joined file lists and keeps a ; inside a URL in the name', () => {
    const log = auditText(
      'a.log',
      '03-16-2009 10:00:00,u,10.0.0.5,UCPhone,16-03-2009 10:00:00,"00-21-63-0f-20-7b",S,V,M,A,ENU,cpe.nbt;1.0.522.34;01-01-1601 00:00:00#cpe.cat;1.0.522.34;01-01-1601 00:00:00,http://h/x;y/CPE.nbt;3.5.6907.0;16-12-2008 04:43:58',
    );
    const r = log.records[0];
    expect(r.mac).toBe('0021630F207B');
    expect(r.requested.map((f) => f.name)).toEqual(['cpe.nbt', 'cpe.cat']);
    expect(r.response[0]).toMatchObject({ name: 'http://h/x;y/CPE.nbt', version: '3.5.6907.0' });
  });

  it('notes lines it cannot use and keeps going', () => {
    const log = auditText('a.log', 'only,three,fields', 'x,"unclosed', '03-16-2009 10:00:00,u,10.0.0.5,UCPhone,16-03-2009 10:00:00,"0021630F207B",S,V,M,A,ENU,,');
    expect(log.records).toHaveLength(1);
    expect(log.notes.map((n) => [n.line, n.code])).toEqual([
      [2, 'audit.short-line'],
      [3, 'audit.unbalanced-quote'],
      [3, 'audit.short-line'],
    ]);
  });

  it('reads columns by header name, so a reordered export still reads', () => {
    const log = parseLogText('r.log', 'Logging DateTime,Mac Address,User Host Address\n03-16-2009 10:00:00,"0021630F207B",10.9.9.9\n');
    expect(log?.kind).toBe('audit');
    expect(log?.kind === 'audit' && log.records[0]).toMatchObject({ mac: '0021630F207B', hostAddress: '10.9.9.9' });
  });
});
