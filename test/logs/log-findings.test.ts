import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/diagnose/catalogue.js';
import { analyzeLogs, classifyIisEntry, urlPath } from '../../src/logs/log-findings.js';
import { auditLine, auditText, fixture, iisLine, iisText } from './helpers.js';

const codes = (fs: { code: string }[]) => fs.map((f) => f.code);

describe('findings the guide draws from the seed logs', () => {
  it('the interim sequence of the LG-Nortel phone 0021630F207B: offered, fetched, second cycle', () => {
    const { findings } = analyzeLogs([fixture('interim-audit.log'), fixture('interim-iis.log')]);
    expect(codes(findings)).toEqual(['interim-required']);
    const f = findings[0];
    expect(f).toMatchObject({ severity: 'info', phone: { mac: '0021630F207B', ip: '10.1.1.123' }, remedy: CATALOGUE['interim-required'].remedy });
    expect(f.evidence.lines).toEqual([
      { file: 'interim-audit.log', line: 3 }, // offered the OCInterim CPE.nbt
      { file: 'interim-iis.log', line: 7 }, // GET of it, 200
      { file: 'interim-audit.log', line: 4 }, // checks in again running 1.0.522.103
    ]);
    expect(f.message).toContain('1.0.522.103');
    expect(f.evidence.frames).toEqual([]);
  });

  it('every offer in the seed was downloaded within ten minutes: no update-offered-not-downloaded', () => {
    const { findings } = analyzeLogs([fixture('interim-audit.log'), fixture('interim-iis.log')]);
    expect(codes(findings)).not.toContain('update-offered-not-downloaded');
  });

  it('500 19 5 on a firmware URL is download-forbidden-acl', () => {
    const { findings } = analyzeLogs([fixture('acl-500-19-iis.log')]);
    expect(codes(findings)).toEqual(['download-forbidden-acl']);
    expect(findings[0]).toMatchObject({ severity: 'error', phone: { ip: '10.1.1.1' }, evidence: { lines: [{ file: 'acl-500-19-iis.log', line: 5 }] } });
    expect(findings[0].message).toMatch(/500\.19.*access denied/);
  });

  it('404 on a CPE.nbt URL is firmware-not-found; the 200 check-in beside it raises nothing', () => {
    const { findings } = analyzeLogs([fixture('firmware-404-iis.log')]);
    expect(codes(findings)).toEqual(['firmware-not-found']);
    expect(findings[0].evidence.lines).toEqual([{ file: 'firmware-404-iis.log', line: 5 }]);
  });

  it('the US-format audit line of the comments: interim offered without a URL, the download seen only in IIS', () => {
    const { findings } = analyzeLogs([fixture('us-dates-audit.log'), fixture('us-dates-iis.log')]);
    expect(codes(findings)).toEqual(['interim-required', 'interim-required']);
    expect(findings.map((f) => f.phone)).toEqual([{ mac: '001B9EF3BC18' }, {}]);
  });
});

describe('findings from IIS status lines', () => {
  const run = (...lines: string[]) => analyzeLogs([iisText('i.log', ...lines)]).findings;
  const FW = '/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt';

  it('404 under /OCInterim/ is interim-vdir-missing', () => {
    expect(codes(run(iisLine('2009-03-06 17:12:57', 'GET', '/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt', 80, '10.1.1.5', '404 0 2')))).toEqual(['interim-vdir-missing']);
  });

  it('403.4 on a firmware URL is ssl-required-on-files; other 403s and 401s are download-forbidden-acl', () => {
    expect(codes(run(iisLine('2009-03-06 17:12:57', 'GET', FW, 80, '10.1.1.5', '403 4 5')))).toEqual(['ssl-required-on-files']);
    expect(codes(run(iisLine('2009-03-06 17:12:57', 'GET', FW, 80, '10.1.1.5', '401 3 5')))).toEqual(['download-forbidden-acl']);
    expect(codes(run(iisLine('2009-03-06 17:12:57', 'GET', FW, 80, '10.1.1.5', '403 2 0')))).toEqual(['download-forbidden-acl']);
  });

  it('404 on /UCDeviceUpdates/ is legacy-upx-path', () => {
    expect(codes(run(iisLine('2009-03-06 17:12:57', 'POST', '/UCDeviceUpdates/ucdevice.upx', 443, '10.1.1.5', '404 0 2')))).toEqual(['legacy-upx-path']);
  });

  it('other errors on service URLs are http-error; errors elsewhere and successes raise nothing', () => {
    expect(codes(run(iisLine('2009-03-06 17:12:57', 'POST', '/RequestHandler/ucdevice.upx', 443, '10.1.1.5', '500 0 0')))).toEqual(['http-error']);
    expect(run(iisLine('2009-03-06 17:12:57', 'GET', '/favicon.ico', 80, '10.1.1.5', '404 0 2'))).toEqual([]);
    expect(run(iisLine('2009-03-06 17:12:57', 'GET', FW, 80, '10.1.1.5', '200 0 0'))).toEqual([]);
  });

  it('the same failure repeated is one finding with every line as evidence and the count in the message', () => {
    const fs = run(
      iisLine('2009-03-06 17:12:57', 'GET', FW, 80, '10.1.1.5', '500 19 5'),
      iisLine('2009-03-06 17:13:57', 'GET', FW, 80, '10.1.1.5', '500 19 5'),
      iisLine('2009-03-06 17:14:57', 'GET', FW, 80, '10.1.1.6', '500 19 5'),
    );
    expect(fs).toHaveLength(2); // one per phone
    expect(fs[0].evidence.lines).toEqual([
      { file: 'i.log', line: 4 },
      { file: 'i.log', line: 5 },
    ]);
    expect(fs[0].message).toContain('2 times');
  });

  it('classifies by path and status alone', () => {
    expect(classifyIisEntry({ line: 1, at: { text: '', resolution: 'invalid' }, uriStem: '/x/CPE.cat', status: 404 })).toBe('firmware-not-found');
    expect(classifyIisEntry({ line: 1, at: { text: '', resolution: 'invalid' }, uriStem: FW })).toBeUndefined();
  });
});

describe('findings from the audit log with the IIS log', () => {
  const OFFER = 'http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt;3.5.6907.0;16-12-2008 04:43:58';
  const GET = '/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt';
  const post = (at: string) => iisLine(at, 'POST', '/RequestHandler/ucdevice.upx', 443, '10.1.1.123', '200 0 0');

  it('an offer with no GET of the file within ten minutes is update-offered-not-downloaded', () => {
    const a = auditText('a.log', auditLine('03-06-2009 17:18:54', '1.0.522.103', OFFER));
    const i = iisText('i.log', post('2009-03-06 17:18:54'), iisLine('2009-03-06 17:29:00', 'GET', GET, 80, '10.1.1.123', '200 0 0'), post('2009-03-06 17:40:00'));
    const { findings } = analyzeLogs([a, i]);
    expect(codes(findings)).toEqual(['update-offered-not-downloaded']);
    expect(findings[0]).toMatchObject({ severity: 'warning', phone: { mac: '0021630F207B', ip: '10.1.1.123' }, evidence: { lines: [{ file: 'a.log', line: 2 }] } });
    expect(findings[0].caveat).toBeUndefined();
  });

  it('a GET within the window, from the phone, answers the offer', () => {
    const a = auditText('a.log', auditLine('03-06-2009 17:18:54', '1.0.522.103', OFFER));
    const i = iisText('i.log', post('2009-03-06 17:18:54'), iisLine('2009-03-06 17:21:45', 'GET', GET.toLowerCase(), 80, '10.1.1.123', '200 0 0'), post('2009-03-06 17:40:00'));
    expect(analyzeLogs([a, i]).findings).toEqual([]);
  });

  it('a GET from another phone does not count', () => {
    const a = auditText('a.log', auditLine('03-06-2009 17:18:54', '1.0.522.103', OFFER));
    const i = iisText('i.log', post('2009-03-06 17:18:54'), iisLine('2009-03-06 17:21:45', 'GET', GET, 80, '10.1.1.99', '200 0 0'), post('2009-03-06 17:40:00'));
    expect(codes(analyzeLogs([a, i]).findings)).toEqual(['update-offered-not-downloaded']);
  });

  it('says so when the IIS log ends inside the ten minutes, and says nothing when it does not cover the offer at all', () => {
    const a = auditText('a.log', auditLine('03-06-2009 17:18:54', '1.0.522.103', OFFER));
    const short = analyzeLogs([a, iisText('i.log', post('2009-03-06 17:18:54'))]).findings;
    expect(codes(short)).toEqual(['update-offered-not-downloaded']);
    expect(short[0].caveat).toMatch(/IIS log ends/);
    const a2 = auditText('a.log', auditLine('03-06-2009 17:18:54', '1.0.522.103', OFFER));
    expect(analyzeLogs([a2, fixture('firmware-404-iis.log')]).findings.map((f) => f.code)).toEqual(['firmware-not-found']);
  });

  it('the audit log alone never claims a missing download', () => {
    const a = auditText('a.log', auditLine('03-06-2009 17:18:54', '1.0.522.103', OFFER));
    expect(analyzeLogs([a]).findings).toEqual([]);
  });

  it('a 404 on a file the audit log shows offered cites the offer', () => {
    const a = auditText('a.log', auditLine('03-06-2009 17:18:54', '1.0.522.103', OFFER));
    const i = iisText('i.log', post('2009-03-06 17:18:54'), iisLine('2009-03-06 17:21:45', 'GET', GET, 80, '10.1.1.123', '404 0 2'), post('2009-03-06 17:40:00'));
    const f = analyzeLogs([a, i]).findings;
    expect(codes(f)).toEqual(['firmware-not-found']);
    expect(f[0].evidence.lines).toEqual([
      { file: 'i.log', line: 5 },
      { file: 'a.log', line: 2 },
    ]);
    expect(f[0].phone).toEqual({ mac: '0021630F207B', ip: '10.1.1.123' });
  });

  it('a phone below 1.0.522.98 offered anything but the interim build is interim-not-offered', () => {
    const a = auditText('a.log', auditLine('03-06-2009 17:18:54', '1.0.522.34', OFFER));
    const f = analyzeLogs([a]).findings;
    expect(codes(f)).toEqual(['interim-not-offered']);
    expect(f[0].message).toContain('1.0.522.34');
  });

  it('a phone at or above the threshold offered the approved version raises nothing', () => {
    expect(analyzeLogs([auditText('a.log', auditLine('03-06-2009 17:18:54', '1.0.522.98', OFFER))]).findings).toEqual([]);
  });
});

describe('urlPath', () => {
  it('takes the path of a URL, lower-cased and unescaped, for comparing offers with IIS stems', () => {
    expect(urlPath('http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt')).toBe('/deviceupdatefiles_int/ocinterim/enu/cpe.nbt');
    expect(urlPath('/A%20B/c?x=1')).toBe('/a b/c');
    expect(urlPath('/bad%zzescape')).toBe('/bad%zzescape');
    expect(urlPath('cpe.nbt')).toBeUndefined();
    expect(urlPath('')).toBeUndefined();
  });
});
