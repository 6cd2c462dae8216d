// The typed model of a ucdevice.upx body (shared/protocol/ucdevice-upx.md
// sections 2 and 3). A field that is absent stays `undefined`; an element that
// is present but empty is ''. Diagnosis depends on that difference: "the
// response has no ServerVersion" is a finding, "ServerVersion is empty" another.

import type { DecodeError } from '../net/decode-error.js';

/** Which side of a check-in a body belongs to. */
export type UpxKind = 'request' | 'response';

/** How the body's bytes were turned into text. */
export type UpxEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Something the body carried that the model has no field for: kept, never dropped. */
export interface UpxUnknownField {
  /**
   * Where it was, from the root, with names as written (namespace prefixes
   * removed): `Response/Files/File/Checksum`, `Response/File/@Size` for an
   * attribute, `Response/#line/foo` for a `foo=bar` line, `Response/#text` for
   * free text.
   */
  path: string;
  /** What carried it. */
  where: 'element' | 'attribute' | 'line' | 'text';
  /** Its text, trimmed, with the predefined XML entities decoded. */
  value: string;
  /** Byte offset in the body of the element (or line) that carried it. */
  offset: number;
}

/** A MAC address as sent and, when it is one, as 12 upper-case hex digits. */
export interface UpxMacAddress {
  /** The text as the phone sent it, trimmed. */
  raw: string;
  /** `0021630F207B`; undefined when `raw` is not 12 hex digits once separators go. */
  normalized: string | undefined;
}

/** One `<File>` of a request (what the phone runs) or a response (what to fetch). */
export interface UpxFile {
  /** `FileName` or `Name`: `cpe.nbt` in a request, `CPE.nbt` in a response. */
  fileName?: string;
  version?: string;
  /** As written; several date formats occur in the wild, so it is not parsed here. */
  timeStamp?: string;
  /** Where to download it (responses). */
  url?: string;
  unknown: UpxUnknownField[];
  /** Byte offset of the `<File` element in the body. */
  offset: number;
}

/** Facts about the body itself, common to requests and responses. */
export interface UpxBodyInfo {
  /** The root element's name as written, prefix removed: `Request`, `response`. */
  root: string;
  encoding: UpxEncoding;
  /** Whether a byte-order mark was present. */
  bom: boolean;
  /** Things that did not stop decoding: duplicate fields, bad MAC, bare '&'... */
  notes: DecodeError[];
  unknown: UpxUnknownField[];
}

/** A phone's check-in body (section 2). */
export interface UpxRequest extends UpxBodyInfo {
  kind: 'request';
  deviceType?: string;
  macAddress?: UpxMacAddress;
  serialNumber?: string;
  vendor?: string;
  model?: string;
  revision?: string;
  locale?: string;
  files: UpxFile[];
}

/** The service's answer (section 3). */
export interface UpxResponse extends UpxBodyInfo {
  kind: 'response';
  serverVersion?: string;
  serviceVersion?: string;
  updatesServerInternalUrl?: string;
  updatesServerExternalUrl?: string;
  /** `Downloads` as a number; undefined when absent or not a decimal count. */
  downloads?: number;
  /** `Downloads` as written (trimmed), present whenever the field is. */
  downloadsRaw?: string;
  files: UpxFile[];
}

export type UpxMessage = UpxRequest | UpxResponse;

/** Options of decodeUpx. */
export interface DecodeUpxOptions {
  /** Decode as this kind whatever the root says (a mismatch becomes a note). */
  kind?: UpxKind;
  /** Bodies larger than this are refused unread. @default 1048576 */
  maxBytes?: number;
  /** Element nesting deeper than this is refused. @default 32 */
  maxDepth?: number;
}
