// Field names of the ucdevice.upx body and the matching rule of
// shared/protocol/ucdevice-upx.md section 4: names compare case-insensitively,
// ignoring spaces, '-' and '_', with any namespace prefix removed. Tables are
// Maps, not object literals, so a hostile name such as `constructor` can never
// hit an Object.prototype member.

/** The request fields that hold one text value. */
export type RequestScalar =
  | 'deviceType'
  | 'macAddress'
  | 'serialNumber'
  | 'vendor'
  | 'model'
  | 'revision'
  | 'locale';

/** The response fields that hold one text value. */
export type ResponseScalar =
  | 'serverVersion'
  | 'serviceVersion'
  | 'updatesServerInternalUrl'
  | 'updatesServerExternalUrl'
  | 'downloads';

/** The fields of one File. */
export type FileScalar = 'fileName' | 'version' | 'timeStamp' | 'url';

/** The name without its namespace prefix (`a:Response` -> `Response`). */
export function localName(name: string): string {
  const colon = name.lastIndexOf(':');
  return colon >= 0 ? name.slice(colon + 1) : name;
}

/** The matching key of a name: `Server_Version`, `server-version`, `x:ServerVersion` -> `serverversion`. */
export function normalizeName(name: string): string {
  return localName(name).toLowerCase().replace(/[\s_-]+/g, '');
}

/** Canonical element names, in the order sections 2 and 3 write them. */
export const REQUEST_CANONICAL: ReadonlyArray<readonly [RequestScalar, string]> = [
  ['deviceType', 'DeviceType'],
  ['macAddress', 'MacAddress'],
  ['serialNumber', 'SerialNumber'],
  ['vendor', 'Vendor'],
  ['model', 'Model'],
  ['revision', 'Revision'],
  ['locale', 'Locale'],
];

export const RESPONSE_CANONICAL: ReadonlyArray<readonly [ResponseScalar, string]> = [
  ['serverVersion', 'ServerVersion'],
  ['serviceVersion', 'ServiceVersion'],
  ['updatesServerInternalUrl', 'UpdatesServerInternalUrl'],
  ['updatesServerExternalUrl', 'UpdatesServerExternalUrl'],
  ['downloads', 'Downloads'],
];

export const FILE_CANONICAL: ReadonlyArray<readonly [FileScalar, string]> = [
  ['fileName', 'FileName'],
  ['version', 'Version'],
  ['timeStamp', 'TimeStamp'],
  ['url', 'Url'],
];

function table<K extends string>(
  canonical: ReadonlyArray<readonly [K, string]>,
  aliases: ReadonlyArray<readonly [string, K]> = [],
): ReadonlyMap<string, K> {
  const m = new Map<string, K>();
  for (const [key, name] of canonical) m.set(normalizeName(name), key);
  for (const [alias, key] of aliases) m.set(normalizeName(alias), key);
  return m;
}

/** Normalised name -> request field. */
export const REQUEST_FIELDS = table(REQUEST_CANONICAL);
/** Normalised name -> response field. */
export const RESPONSE_FIELDS = table(RESPONSE_CANONICAL);
/** Normalised name -> file field; `Name` is the attribute form's spelling of FileName. */
export const FILE_FIELDS = table(FILE_CANONICAL, [['Name', 'fileName']]);

/** The container of File elements, and the File element (normalised). */
export const FILES_NAME = 'files';
export const FILE_NAME = 'file';

/** Root element names (normalised) and the kind each announces. */
export const ROOT_KINDS: ReadonlyMap<string, 'request' | 'response'> = new Map([
  ['request', 'request'],
  ['response', 'response'],
]);
