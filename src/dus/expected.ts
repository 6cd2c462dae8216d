// How the Device Update Service decides what to answer a check-in
// (shared/protocol/ucdevice-upx.md section 5), as one pure function of the
// request, the inventory and the handler. The analyzer diffs captured answers
// against it; `upxray serve` answers with it.
import type { Inventory, InventoryUpdate } from './inventory.js';
import { normalizeMac } from './mac-address.js';
import type { UpxFileInit, UpxRequestInit, UpxResponseInit } from './upx-encode.js';
import { compareVersions, isNoVersion } from './version.js';

/** Phones below this version get the interim build first (section 5.1). */
export const INTERIM_THRESHOLD = '1.0.522.98';
/** The interim build. */
export const INTERIM_VERSION = '1.0.522.103';
/** Time stamp announced for files whose inventory entry gives none (the seed's). */
export const DEFAULT_FILE_STAMP = '16-12-2008 04:43:58';
/** Server/Service Version when the inventory gives none (OCS 2007 R2 RTM). */
export const DEFAULT_SERVICE_VERSION = '3.5.6907.0';
/** Host written in URLs when the inventory names no server. */
export const PLACEHOLDER_HOST = 'ocs.invalid';

export type Handler = 'internal' | 'external' | 'legacy';

/** Why the service offers what it offers. */
export type DecisionReason =
  /** Version known and below 1.0.522.98 (or none): the interim build. */
  | 'interim'
  /** A first check-in with no version, answered with nothing (in-band provisioning). */
  | 'provisioning'
  /** The newest approved version for the exact device and locale is newer than what the phone runs. */
  | 'approved-update'
  /** A test device gets the newest pending (or approved) version. */
  | 'test-device-update'
  /** The newest applicable version is not newer than what the phone runs. */
  | 'up-to-date'
  /** Newer versions exist for the device, but only pending ones, and the phone is not a test device. */
  | 'pending-only'
  /** Newer versions exist for the device in other locales only. */
  | 'locale-missing'
  /** The inventory holds nothing for this device type/vendor/model/revision. */
  | 'unknown-device';

export interface Decision {
  reason: DecisionReason;
  /** The file(s) the service offers, in order; empty for Downloads 0. */
  offers: Offer[];
  testDevice: boolean;
  /** The CPE version the request reports (undefined when it reports none). */
  current?: string;
  /** The update behind an approved/test-device offer. */
  update?: InventoryUpdate;
  /** For locale-missing: the locales that do hold a newer version. */
  otherLocales?: string[];
  /** With no version and an interim offer, an answer of nothing is also right (first provisioning, section 5.1). */
  noneAlsoRight?: boolean;
}

export interface Offer {
  fileName: string;
  version: string;
  timeStamp: string;
  url: string;
}

export interface DecideOptions {
  handler: Handler;
  /** Answer a no-version check-in with nothing (the service's in-band provisioning). @default false */
  provisioning?: boolean;
}

/** The request fields the service reads. */
export type CheckInRequest = Pick<UpxRequestInit, 'deviceType' | 'macAddress' | 'serialNumber' | 'vendor' | 'model' | 'revision' | 'locale' | 'files'>;

/** The CPE version a request reports: the .nbt file, else the first file. */
export function requestVersion(req: CheckInRequest): string | undefined {
  const files = req.files ?? [];
  const cpe = files.find((f) => /\.nbt$/i.test(f.fileName?.trim() ?? '')) ?? files[0];
  return cpe?.version;
}

/** Whether a reported version needs the interim build (no version counts as below). */
export function belowInterim(v: string | undefined): boolean {
  return isNoVersion(v) || compareVersions(v!, INTERIM_THRESHOLD) < 0;
}

const same = (a: string | undefined, b: string | undefined) => (a ?? '').trim().toLowerCase() === (b ?? '').trim().toLowerCase();

function macOf(req: CheckInRequest): string | undefined {
  const m = req.macAddress;
  if (m === undefined) return undefined;
  return typeof m === 'string' ? normalizeMac(m) : (m.normalized ?? normalizeMac(m.raw));
}

/** Whether the inventory lists the phone as a test device (MAC without separators or case, or serial). */
export function isTestDevice(req: CheckInRequest, inv: Inventory): boolean {
  const mac = macOf(req);
  const serial = req.serialNumber?.trim().toLowerCase();
  return inv.testDevices.some((d) => (d.mac !== undefined && d.mac === mac) || (d.serial !== undefined && serial !== undefined && serial !== '' && d.serial.toLowerCase() === serial));
}

function sameDevice(u: InventoryUpdate, req: CheckInRequest): boolean {
  // A request without DeviceType is taken as a UCPhone, the only type section 8 names.
  return same(u.deviceType, req.deviceType ?? 'UCPhone') && same(u.vendor, req.vendor) && same(u.model, req.model) && same(u.revision, req.revision);
}

function newest(list: InventoryUpdate[]): InventoryUpdate | undefined {
  let best: InventoryUpdate | undefined;
  for (const u of list) if (!best || compareVersions(u.version, best.version) > 0) best = u;
  return best;
}

const filesRoot = (inv: Inventory, handler: Handler) =>
  `http://${inv.server ?? PLACEHOLDER_HOST}/DeviceUpdateFiles_${handler === 'external' ? 'Ext' : 'Int'}`;

/** The URL of an update's CPE.nbt (section 1). */
export function updateUrl(inv: Inventory, handler: Handler, u: InventoryUpdate): string {
  return `${filesRoot(inv, handler)}/${u.deviceType}/${u.vendor}/${u.model}/${u.revision}/${u.locale}/${u.version}/CPE/CPE.nbt`;
}

/** The URL of the interim build for a locale. */
export function interimUrl(inv: Inventory, handler: Handler, locale: string): string {
  return `${filesRoot(inv, handler)}/OCInterim/${locale}/CPE.nbt`;
}

/** Section 5: what the service offers this check-in. */
export function decide(req: CheckInRequest, inv: Inventory, opts: DecideOptions): Decision {
  const current = requestVersion(req);
  const testDevice = isTestDevice(req, inv);
  const base = { testDevice, ...(isNoVersion(current) ? {} : { current }) };
  // 5.1: below the threshold (or no version): the interim build.
  if (belowInterim(current)) {
    if (isNoVersion(current) && opts.provisioning) return { ...base, reason: 'provisioning', offers: [] };
    const offer: Offer = { fileName: 'CPE.nbt', version: INTERIM_VERSION, timeStamp: DEFAULT_FILE_STAMP, url: interimUrl(inv, opts.handler, req.locale?.trim() ?? '') };
    return { ...base, reason: 'interim', offers: [offer], ...(isNoVersion(current) ? { noneAlsoRight: true } : {}) };
  }
  // 5.2: newest approved (pending too for a test device) for the exact device and locale.
  const device = inv.updates.filter((u) => sameDevice(u, req));
  if (device.length === 0) return { ...base, reason: 'unknown-device', offers: [] };
  const states = testDevice ? ['approved', 'pending'] : ['approved'];
  const newer = (u: InventoryUpdate) => compareVersions(u.version, current!) > 0;
  const mine = device.filter((u) => same(u.locale, req.locale));
  const pick = newest(mine.filter((u) => states.includes(u.state)));
  if (pick && newer(pick)) {
    const offer: Offer = { fileName: 'CPE.nbt', version: pick.version, timeStamp: pick.timeStamp ?? DEFAULT_FILE_STAMP, url: updateUrl(inv, opts.handler, pick) };
    return { ...base, reason: testDevice ? 'test-device-update' : 'approved-update', offers: [offer], update: pick };
  }
  // 5.3: Downloads 0, and why.
  if (mine.some(newer)) return { ...base, reason: 'pending-only', offers: [] };
  if (mine.length > 0) return { ...base, reason: 'up-to-date', offers: [] };
  const others = device.filter((u) => states.includes(u.state) && newer(u));
  if (others.length > 0) {
    const otherLocales = [...new Set(others.map((u) => u.locale))].sort();
    return { ...base, reason: 'locale-missing', offers: [], otherLocales };
  }
  // Other locales only, none newer: nothing to miss.
  return { ...base, reason: 'up-to-date', offers: [] };
}

/** The response body the service writes for a decision (section 3; 5.4: both versions always present). */
export function responseFor(inv: Inventory, d: Pick<Decision, 'offers'>): UpxResponseInit {
  const host = inv.server ?? PLACEHOLDER_HOST;
  const files: UpxFileInit[] = d.offers.map((o) => ({ fileName: o.fileName, version: o.version, timeStamp: o.timeStamp, url: o.url }));
  return {
    serverVersion: inv.serverVersion ?? DEFAULT_SERVICE_VERSION,
    serviceVersion: inv.serviceVersion ?? DEFAULT_SERVICE_VERSION,
    updatesServerInternalUrl: `https://${host}/RequestHandler/ucdevice.upx`,
    updatesServerExternalUrl: `https://${inv.externalServer ?? host}/RequestHandlerExt/ucdevice.upx`,
    downloads: files.length,
    ...(files.length > 0 ? { files } : {}),
  };
}

/** The expected answer to a check-in, with the decision behind it. */
export interface ExpectedAnswer {
  decision: Decision;
  response: UpxResponseInit;
  /**
   * Fields whose value the inventory does not pin down (only their presence is
   * expected): the versions when it gives none, URL hosts when it names no server.
   */
  valueUnknown: Array<'ServerVersion' | 'ServiceVersion' | 'host'>;
}

export function expectedAnswer(req: CheckInRequest, inv: Inventory, opts: DecideOptions): ExpectedAnswer {
  const decision = decide(req, inv, opts);
  const valueUnknown: ExpectedAnswer['valueUnknown'] = [];
  if (inv.serverVersion === undefined) valueUnknown.push('ServerVersion');
  if (inv.serviceVersion === undefined) valueUnknown.push('ServiceVersion');
  if (inv.server === undefined) valueUnknown.push('host');
  return { decision, response: responseFor(inv, decision), valueUnknown };
}
