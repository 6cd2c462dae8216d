// The server's inventory: which firmware versions exist for which
// vendor/model/revision/locale, which are approved and which pending, and which
// phones are test devices (shared/protocol/ucdevice-upx.md section 8). It comes
// as the JSON manifest, or as the updates folder itself (the DeviceUpdateFiles
// tree `UCPhone/<Vendor>/<Model>/<Revision>/<Locale>/<Version>/CPE/CPE.nbt`)
// with an optional manifest for approvals and test devices. A bad manifest is
// an error value that names the field, never an exception.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeMac } from './mac-address.js';

/** Approval state of an update on the server. */
export type UpdateState = 'approved' | 'pending';

/** One firmware build the server holds. */
export interface InventoryUpdate {
  /** @default 'UCPhone' */
  deviceType: string;
  vendor: string;
  model: string;
  revision: string;
  locale: string;
  version: string;
  state: UpdateState;
  /** The file time stamp the service announces, when the manifest gives one. */
  timeStamp?: string;
  /** False when the manifest lists the update but the folder has no CPE.nbt for it (a 404 waiting to happen). */
  hasFiles?: boolean;
}

/** A phone that receives pending updates, by MAC (12 upper-case hex digits) and/or serial. */
export interface TestDevice {
  name?: string;
  mac?: string;
  serial?: string;
}

/** The server's state, as the expected-response engine needs it. */
export interface Inventory {
  /** Host name in the URLs the service writes; undefined when unknown (URL hosts are then not compared). */
  server?: string;
  /** Host of the external handler URL. @default server */
  externalServer?: string;
  serverVersion?: string;
  serviceVersion?: string;
  updates: InventoryUpdate[];
  testDevices: TestDevice[];
  /** The updates folder, when the inventory was read from one (serve sends files from it). */
  root?: string;
  /** Locales with an OCInterim build in the folder (folder inventories only). */
  interimLocales?: string[];
}

export type InventoryResult = { ok: true; value: Inventory } | { ok: false; error: string };

/** A version as a manifest must write it: 1 to 4 dot-separated decimal parts. */
const VERSION = /^[0-9]{1,9}(\.[0-9]{1,9}){0,3}$/;
/** Limits so a hostile manifest or tree cannot make the loader work forever. */
const MAX_UPDATES = 10_000;
const MAX_TEST_DEVICES = 10_000;
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
/** Names of the manifest looked for inside an updates folder. */
export const FOLDER_MANIFESTS = ['inventory.json', 'manifest.json'];

class FieldError {
  constructor(readonly message: string) {}
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function text(obj: Record<string, unknown>, key: string, at: string, required: boolean): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) throw new FieldError(`${at}${key}: missing`);
    return undefined;
  }
  if (typeof v !== 'string') throw new FieldError(`${at}${key}: ${show(v)} is not a string`);
  const t = v.trim();
  if (required && t === '') throw new FieldError(`${at}${key}: empty`);
  // Values end up in URL paths the service writes: no separators, no dot segments.
  if (t !== '' && ['vendor', 'model', 'revision', 'locale', 'deviceType'].includes(key) && (/[/\\\u0000-\u001f]/.test(t) || t === '.' || t === '..'))
    throw new FieldError(`${at}${key}: ${show(v)} cannot be a folder name`);
  return t;
}

function version(obj: Record<string, unknown>, key: string, at: string, required: boolean): string | undefined {
  const t = text(obj, key, at, required);
  if (t !== undefined && !VERSION.test(t)) throw new FieldError(`${at}${key}: ${show(obj[key])} is not a version`);
  return t;
}

function record(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new FieldError(`${at || 'manifest'}: ${show(v)} is not an object`);
  return v as Record<string, unknown>;
}

function list(obj: Record<string, unknown>, key: string, max: number): unknown[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FieldError(`${key}: ${show(v)} is not a list`);
  if (v.length > max) throw new FieldError(`${key}: more than ${max} entries`);
  return v;
}

function parseUpdate(v: unknown, i: number): InventoryUpdate {
  const at = `updates[${i}].`;
  const o = record(v, `updates[${i}]`);
  const state = text(o, 'state', at, false) ?? 'approved';
  if (state !== 'approved' && state !== 'pending') throw new FieldError(`${at}state: ${show(o.state)} is not "approved" or "pending"`);
  const u: InventoryUpdate = {
    deviceType: text(o, 'deviceType', at, false) || 'UCPhone',
    vendor: text(o, 'vendor', at, true)!,
    model: text(o, 'model', at, true)!,
    revision: text(o, 'revision', at, true)!,
    locale: text(o, 'locale', at, true)!,
    version: version(o, 'version', at, true)!,
    state,
  };
  const stamp = text(o, 'timeStamp', at, false);
  if (stamp !== undefined) u.timeStamp = stamp;
  return u;
}

function parseTestDevice(v: unknown, i: number): TestDevice {
  const at = `testDevices[${i}].`;
  const o = record(v, `testDevices[${i}]`);
  const d: TestDevice = {};
  const name = text(o, 'name', at, false);
  if (name !== undefined) d.name = name;
  const mac = text(o, 'mac', at, false);
  if (mac !== undefined) {
    const n = normalizeMac(mac);
    if (n === undefined) throw new FieldError(`${at}mac: ${show(o.mac)} is not a MAC address`);
    d.mac = n;
  }
  const serial = text(o, 'serial', at, false);
  if (serial !== undefined && serial !== '') d.serial = serial;
  if (d.mac === undefined && d.serial === undefined) throw new FieldError(`testDevices[${i}]: needs a mac or a serial`);
  return d;
}

/** Check a parsed manifest (section 8) and turn it into an Inventory. */
export function parseInventory(json: unknown): InventoryResult {
  try {
    const o = record(json, '');
    const inv: Inventory = {
      updates: list(o, 'updates', MAX_UPDATES).map(parseUpdate),
      testDevices: list(o, 'testDevices', MAX_TEST_DEVICES).map(parseTestDevice),
    };
    const server = text(o, 'server', '', false);
    if (server) inv.server = server;
    const ext = text(o, 'externalServer', '', false);
    if (ext) inv.externalServer = ext;
    const sv = version(o, 'serverVersion', '', false);
    if (sv !== undefined) inv.serverVersion = sv;
    const sv2 = version(o, 'serviceVersion', '', false);
    if (sv2 !== undefined) inv.serviceVersion = sv2;
    return { ok: true, value: inv };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, error: e.message };
    throw e;
  }
}

/** Parse the text of a manifest file. */
export function parseInventoryText(textValue: string): InventoryResult {
  let json: unknown;
  try {
    json = JSON.parse(textValue.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  return parseInventory(json);
}

function dirs(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/** Find a child folder whatever its case (the share lives on Windows, where names are case-insensitive). */
function child(path: string, name: string): string | undefined {
  const hit = dirs(path).find((d) => d.toLowerCase() === name.toLowerCase());
  return hit === undefined ? undefined : join(path, hit);
}

function hasFile(dir: string, name: string): boolean {
  try {
    return readdirSync(dir).some((f) => f.toLowerCase() === name.toLowerCase());
  } catch {
    return false;
  }
}

const key = (u: Pick<InventoryUpdate, 'deviceType' | 'vendor' | 'model' | 'revision' | 'locale' | 'version'>) =>
  [u.deviceType, u.vendor, u.model, u.revision, u.locale, u.version].map((s) => s.toLowerCase()).join('/');

/**
 * Read an updates folder: every `<DeviceType>/<Vendor>/<Model>/<Revision>/<Locale>/<Version>/CPE/CPE.nbt`
 * is an update (approved unless the manifest says otherwise); `OCInterim/<Locale>/CPE.nbt` are interim builds.
 * The manifest adds server names, versions, states and test devices; an update it lists that the tree lacks
 * is kept with `hasFiles: false`.
 */
export function inventoryFromFolder(root: string, manifest?: Inventory): InventoryResult {
  const found: InventoryUpdate[] = [];
  const skip = new Set(['ocinterim']);
  for (const deviceType of dirs(root).filter((d) => !skip.has(d.toLowerCase()))) {
    for (const vendor of dirs(join(root, deviceType)))
      for (const model of dirs(join(root, deviceType, vendor)))
        for (const revision of dirs(join(root, deviceType, vendor, model)))
          for (const locale of dirs(join(root, deviceType, vendor, model, revision)))
            for (const v of dirs(join(root, deviceType, vendor, model, revision, locale))) {
              if (!VERSION.test(v)) continue;
              const cpe = child(join(root, deviceType, vendor, model, revision, locale, v), 'CPE');
              if (!cpe || !hasFile(cpe, 'CPE.nbt')) continue;
              if (found.length >= MAX_UPDATES) return { ok: false, error: `${root}: more than ${MAX_UPDATES} updates` };
              found.push({ deviceType, vendor, model, revision, locale, version: v, state: 'approved', hasFiles: true });
            }
  }
  const byKey = new Map(found.map((u) => [key(u), u]));
  for (const m of manifest?.updates ?? []) {
    const u = byKey.get(key(m));
    if (u) {
      u.state = m.state;
      if (m.timeStamp !== undefined) u.timeStamp = m.timeStamp;
    } else {
      const missing = { ...m, hasFiles: false };
      found.push(missing);
      byKey.set(key(m), missing);
    }
  }
  const interim = child(root, 'OCInterim');
  const inv: Inventory = {
    ...(manifest ?? { testDevices: [] }),
    updates: found,
    testDevices: manifest?.testDevices ?? [],
    root,
    interimLocales: interim ? dirs(interim).filter((l) => hasFile(join(interim, l), 'CPE.nbt')) : [],
  };
  return { ok: true, value: inv };
}

function readManifest(path: string): InventoryResult {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    return { ok: false, error: `${path}: ${(e as Error).message}` };
  }
  if (size > MAX_MANIFEST_BYTES) return { ok: false, error: `${path}: larger than ${MAX_MANIFEST_BYTES} bytes` };
  const r = parseInventoryText(readFileSync(path, 'utf8'));
  return r.ok ? r : { ok: false, error: `${path}: ${r.error}` };
}

/**
 * Load an inventory from a manifest file or an updates folder. For a folder the
 * manifest is `manifestPath`, else `inventory.json` or `manifest.json` inside it, if any.
 */
export function loadInventory(path: string, manifestPath?: string): InventoryResult {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    return { ok: false, error: `${path}: ${(e as Error).message}` };
  }
  if (!st.isDirectory()) {
    if (manifestPath !== undefined) return { ok: false, error: `${path}: a manifest is given separately only with an updates folder` };
    return readManifest(path);
  }
  const mpath = manifestPath ?? FOLDER_MANIFESTS.map((n) => join(path, n)).find((p) => existsSync(p));
  let manifest: Inventory | undefined;
  if (mpath !== undefined) {
    const m = readManifest(mpath);
    if (!m.ok) return m;
    manifest = m.value;
  }
  return inventoryFromFolder(path, manifest);
}
