// Canonical ucdevice.upx bodies (shared/protocol/ucdevice-upx.md sections 2
// and 3), for making test traffic and reference answers. The output decodes
// back to the same fields: values are escaped so the decoder's trimming and
// entity decoding give them back exactly. Absent fields are left out; an
// empty string is written as an empty element.

import { FILE_CANONICAL, REQUEST_CANONICAL, RESPONSE_CANONICAL } from './field-names.js';
import type { UpxMacAddress } from './upx-types.js';
import { escapeXmlText } from './xml-text.js';

/** A File to write. A decoded UpxFile fits. */
export interface UpxFileInit {
  fileName?: string;
  version?: string;
  timeStamp?: string;
  url?: string;
}

/** A request to write. A decoded UpxRequest fits. */
export interface UpxRequestInit {
  deviceType?: string;
  /** Written as given; for a decoded MAC, its raw text. */
  macAddress?: string | UpxMacAddress;
  serialNumber?: string;
  vendor?: string;
  model?: string;
  revision?: string;
  locale?: string;
  files?: readonly UpxFileInit[];
}

/** A response to write. A decoded UpxResponse fits. */
export interface UpxResponseInit {
  serverVersion?: string;
  serviceVersion?: string;
  updatesServerInternalUrl?: string;
  updatesServerExternalUrl?: string;
  downloads?: number;
  /** Used when `downloads` is absent, or when it is the same number written differently. */
  downloadsRaw?: string;
  files?: readonly UpxFileInit[];
}

/** Layout of the written body. */
export interface EncodeUpxOptions {
  /** @default '\n' */
  newline?: '\n' | '\r\n';
  /** Write the `<?xml ...?>` declaration. @default true */
  declaration?: boolean;
}

function element(name: string, value: string | undefined, indent: string, nl: string): string {
  return value === undefined ? '' : `${indent}<${name}>${escapeXmlText(value)}</${name}>${nl}`;
}

function filesXml(files: readonly UpxFileInit[] | undefined, nl: string): string {
  if (!files || files.length === 0) return '';
  let out = `  <Files>${nl}`;
  for (const f of files) {
    out += `    <File>${nl}`;
    for (const [key, name] of FILE_CANONICAL) out += element(name, f[key], '      ', nl);
    out += `    </File>${nl}`;
  }
  return out + `  </Files>${nl}`;
}

function wrap(root: string, inner: string, opts: EncodeUpxOptions): string {
  const nl = opts.newline ?? '\n';
  const decl = opts.declaration === false ? '' : `<?xml version="1.0" encoding="utf-8"?>${nl}`;
  return `${decl}<${root}>${nl}${inner}</${root}>${nl}`;
}

/** The canonical XML of a check-in request (section 2). */
export function encodeUpxRequest(r: UpxRequestInit, opts: EncodeUpxOptions = {}): string {
  const nl = opts.newline ?? '\n';
  let inner = '';
  for (const [key, name] of REQUEST_CANONICAL) {
    const v = key === 'macAddress' ? (typeof r.macAddress === 'object' ? r.macAddress.raw : r.macAddress) : r[key];
    inner += element(name, v, '  ', nl);
  }
  return wrap('Request', inner + filesXml(r.files, nl), opts);
}

/** The canonical XML of a check-in response (section 3); no Files when there are none. */
export function encodeUpxResponse(r: UpxResponseInit, opts: EncodeUpxOptions = {}): string {
  const nl = opts.newline ?? '\n';
  let inner = '';
  for (const [key, name] of RESPONSE_CANONICAL) {
    let v: string | undefined;
    if (key === 'downloads') {
      const raw = r.downloadsRaw;
      const rawMatches = raw !== undefined && (r.downloads === undefined || Number(raw) === r.downloads);
      v = rawMatches ? raw : r.downloads !== undefined ? String(r.downloads) : undefined;
    } else v = r[key];
    inner += element(name, v, '  ', nl);
  }
  return wrap('Response', inner + filesXml(r.files, nl), opts);
}
