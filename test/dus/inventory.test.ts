import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory, parseInventory, parseInventoryText } from '../../src/dus/inventory.js';

const SECTION_8 = {
  server: 'ocs.demo.local',
  serverVersion: '3.5.6907.0',
  serviceVersion: '3.5.6907.0',
  updates: [
    { deviceType: 'UCPhone', vendor: 'LG-Nortel', model: 'IP8540', revision: 'A', locale: 'ENU', version: '3.5.6907.0', state: 'approved' },
    { deviceType: 'UCPhone', vendor: 'Polycom', model: 'CX700', revision: 'A', locale: 'NLD', version: '3.5.6907.0', state: 'pending' },
  ],
  testDevices: [{ name: 'lab phone', mac: '0021630F207B' }, { serial: 'C185H001209' }],
};

function withUpdate(patch: Record<string, unknown>, index = 2) {
  const u = [...SECTION_8.updates, { ...SECTION_8.updates[0] }];
  u[index] = { ...u[index], ...patch } as (typeof u)[number];
  return { ...SECTION_8, updates: u };
}

describe('parseInventory', () => {
  it('reads the manifest of section 8', () => {
    const r = parseInventory(SECTION_8);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.server).toBe('ocs.demo.local');
    expect(r.value.updates).toHaveLength(2);
    expect(r.value.updates[1]).toMatchObject({ vendor: 'Polycom', locale: 'NLD', state: 'pending' });
    expect(r.value.testDevices).toEqual([{ name: 'lab phone', mac: '0021630F207B' }, { serial: 'C185H001209' }]);
  });

  it('normalises test-device MACs (separators and case do not matter)', () => {
    const r = parseInventory({ updates: [], testDevices: [{ mac: '00-21-63-0f-20-7b' }] });
    expect(r.ok && r.value.testDevices[0].mac).toBe('0021630F207B');
  });

  it('defaults state to approved and deviceType to UCPhone', () => {
    const r = parseInventory({ updates: [{ vendor: 'V', model: 'M', revision: 'A', locale: 'ENU', version: '1.2.3.4' }] });
    expect(r.ok && r.value.updates[0]).toMatchObject({ deviceType: 'UCPhone', state: 'approved' });
  });

  it.each([
    [withUpdate({ version: '3.5.x' }), 'updates[2].version: "3.5.x" is not a version'],
    [withUpdate({ version: '' }), 'updates[2].version: empty'],
    [withUpdate({ version: 3.5 }), 'updates[2].version: 3.5 is not a string'],
    [withUpdate({ locale: undefined }), 'updates[2].locale: missing'],
    [withUpdate({ state: 'Approved!' }), 'updates[2].state: "Approved!" is not "approved" or "pending"'],
    [withUpdate({ vendor: '../etc' }), 'updates[2].vendor: "../etc" cannot be a folder name'],
    [withUpdate({ model: '..' }), 'updates[2].model: ".." cannot be a folder name'],
    [{ ...SECTION_8, updates: 'none' }, 'updates: "none" is not a list'],
    [{ ...SECTION_8, updates: [7] }, 'updates[0]: 7 is not an object'],
    [{ ...SECTION_8, testDevices: [{ mac: 'zz' }] }, 'testDevices[0].mac: "zz" is not a MAC address'],
    [{ ...SECTION_8, testDevices: [{ name: 'x' }] }, 'testDevices[0]: needs a mac or a serial'],
    [{ ...SECTION_8, serverVersion: 'R2' }, 'serverVersion: "R2" is not a version'],
    [[], 'manifest: [] is not an object'],
  ])('names the bad field: %#', (json, error) => {
    const r = parseInventory(json);
    expect(r).toEqual({ ok: false, error });
  });

  it('says when the text is not JSON, and accepts a BOM', () => {
    const bad = parseInventoryText('{ "updates": [');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^not JSON: /);
    expect(parseInventoryText('\uFEFF{"updates":[]}').ok).toBe(true);
  });
});

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'upx-inv-'));
  const put = (p: string, body = 'x') => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), body);
  };
  put('UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt');
  put('UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.cat');
  put('UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.207/CPE/CPE.nbt');
  put('UCPhone/LG-Nortel/IP8540/A/NLD/3.5.6907.0/CPE/CPE.nbt');
  put('UCPhone/LG-Nortel/IP8540/A/ENU/notes/CPE/CPE.nbt'); // not a version folder
  put('UCPhone/LG-Nortel/IP8540/A/DEU/3.5.6907.0/CPE/readme.txt'); // no image
  put('OCInterim/ENU/CPE.nbt');
  put('OCInterim/FRA/readme.txt');
  return root;
}

describe('loadInventory from the updates folder', () => {
  it('finds every version folder holding a CPE.nbt, approved by default, and the interim locales', () => {
    const root = tree();
    const r = loadInventory(root);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.root).toBe(root);
    expect(r.value.updates.map((u) => `${u.locale}/${u.version}/${u.state}`).sort()).toEqual([
      'ENU/3.5.6907.0/approved',
      'ENU/3.5.6907.207/approved',
      'NLD/3.5.6907.0/approved',
    ]);
    expect(r.value.interimLocales).toEqual(['ENU']);
    expect(r.value.server).toBeUndefined();
  });

  it('takes states, names and test devices from the manifest inside the folder, and keeps listed updates with no files', () => {
    const root = tree();
    writeFileSync(
      join(root, 'inventory.json'),
      JSON.stringify({
        server: 'ocs.demo.local',
        updates: [
          { vendor: 'lg-nortel', model: 'IP8540', revision: 'A', locale: 'ENU', version: '3.5.6907.207', state: 'pending' },
          { vendor: 'Polycom', model: 'CX700', revision: 'A', locale: 'ENU', version: '3.5.6907.0', state: 'approved' },
        ],
        testDevices: [{ serial: 'C185H001209' }],
      }),
    );
    const r = loadInventory(root);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.server).toBe('ocs.demo.local');
    expect(r.value.updates.find((u) => u.version === '3.5.6907.207')?.state).toBe('pending');
    expect(r.value.updates.find((u) => u.vendor === 'Polycom')).toMatchObject({ hasFiles: false });
    expect(r.value.testDevices).toEqual([{ serial: 'C185H001209' }]);
  });

  it('reports a bad manifest in the folder with its path and the field', () => {
    const root = tree();
    const m = join(root, 'manifest.json');
    writeFileSync(m, JSON.stringify({ updates: [{ vendor: 'V', model: 'M', revision: 'A', locale: 'ENU', version: '3.5.x' }] }));
    expect(loadInventory(root)).toEqual({ ok: false, error: `${m}: updates[0].version: "3.5.x" is not a version` });
  });

  it('says when the path does not exist', () => {
    const r = loadInventory('/nonexistent/upx/inventory.json');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^\/nonexistent\/upx\/inventory\.json: ENOENT/);
  });
});
