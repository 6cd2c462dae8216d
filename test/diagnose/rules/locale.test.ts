import { describe, expect, it } from 'vitest';
import { localeRule, urlLocale } from '../../../src/diagnose/rules/locale.js';
import { checkIn, download, FIRMWARE_URL, HOST, INTERIM_URL, model, offer, upxRequest, upxResponse } from './builders.js';

const NLD_URL = FIRMWARE_URL.replace('/ENU/', '/NLD/');

describe('locale rule', () => {
  it('reads the locale segment of both URL layouts', () => {
    expect(urlLocale(FIRMWARE_URL)).toBe('ENU');
    expect(urlLocale(`${HOST}/DeviceUpdateFiles_Ext/OCInterim/DEU/CPE.nbt`)).toBe('DEU');
    expect(urlLocale(`${HOST}/elsewhere/CPE.nbt`)).toBeUndefined();
  });

  it('reports an offer for another locale on the response frame', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, res: upxResponse({ files: [offer(NLD_URL, '3.5.6907.0')] }) });
    const fs = localeRule.run(model({ exchanges: [x] }));
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ code: 'locale-mismatch', severity: 'error', evidence: { frames: [6], field: 'Locale' } });
    expect(fs[0].message).toMatch(/ENU.*NLD/);
  });

  it('compares locales case-insensitively and accepts a matching interim offer', () => {
    const a = checkIn({ id: '0.1', reqFrame: 4, req: upxRequest({ locale: 'enu' }), res: upxResponse({ files: [offer(FIRMWARE_URL, '3.5.6907.0')] }) });
    const b = checkIn({ id: '1.1', reqFrame: 14, res: upxResponse({ files: [offer(INTERIM_URL, '1.0.522.103')] }) });
    expect(localeRule.run(model({ exchanges: [a, b] }))).toEqual([]);
  });

  it('reports an interim offer for another locale', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, res: upxResponse({ files: [offer(INTERIM_URL.replace('ENU', 'NLD'), '1.0.522.103')] }) });
    expect(localeRule.run(model({ exchanges: [x] })).map((f) => f.code)).toEqual(['locale-mismatch']);
  });

  it('reports a download for another locale when the capture lacks its offer', () => {
    const d = download({ id: '1.1', uri: new URL(NLD_URL).pathname, reqFrame: 14 });
    const fs = localeRule.run(model({ exchanges: [d] }));
    expect(fs).toHaveLength(1);
    expect(fs[0].evidence.frames).toEqual([14, 16]);
  });

  it('leaves an offered download alone (the offer was already judged)', () => {
    const d = download({ id: '1.1', uri: new URL(NLD_URL).pathname, reqFrame: 14, offeredBy: '0.1' });
    expect(localeRule.run(model({ exchanges: [d] }))).toEqual([]);
  });
});
