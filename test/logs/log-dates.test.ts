import { describe, expect, it } from 'vitest';
import { initialLogDate, parseLogDate } from '../../src/logs/log-dates.js';

const read = (s: string) => initialLogDate(parseLogDate(s));

describe('log dates: each format of the seed', () => {
  it('IIS W3C dates are year first and need nothing else', () => {
    expect(read('2009-03-06 17:07:20')).toEqual({ text: '2009-03-06 17:07:20', value: '2009-03-06 17:07:20', order: 'ymd', resolution: 'iso' });
  });

  it('a dash date with a part above 12 is unambiguous (file timestamp 16-12-2008, day first)', () => {
    expect(read('16-12-2008 04:43:58')).toMatchObject({ value: '2008-12-16 04:43:58', order: 'dmy', resolution: 'unambiguous' });
  });

  it('a slash date with a 24-hour clock (06/30/2009 16:47:51) is month first', () => {
    expect(read('06/30/2009 16:47:51')).toMatchObject({ value: '2009-06-30 16:47:51', order: 'mdy', resolution: 'unambiguous' });
  });

  it('a US date with a 12-hour clock (6/30/2009 4:47:50 PM), including midnight and noon', () => {
    expect(read('6/30/2009 4:47:50 PM')).toMatchObject({ value: '2009-06-30 16:47:50', order: 'mdy', resolution: 'unambiguous' });
    expect(read('5/20/2009 2:03:46 AM')).toMatchObject({ value: '2009-05-20 02:03:46' });
    expect(read('5/20/2009 12:03:46 AM')).toMatchObject({ value: '2009-05-20 00:03:46' });
    expect(read('5/20/2009 12:03:46 PM')).toMatchObject({ value: '2009-05-20 12:03:46' });
  });

  it('day equal to month reads the same either way (01-01-1601 00:00:00, 1/1/1601 12:00:00 AM)', () => {
    expect(read('01-01-1601 00:00:00')).toEqual({ text: '01-01-1601 00:00:00', value: '1601-01-01 00:00:00', resolution: 'same-either-way' });
    expect(read('1/1/1601 12:00:00 AM')).toMatchObject({ value: '1601-01-01 00:00:00', resolution: 'same-either-way' });
  });

  it('day and month both 12 or less: ambiguous, with both readings, month first listed first', () => {
    const d = read('03-06-2009 17:07:20');
    expect(d.resolution).toBe('ambiguous');
    expect(d.value).toBeUndefined();
    expect(d.readings).toEqual(['2009-03-06 17:07:20', '2009-06-03 17:07:20']);
  });

  it('impossible dates and non-dates are invalid, never a guess', () => {
    for (const s of ['31-04-2009 00:00:00', '13-13-2009', '02-30-2009', '5/20/09 1:00 PM', '5/20/2009 13:00:00 PM', 'yesterday', '', '2009-02-29 00:00:00', '9'.repeat(100)]) {
      expect(read(s).resolution, s).toBe('invalid');
    }
    expect(read('2008-02-29 00:00:00').resolution).toBe('iso');
  });

  it('the shape tells formats apart (separator and clock)', () => {
    expect(parseLogDate('03-06-2009 17:07:20').shape).toBe('-24');
    expect(parseLogDate('6/30/2009 4:47:50 PM').shape).toBe('/12');
    expect(parseLogDate('06/30/2009 16:47:51').shape).toBe('/24');
  });
});
