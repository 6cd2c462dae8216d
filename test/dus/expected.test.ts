// Section 5 of shared/protocol/ucdevice-upx.md, rule by rule, as tables.
import { describe, expect, it } from 'vitest';
import {
  belowInterim,
  decide,
  expectedAnswer,
  INTERIM_VERSION,
  isTestDevice,
  type CheckInRequest,
  type DecisionReason,
  type Handler,
} from '../../src/dus/expected.js';
import type { Inventory, InventoryUpdate } from '../../src/dus/inventory.js';
import { decodeUpx } from '../../src/dus/upx-codec.js';
import { encodeUpxResponse } from '../../src/dus/upx-encode.js';

const up = (locale: string, version: string, state: 'approved' | 'pending' = 'approved', over: Partial<InventoryUpdate> = {}): InventoryUpdate => ({
  deviceType: 'UCPhone', vendor: 'LG-Nortel', model: 'IP8540', revision: 'A', locale, version, state, ...over,
});

const INV: Inventory = {
  server: 'ocs.demo.local',
  externalServer: 'ext.demo.local',
  serverVersion: '3.5.6907.0',
  serviceVersion: '3.5.6907.0',
  updates: [
    up('ENU', '3.5.6907.0'),
    up('ENU', '3.5.6907.207', 'pending'),
    up('ENU', '3.5.6907.100', 'approved', { model: 'IP8540E' }),
    up('NLD', '3.5.6907.0', 'approved', { vendor: 'Polycom', model: 'CX700' }),
    up('DEU', '3.5.6907.0', 'approved', { revision: 'B' }),
  ],
  testDevices: [{ name: 'lab phone', mac: '00215A000001' }, { serial: 'LAB-SERIAL' }],
};

function req(version: string | undefined, over: Partial<CheckInRequest> = {}): CheckInRequest {
  return {
    deviceType: 'UCPhone', macAddress: '0021630F207B', serialNumber: 'C185H001209', vendor: 'LG-Nortel', model: 'IP8540', revision: 'A', locale: 'ENU',
    files: version === undefined ? [] : [{ fileName: 'cpe.nbt', version, timeStamp: '16-12-2008 04:43:58' }],
    ...over,
  };
}

describe('belowInterim: the threshold 1.0.522.98, compared numerically', () => {
  it.each([
    ['1.0.522.97', true],
    ['1.0.522.98', false],
    ['1.0.522.103', false], // 103 > 98 numerically, though "103" < "98" as strings
    ['1.0.452.0', true],
    ['1.0.522', true], // three parts: 1.0.522.0
    ['1.0.523', false],
    ['3.5.6907.0', false],
    ['', true], // empty: no known version
    ['0.0.0.0', true],
    [undefined, true],
    ['1.0.0522.098', false], // leading zeros
  ] as Array<[string | undefined, boolean]>)('%s -> %s', (v, below) => {
    expect(belowInterim(v)).toBe(below);
  });
});

describe('decide', () => {
  const rows: Array<[string, CheckInRequest, Handler, DecisionReason, string[]]> = [
    // 5.1 interim rule
    ['below the threshold: interim build', req('1.0.452.0'), 'internal', 'interim', ['http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt']],
    ['1.0.522.97 still gets the interim build', req('1.0.522.97'), 'internal', 'interim', ['http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt']],
    ['empty version: interim build', req(''), 'internal', 'interim', ['http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt']],
    ['0.0.0.0: interim build', req('0.0.0.0'), 'internal', 'interim', ['http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt']],
    ['no File at all: interim build', req(undefined), 'internal', 'interim', ['http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt']],
    ['interim under _Ext for the external handler, in the phone locale', req('1.0.452.0', { locale: 'NLD' }), 'external', 'interim', ['http://ocs.demo.local/DeviceUpdateFiles_Ext/OCInterim/NLD/CPE.nbt']],
    // 5.2 approved for the exact device and locale
    ['1.0.522.98 is at the threshold: the approved build', req('1.0.522.98'), 'internal', 'approved-update', ['http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt']],
    ['1.0.522.103 (interim) gets the approved build', req('1.0.522.103'), 'internal', 'approved-update', ['http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt']],
    ['external handler: _Ext URL', req('1.0.522.103'), 'external', 'approved-update', ['http://ocs.demo.local/DeviceUpdateFiles_Ext/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt']],
    ['legacy handler answers like the internal one', req('1.0.522.103'), 'legacy', 'approved-update', ['http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt']],
    ['names match without case', req('1.0.522.103', { vendor: 'lg-nortel', locale: 'enu' }), 'internal', 'approved-update', ['http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt']],
    ['a three-part version above the threshold still compares', req('3.5.6906'), 'internal', 'approved-update', ['http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt']],
    // test devices get pending
    ['test device by MAC (any notation) gets the newest pending', req('1.0.522.103', { macAddress: '00-21-5a-00-00-01' }), 'internal', 'test-device-update', ['http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.207/CPE/CPE.nbt']],
    ['test device by serial, even when already on the approved build', req('3.5.6907.0', { serialNumber: 'lab-serial' }), 'internal', 'test-device-update', ['http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.207/CPE/CPE.nbt']],
    // 5.3 nothing
    ['already on the approved build: nothing (a newer pending does not count)', req('3.5.6907.0'), 'internal', 'pending-only', []],
    ['newer than anything approved: nothing', req('3.5.6908.0'), 'internal', 'up-to-date', []],
    ['same version written with four parts vs three', req('3.5.6907'), 'internal', 'pending-only', []],
    ['exact model: IP8540E updates are not for IP8540', req('3.5.6907.0', { serialNumber: 'X' }), 'internal', 'pending-only', []],
    ['another revision: its locale files do not apply', req('1.0.522.103', { revision: 'B', locale: 'ENU' }), 'internal', 'locale-missing', []],
    ['locale with no files while another locale has newer ones', req('1.0.522.103', { locale: 'FRA' }), 'internal', 'locale-missing', []],
    ['unknown device', req('1.0.522.103', { vendor: 'Aastra' }), 'internal', 'unknown-device', []],
  ];
  it.each(rows)('%s', (_name, r, handler, reason, urls) => {
    const d = decide(r, INV, { handler });
    expect(d.reason).toBe(reason);
    expect(d.offers.map((o) => o.url)).toEqual(urls);
  });

  it('offers the interim build as version 1.0.522.103', () => {
    expect(decide(req('1.0.452.0'), INV, { handler: 'internal' }).offers[0].version).toBe(INTERIM_VERSION);
  });

  it('lets a first check-in without version get nothing when the service provisions in-band', () => {
    const d = decide(req('0.0.0.0'), INV, { handler: 'internal', provisioning: true });
    expect(d.reason).toBe('provisioning');
    expect(d.offers).toEqual([]);
    // Without provisioning the interim offer stands, but nothing is also a right answer.
    expect(decide(req(''), INV, { handler: 'internal' }).noneAlsoRight).toBe(true);
    expect(decide(req('1.0.452.0'), INV, { handler: 'internal', provisioning: true }).reason).toBe('interim');
  });

  it('names the locales that do hold a newer build', () => {
    const d = decide(req('1.0.522.103', { locale: 'FRA' }), INV, { handler: 'internal' });
    expect(d.otherLocales).toEqual(['ENU']);
    expect(decide(req('1.0.522.103', { revision: 'B' }), INV, { handler: 'internal' }).otherLocales).toEqual(['DEU']);
  });

  it('picks the newest approved by numeric comparison, not text order', () => {
    const inv: Inventory = { ...INV, updates: [up('ENU', '3.5.6907.99'), up('ENU', '3.5.6907.100'), up('ENU', '3.5.6907.9')], testDevices: [] };
    expect(decide(req('1.0.522.103'), inv, { handler: 'internal' }).offers[0].version).toBe('3.5.6907.100');
  });

  it('does not take a pending build for a phone that is not a test device', () => {
    const inv: Inventory = { ...INV, updates: [up('ENU', '3.5.6907.0', 'pending')], testDevices: [] };
    expect(decide(req('1.0.522.103'), inv, { handler: 'internal' }).reason).toBe('pending-only');
  });

  it('recognises test devices only by their own MAC or serial', () => {
    expect(isTestDevice(req('1'), INV)).toBe(false);
    expect(isTestDevice(req('1', { macAddress: { raw: '00:21:5A:00:00:01', normalized: '00215A000001' } }), INV)).toBe(true);
    expect(isTestDevice(req('1', { serialNumber: '' }), { ...INV, testDevices: [{ serial: '' }] })).toBe(false);
  });
});

describe('expectedAnswer', () => {
  it('always carries ServerVersion and ServiceVersion (5.4) and both handler URLs', () => {
    const a = expectedAnswer(req('3.5.6907.0'), INV, { handler: 'internal' });
    expect(a.response).toMatchObject({
      serverVersion: '3.5.6907.0',
      serviceVersion: '3.5.6907.0',
      updatesServerInternalUrl: 'https://ocs.demo.local/RequestHandler/ucdevice.upx',
      updatesServerExternalUrl: 'https://ext.demo.local/RequestHandlerExt/ucdevice.upx',
      downloads: 0,
    });
    expect(a.response.files).toBeUndefined();
    expect(a.valueUnknown).toEqual([]);
  });

  it('encodes to a body that decodes back to the offer', () => {
    const a = expectedAnswer(req('1.0.522.103'), INV, { handler: 'internal' });
    const back = decodeUpx(new TextEncoder().encode(encodeUpxResponse(a.response)), { kind: 'response' });
    expect(back.ok && back.value.downloads).toBe(1);
    expect(back.ok && back.value.files[0].url).toBe('http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt');
  });

  it('says which values it cannot know when the inventory lacks them', () => {
    const a = expectedAnswer(req('1.0.522.103'), { updates: INV.updates, testDevices: [] }, { handler: 'internal' });
    expect(a.valueUnknown).toEqual(['ServerVersion', 'ServiceVersion', 'host']);
  });
});
