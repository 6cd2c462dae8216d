import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnose/diagnose.js';
import { expectedRule } from '../../../src/diagnose/rules/expected.js';
import { RULES } from '../../../src/diagnose/rules/index.js';
import type { Inventory } from '../../../src/dus/inventory.js';
import type { DusModel } from '../../../src/dus/model.js';
import { checkIn, FIRMWARE_URL, HOST, INTERIM_URL, model, offer, upxRequest, upxResponse } from './builders.js';

const INV: Inventory = {
  server: 'ocs.demo.local',
  externalServer: 'ext.demo.local',
  serverVersion: '3.5.6907.0',
  serviceVersion: '3.5.6907.0',
  updates: [
    { deviceType: 'UCPhone', vendor: 'LG-Nortel', model: 'IP8540', revision: 'A', locale: 'ENU', version: '3.5.6907.0', state: 'approved' },
    { deviceType: 'UCPhone', vendor: 'LG-Nortel', model: 'IP8540', revision: 'A', locale: 'ENU', version: '3.5.6907.207', state: 'pending' },
    { deviceType: 'UCPhone', vendor: 'Polycom', model: 'CX700', revision: 'A', locale: 'NLD', version: '3.5.6907.0', state: 'approved' },
  ],
  testDevices: [{ serial: 'LAB-1' }],
};

// What the service writes (section 3), so a right answer has no difference at all.
const URLS = {
  updatesServerInternalUrl: 'https://ocs.demo.local/RequestHandler/ucdevice.upx',
  updatesServerExternalUrl: 'https://ext.demo.local/RequestHandlerExt/ucdevice.upx',
};
const right = (files = [offer(FIRMWARE_URL, '3.5.6907.0')]) => upxResponse({ ...URLS, files });

function run(m: DusModel, inv: Inventory | null = INV) {
  if (inv) m.inventory = inv;
  // The builders' offers are never downloaded: that finding is another rule's business.
  const all = diagnose(m, RULES).filter((f) => f.code !== 'update-offered-not-downloaded');
  return { mine: expectedRule.run(m), all };
}

describe('expected rule (inventory)', () => {
  it('does nothing without an inventory or an expected body', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, res: upxResponse({ files: [] }) });
    expect(run(model({ exchanges: [x] }), null).mine).toEqual([]);
  });

  it('raises nothing when the response is what the inventory says', () => {
    const a = checkIn({ id: '0.1', reqFrame: 4, res: right() });
    const b = checkIn({ id: '1.1', reqFrame: 14, req: upxRequest({ version: '3.5.6907.0' }), res: right([]) });
    const c = checkIn({ id: '2.1', reqFrame: 24, req: upxRequest({ version: '1.0.452.0' }), res: right([offer(INTERIM_URL, '1.0.522.103')]) });
    expect(run(model({ exchanges: [a, b, c] })).mine).toEqual([]);
  });

  it('raises no-update-offered when Downloads is 0 but an approved newer build applies', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, res: right([]) });
    const { mine, all } = run(model({ exchanges: [x] }));
    expect(mine.map((f) => f.code)).toEqual(['no-update-offered']);
    expect(mine[0]).toMatchObject({ severity: 'warning', evidence: { frames: [6], field: 'Downloads' } });
    expect(mine[0].message).toContain('3.5.6907.0');
    expect(all.map((f) => f.code)).toEqual(['no-update-offered']);
  });

  it('raises no-update-offered for a test device denied its pending build', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, req: upxRequest({ version: '3.5.6907.0', serialNumber: 'lab-1' }), res: right([]) });
    const { mine } = run(model({ exchanges: [x] }));
    expect(mine.map((f) => f.code)).toEqual(['no-update-offered']);
    expect(mine[0].message).toMatch(/pending 3\.5\.6907\.207 for LG-Nortel IP8540 A ENU, and the phone is a test device/);
  });

  it('raises locale-mismatch when the inventory lacks the phone locale and the answer is Downloads 0', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, req: upxRequest({ locale: 'FRA' }), res: right([]) });
    const { mine, all } = run(model({ exchanges: [x] }));
    expect(mine.map((f) => f.code)).toEqual(['locale-mismatch']);
    expect(mine[0].evidence).toMatchObject({ frames: [6], field: 'Locale' });
    expect(mine[0].message).toMatch(/FRA.*ENU/);
    expect(all.map((f) => f.code)).toEqual(['locale-mismatch']);
  });

  it('leaves an offer of another locale to the locale rule: one finding, no response-diff', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, req: upxRequest({ locale: 'FRA' }), res: right([offer(FIRMWARE_URL, '3.5.6907.0')]) });
    const { mine, all } = run(model({ exchanges: [x] }));
    expect(mine).toEqual([]);
    expect(all.map((f) => f.code)).toEqual(['locale-mismatch']);
  });

  it('leaves interim-not-offered to the interim rule: one finding in all', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, req: upxRequest({ version: '1.0.452.0' }), res: right() });
    const { mine, all } = run(model({ exchanges: [x] }));
    expect(mine).toEqual([]);
    expect(all.map((f) => f.code)).toEqual(['interim-not-offered']);
  });

  it('accepts nothing for a first check-in with no version (in-band provisioning)', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, req: upxRequest({ version: '0.0.0.0' }), res: right([]) });
    expect(run(model({ exchanges: [x] })).all).toEqual([]);
  });

  it('raises response-diff for every other difference, each listed', () => {
    const ext = FIRMWARE_URL.replace('_Int', '_Ext');
    const x = checkIn({ id: '0.1', reqFrame: 4, res: upxResponse({ ...URLS, serverVersion: '3.0.6362.0', files: [offer(ext, '3.5.6907.0')] }) });
    const { mine, all } = run(model({ exchanges: [x] }));
    expect(mine.map((f) => f.code)).toEqual(['response-diff']);
    expect(mine[0].evidence).toMatchObject({ frames: [4, 6], field: 'ServerVersion,Files[1].Url.area' });
    expect(mine[0].message).toContain('ServerVersion: expected "3.5.6907.0", got "3.0.6362.0"');
    expect(mine[0].message).toContain('Files[1].Url.area: expected "DeviceUpdateFiles_Int", got "DeviceUpdateFiles_Ext"');
    expect(all.map((f) => f.code)).toEqual(['response-diff']);
  });

  it('raises response-diff for an offer the inventory does not allow (a pending build to an ordinary phone)', () => {
    const pending = FIRMWARE_URL.replace('3.5.6907.0', '3.5.6907.207');
    const x = checkIn({ id: '0.1', reqFrame: 4, req: upxRequest({ version: '3.5.6907.0' }), res: right([offer(pending, '3.5.6907.207')]) });
    const { mine } = run(model({ exchanges: [x] }));
    expect(mine.map((f) => f.code)).toEqual(['response-diff']);
    expect(mine[0].message).toContain('Downloads: expected "0", got "1"');
  });

  it('uses the external handler for _Ext URLs', () => {
    const ext = FIRMWARE_URL.replace('_Int', '_Ext');
    const x = checkIn({ id: '0.1', reqFrame: 4, uri: '/RequestHandlerExt/ucdevice.upx', res: right([offer(ext, '3.5.6907.0')]) });
    expect(run(model({ exchanges: [x] })).mine).toEqual([]);
  });

  it('does not repeat a missing ServerVersion as response-diff', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, res: upxResponse({ ...URLS, serverVersion: undefined, files: [offer(FIRMWARE_URL, '3.5.6907.0')] }) });
    const { mine, all } = run(model({ exchanges: [x] }));
    expect(mine).toEqual([]);
    expect(all.map((f) => f.code)).toContain('missing-server-version');
  });

  it('compares URL hosts only when the inventory names the server', () => {
    const other = `http://10.0.0.1/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt`;
    const x = checkIn({ id: '0.1', reqFrame: 4, res: upxResponse({ ...URLS, files: [offer(other, '3.5.6907.0')] }) });
    expect(run(model({ exchanges: [x] })).mine.map((f) => f.evidence.field)).toEqual(['Files[1].Url.host']);
    const { server: _s, externalServer: _e, ...anon } = INV;
    expect(run(model({ exchanges: [x] }), anon).mine).toEqual([]);
  });
});

describe('expected rule (--expected body)', () => {
  it('lists each difference from the known-good response, and nothing when equal', () => {
    const good = right();
    const same = checkIn({ id: '0.1', reqFrame: 4, res: right() });
    const none = checkIn({ id: '1.1', reqFrame: 14, res: right([]) });
    const m = model({ exchanges: [same, none] });
    m.expected = good;
    const fs = expectedRule.run(m);
    expect(fs.map((f) => [f.code, f.evidence.frames])).toEqual([['response-diff', [14, 16]]]);
    expect(fs[0].message).toContain(`Files[1]: missing (expected "${HOST}/DeviceUpdateFiles_Int`);
  });
});
