// Expected against actual of each check-in (src/dus/expected-view.ts), on the
// captures `upxray serve` and `upxray phone` made (captures/make/dus/
// serve-phone.sh) with the inventory the server ran on, and on check-ins
// rewritten to reach the cases those captures do not hold.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture, type AnalysisResult } from '../../src/analysis.js';
import { responseFor } from '../../src/dus/expected.js';
import { expectedView, shownValue, sourceLabel } from '../../src/dus/expected-view.js';
import { loadInventory, type Inventory } from '../../src/dus/inventory.js';
import type { DusExchange, DusModel } from '../../src/dus/model.js';
import { decodeUpx } from '../../src/dus/upx-codec.js';
import { encodeUpxRequest, encodeUpxResponse, type UpxRequestInit, type UpxResponseInit } from '../../src/dus/upx-encode.js';
import type { UpxResponse } from '../../src/dus/upx-types.js';
import { CAPTURES, ROOT } from '../helpers/cli.js';
import { fixture } from './helpers.js';

const loaded = loadInventory(join(ROOT, 'captures/make/dus/inventory.json'));
if (!loaded.ok) throw new Error(loaded.error);
const INV: Inventory = loaded.value;

const runs = new Map<string, Promise<AnalysisResult>>();
function analysed(name: string): Promise<AnalysisResult> {
  let r = runs.get(name);
  if (!r) {
    r = analyzeCapture(join(CAPTURES, `${name}.pcap`), { stdin: process.stdin }, undefined, { inventory: INV });
    runs.set(name, r);
  }
  return r;
}

function decodedResponse(body: string | Uint8Array): UpxResponse {
  const d = decodeUpx(typeof body === 'string' ? new TextEncoder().encode(body) : body, { kind: 'response' });
  if (!d.ok) throw new Error(d.error.code);
  return d.value;
}

/** Exchange `x` with its request and/or response replaced by these bodies, decoded. */
function rewritten(x: DusExchange, req?: UpxRequestInit, res?: UpxResponseInit): DusExchange {
  const out = { ...x };
  if (req) {
    const d = decodeUpx(new TextEncoder().encode(encodeUpxRequest(req)), { kind: 'request' });
    if (!d.ok) throw new Error(d.error.code);
    out.upxRequest = d;
  }
  if (res) out.upxResponse = { ok: true, value: decodedResponse(encodeUpxResponse(res)) };
  return out;
}

const checkIns = (m: DusModel) => m.exchanges.filter((x) => x.cls.kind === 'check-in');

describe('expectedView on the serve captures, with the inventory serve ran on', () => {
  // Per capture, per check-in: the decision and each difference as "field kind expected -> actual".
  const table: Array<[string, Array<[string, string[]]>]> = [
    ['serve-healthy', [['test-device-update', []], ['up-to-date', []]]],
    ['serve-two-cycles', [['interim', []], ['test-device-update', []], ['up-to-date', []]]],
    [
      'serve-no-update-offered',
      [['test-device-update', ['Downloads different 1 -> 0', 'Files[1] missing http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt -> (absent)']]],
    ],
    ['serve-response-diff', [['test-device-update', ['Files[1].Url.area different DeviceUpdateFiles_Int -> DeviceUpdateFiles_Ext']], ['up-to-date', []]]],
    ['serve-locale-mismatch', [['locale-missing', []]]],
    [
      'serve-interim-not-offered',
      [
        ['interim', ['Files[1].Version different 1.0.522.103 -> 3.5.6907.0', 'Files[1].Url.path different OCInterim/ENU/CPE.nbt -> UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt']],
        ['up-to-date', []],
      ],
    ],
  ];

  it.each(table)('%s', async (name, want) => {
    const r = await analysed(name);
    const got = checkIns(r.model).map((x) => {
      const v = expectedView(r.model, x)!;
      expect(v.source).toBe('inventory');
      expect(v.actual).toBe((x.upxResponse as { ok: true; value: UpxResponse }).value);
      expect(v.unpinned).toEqual([]);
      return [v.reason, v.differences.map((d) => `${d.field} ${d.kind} ${shownValue(d.expected)} -> ${shownValue(d.actual)}`)];
    });
    expect(got).toEqual(want);
  });

  it('writes the expected body as serve would, and it decodes back to the expected fields', async () => {
    const r = await analysed('serve-no-update-offered');
    const v = expectedView(r.model, checkIns(r.model)[0])!;
    const back = decodedResponse(v.expectedXml);
    expect(back.downloads).toBe(1);
    expect(back.files.map((f) => f.url)).toEqual(['http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt']);
    expect(v.expected.downloads).toBe(1);
    // The actual answer of that run is Downloads 0.
    expect(v.actual.downloadsRaw).toBe('0');
  });

  it('has nothing to say of downloads, or without an inventory or an --expected body', async () => {
    const r = await analysed('serve-healthy');
    const downloads = r.model.exchanges.filter((x) => x.cls.kind === 'download');
    expect(downloads.length).toBeGreaterThan(0);
    for (const x of downloads) expect(expectedView(r.model, x)).toBeUndefined();
    const bare: DusModel = { ...r.model, inventory: undefined };
    for (const x of checkIns(bare)) expect(expectedView(bare, x)).toBeUndefined();
  });

  it('has nothing to compare when the response did not decode', async () => {
    const r = await analysed('serve-healthy');
    const x = { ...checkIns(r.model)[0], upxResponse: { ok: false as const, error: { layer: 'upx' as const, code: 'upx.not-xml', offset: 0 } } };
    expect(expectedView(r.model, x as DusExchange)).toBeUndefined();
  });
});

describe('expectedView with an --expected body', () => {
  it('diffs against the body and wins over the inventory (the body decides response-diff)', async () => {
    const r = await analysed('serve-healthy');
    const expected = decodedResponse(fixture('canonical-response.xml'));
    const m: DusModel = { ...r.model, expected };
    const views = checkIns(m).map((x) => expectedView(m, x)!);
    expect(views.map((v) => v.source)).toEqual(['expected-file', 'expected-file']);
    expect(views.map((v) => v.reason)).toEqual([undefined, undefined]);
    expect(sourceLabel(views[0].source)).toBe('the --expected body');
    // The first answer offered 3.5.6907.0 as the body does; the second, after the update, says Downloads 0.
    expect(views[0].differences).toEqual([]);
    expect(views[1].differences.map((d) => [d.field, d.kind])).toEqual([
      ['Downloads', 'different'],
      ['Files[1]', 'missing'],
    ]);
    expect(views[1].expected).toBe(expected);
  });

  it('lists unknown fields only one side carries', async () => {
    const r = await analysed('serve-healthy');
    const expected = decodedResponse(new TextDecoder().decode(fixture('canonical-response.xml')).replace('</Response>', '<Checksum>abc</Checksum></Response>'));
    const m: DusModel = { ...r.model, expected };
    const v = expectedView(m, checkIns(m)[0])!;
    expect(v.differences).toEqual([{ field: '#unknown/Response/Checksum', kind: 'missing', expected: 'abc' }]);
  });
});

describe('expectedView, cases the captures do not hold', () => {
  const base = async () => {
    const r = await analysed('serve-two-cycles');
    return { m: r.model, x: checkIns(r.model)[0] };
  };
  const phone: UpxRequestInit = { deviceType: 'UCPhone', macAddress: '0021630F207B', serialNumber: 'C185H001209', vendor: 'LG-Nortel', model: 'IP8540', revision: 'A', locale: 'ENU', files: [] };

  it('a first check-in with no version answered with nothing matches (in-band provisioning, section 5.1)', async () => {
    const { m, x } = await base();
    const v = expectedView(m, rewritten(x, phone, responseFor(INV, { offers: [] })))!;
    expect(v.reason).toBe('interim');
    expect(v.differences).toEqual([]);
    expect(v.expected.downloads).toBe(0);
  });

  it('the same check-in answered with the interim build matches too, and anything else does not', async () => {
    const { m, x } = await base();
    // The capture's own first answer is the interim build (to a phone on 1.0.452.0).
    const interim = expectedView(m, rewritten(x, phone))!;
    expect(interim.differences).toEqual([]);
    expect(interim.expected.downloads).toBe(1);
    const wrong = rewritten(x, phone, { ...responseFor(INV, { offers: [] }), downloads: 1, files: [{ fileName: 'CPE.nbt', version: '3.5.6907.0', url: 'http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt' }] });
    expect(expectedView(m, wrong)!.differences.map((d) => d.field)).toEqual(['Files[1].Version', 'Files[1].Url.path']);
  });

  it('what the inventory does not pin down is listed and not compared', async () => {
    const r = await analysed('serve-healthy');
    const m: DusModel = { ...r.model, inventory: { ...INV, server: undefined, externalServer: undefined, serverVersion: undefined } };
    const v = expectedView(m, checkIns(m)[0])!;
    expect(v.unpinned).toEqual(['ServerVersion', 'host']);
    expect(v.expectedXml).toContain('http://ocs.invalid/DeviceUpdateFiles_Int/');
    expect(v.differences).toEqual([]);
    // A real difference still shows through the placeholders.
    const moved: DusModel = { ...m, inventory: { ...m.inventory!, updates: m.inventory!.updates.map((u) => ({ ...u, version: '3.5.6907.9' })) } };
    expect(expectedView(moved, checkIns(moved)[0])!.differences.map((d) => d.field)).toEqual(['Files[1].Version', 'Files[1].Url.version']);
  });
});
