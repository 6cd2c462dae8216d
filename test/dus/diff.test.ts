import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeDiff, describeDiffBetween, diffRequests, diffResponses, fileUrlParts, offeredVersions } from '../../src/dus/diff.js';
import { decodeUpx } from '../../src/dus/upx-codec.js';
import type { UpxResponseInit } from '../../src/dus/upx-encode.js';

const URL_ENU = 'http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt';
const BASE: UpxResponseInit = {
  serverVersion: '3.5.6907.0',
  serviceVersion: '3.5.6907.0',
  updatesServerInternalUrl: 'https://ocs.demo.local/RequestHandler/ucdevice.upx',
  updatesServerExternalUrl: 'https://ext.demo.local/RequestHandlerExt/ucdevice.upx',
  downloads: 1,
  files: [{ fileName: 'CPE.nbt', version: '3.5.6907.0', timeStamp: '16-12-2008 04:43:58', url: URL_ENU }],
};

describe('fileUrlParts', () => {
  it('names the segments of the UCPhone layout', () => {
    const p = fileUrlParts(URL_ENU)!;
    expect(p.area).toBe('DeviceUpdateFiles_Int');
    expect(Object.fromEntries(p.segments)).toMatchObject({ vendor: 'LG-Nortel', model: 'IP8540', revision: 'A', locale: 'ENU', version: '3.5.6907.0', file: 'CPE.nbt' });
  });
  it('names the segments of an OCInterim URL', () => {
    expect(fileUrlParts('http://h/DeviceUpdateFiles_Ext/OCInterim/NLD/CPE.nbt')!.segments).toEqual([['interim', 'OCInterim'], ['locale', 'NLD'], ['file', 'CPE.nbt']]);
  });
  it('is undefined for URLs outside the update tree', () => {
    expect(fileUrlParts('http://h/other/CPE.nbt')).toBeUndefined();
    expect(fileUrlParts('not a url')).toBeUndefined();
  });
});

describe('diffResponses', () => {
  it('finds nothing between equal responses, versions compared numerically', () => {
    expect(diffResponses(BASE, { ...BASE, serverVersion: '3.5.6907.00' })).toEqual([]);
    expect(diffResponses(BASE, { ...BASE, downloads: undefined, downloadsRaw: ' 1' })).toEqual([]);
  });

  it('lists missing fields', () => {
    const { serverVersion: _a, serviceVersion: _b, ...rest } = BASE;
    expect(diffResponses(BASE, rest)).toEqual([
      { field: 'ServerVersion', kind: 'missing', expected: '3.5.6907.0' },
      { field: 'ServiceVersion', kind: 'missing', expected: '3.5.6907.0' },
    ]);
  });

  it('lists extra files and fields', () => {
    const none: UpxResponseInit = { ...BASE, downloads: 0, files: [] };
    expect(diffResponses(none, BASE)).toEqual([
      { field: 'Downloads', kind: 'different', expected: '0', actual: '1' },
      { field: 'Files[1]', kind: 'extra', actual: URL_ENU },
    ]);
    expect(diffResponses(BASE, none).map(describeDiff)).toEqual([
      'Downloads: expected "1", got "0"',
      `Files[1]: missing (expected "${URL_ENU}")`,
    ]);
  });

  it('lists the offered version and the URL segments that differ, _Int/_Ext and locale included', () => {
    const actual: UpxResponseInit = {
      ...BASE,
      files: [{ ...BASE.files![0], version: '3.5.6906.0', url: 'http://ocs.demo.local/DeviceUpdateFiles_Ext/UCPhone/LG-Nortel/IP8540/A/NLD/3.5.6906.0/CPE/CPE.nbt' }],
    };
    expect(diffResponses(BASE, actual)).toEqual([
      { field: 'Files[1].Version', kind: 'different', expected: '3.5.6907.0', actual: '3.5.6906.0' },
      { field: 'Files[1].Url.area', kind: 'different', expected: 'DeviceUpdateFiles_Int', actual: 'DeviceUpdateFiles_Ext' },
      { field: 'Files[1].Url.locale', kind: 'different', expected: 'ENU', actual: 'NLD' },
      { field: 'Files[1].Url.version', kind: 'different', expected: '3.5.6907.0', actual: '3.5.6906.0' },
    ]);
    expect(offeredVersions(actual)).toEqual(['3.5.6906.0']);
  });

  it('compares interim and update URLs as paths when their layouts differ', () => {
    const actual = { ...BASE, files: [{ ...BASE.files![0], url: 'http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt' }] };
    expect(diffResponses(BASE, actual)).toEqual([
      { field: 'Files[1].Url.path', kind: 'different', expected: 'UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt', actual: 'OCInterim/ENU/CPE.nbt' },
    ]);
  });

  it('compares hosts and scheme unless told the host is unknown', () => {
    const other = { ...BASE, updatesServerInternalUrl: 'https://x.invalid/RequestHandler/ucdevice.upx', files: [{ ...BASE.files![0], url: URL_ENU.replace('http://ocs.demo.local', 'https://other.local') }] };
    expect(diffResponses(BASE, other).map((d) => d.field)).toEqual(['UpdatesServerInternalUrl', 'Files[1].Url.scheme', 'Files[1].Url.host']);
    expect(diffResponses(BASE, other, { ignoreHost: true }).map((d) => d.field)).toEqual(['Files[1].Url.scheme']);
  });

  it('checks only presence for values it is told are unknown, and can skip time stamps', () => {
    expect(diffResponses(BASE, { ...BASE, serverVersion: '4.0.0.0' }, { valueUnknown: ['ServerVersion'] })).toEqual([]);
    const { serverVersion: _s, ...noVersion } = BASE;
    expect(diffResponses(BASE, noVersion, { valueUnknown: ['ServerVersion'] })).toHaveLength(1);
    const stamped = { ...BASE, files: [{ ...BASE.files![0], timeStamp: '01-01-2010 00:00:00' }] };
    expect(diffResponses(BASE, stamped).map((d) => d.field)).toEqual(['Files[1].TimeStamp']);
    expect(diffResponses(BASE, stamped, { ignoreTimeStamps: true })).toEqual([]);
  });

  it('lists unknown elements only one side has', () => {
    const body = (extra: string) =>
      decodeUpx(new TextEncoder().encode(`<Response><ServerVersion>1</ServerVersion>${extra}</Response>`), { kind: 'response' });
    const a = body('<Checksum>1</Checksum>');
    const b = body('<Mode>x</Mode>');
    if (!a.ok || !b.ok) throw new Error('fixture');
    expect(diffResponses(a.value, b.value, { unknown: { expected: a.value.unknown, actual: b.value.unknown } })).toEqual([
      { field: '#unknown/Response/Checksum', kind: 'missing', expected: '1' },
      { field: '#unknown/Response/Mode', kind: 'extra', actual: 'x' },
    ]);
  });

  it('diffs the canonical response with the one lacking its versions (seed comment 2)', () => {
    const dec = (p: string) => decodeUpx(readFileSync(new URL(`./fixtures/${p}`, import.meta.url)), { kind: 'response' });
    const a = dec('canonical-response.xml');
    const b = dec('response-no-versions.xml');
    if (!a.ok || !b.ok) throw new Error('fixture');
    const fields = diffResponses(a.value, b.value).map((d) => `${d.kind} ${d.field}`);
    expect(fields).toContain('missing ServerVersion');
    expect(fields).toContain('missing ServiceVersion');
  });
});

describe('diffRequests', () => {
  it('shows what differs between a working and a stuck phone', () => {
    const a = { macAddress: '00-21-63-0F-20-7B', vendor: 'LG-Nortel', locale: 'ENU', files: [{ fileName: 'cpe.nbt', version: '3.5.6907.0' }] };
    const b = { macAddress: '0021630f207b', vendor: 'lg-nortel', locale: 'NLD', files: [{ fileName: 'CPE.NBT', version: '1.0.452.0' }] };
    expect(diffRequests(a, b)).toEqual([
      { field: 'Locale', kind: 'different', expected: 'ENU', actual: 'NLD' },
      { field: 'Files[1].Version', kind: 'different', expected: '3.5.6907.0', actual: '1.0.452.0' },
    ]);
  });
});

describe('describeDiffBetween', () => {
  it('names the sides instead of expected/got', () => {
    expect(describeDiffBetween({ field: 'Locale', kind: 'different', expected: 'ENU', actual: 'NLD' })).toBe('Locale: A "ENU", B "NLD"');
    expect(describeDiffBetween({ field: 'Files[1]', kind: 'missing', expected: 'u' }, 'working', 'stuck')).toBe('Files[1]: only in working ("u")');
    expect(describeDiffBetween({ field: 'Files[2]', kind: 'extra', actual: 'v' })).toBe('Files[2]: only in B ("v")');
  });
});
