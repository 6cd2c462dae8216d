// The ucdevice.upx body codec: bytes of a check-in request or response in,
// the typed model of upx-types.ts out (shared/protocol/ucdevice-upx.md
// sections 2-4). Pure: no I/O, no logging, no judgement. Decoding is lax, as
// section 4 asks: names match loosely, fields may be elements, attributes or
// `key=value` lines, anything not understood is listed, and only a body that
// cannot be read as XML at all is an error (with the byte offset of the
// problem). Order of work, cheapest and most defensive first:
//   size cap -> charset -> the tree -> model. The tree of plain XML is read
//   in one pass; anything else is pre-scanned (DOCTYPE, depth, truncation,
//   root end), then read by fast-xml-parser's validator and parser (entities off).

import { decodeError, fail, ok, type Decoded, type DecodeError } from '../net/decode-error.js';
import {
  FILE_FIELDS,
  FILE_NAME,
  FILES_NAME,
  REQUEST_FIELDS,
  RESPONSE_FIELDS,
  ROOT_KINDS,
  localName,
  normalizeName,
  type FileScalar,
  type RequestScalar,
  type ResponseScalar,
} from './field-names.js';
import { normalizeMac } from './mac-address.js';
import { decodeBodyText, offsetMapper } from './upx-charset.js';
import { prescan } from './upx-prescan.js';
import type {
  DecodeUpxOptions,
  UpxFile,
  UpxKind,
  UpxMessage,
  UpxRequest,
  UpxResponse,
  UpxUnknownField,
} from './upx-types.js';
import { decodeXmlText, isXmlBlank, trimXml, trimXmlEnd } from './xml-text.js';
import { ATTRS, CDATA, MARK, META, TEXT, plainTree, UPX_MAX_DEPTH, xmlParser, XMLValidator, type XNode } from './upx-xml-tree.js';

export { encodeUpxRequest, encodeUpxResponse } from './upx-encode.js';
export type { EncodeUpxOptions, UpxFileInit, UpxRequestInit, UpxResponseInit } from './upx-encode.js';

/** Default size cap: a real ucdevice.upx body is under 2 KB. */
export const UPX_MAX_BYTES = 1024 * 1024;
export { UPX_MAX_DEPTH };
/** At most this many unknown fields are listed per body; the rest are counted in a note. */
export const UPX_MAX_UNKNOWN = 10_000;
/** At most this many notes per body; the rest are counted in a last note. */
export const UPX_MAX_NOTES = 100;


/** Decode a ucdevice.upx body. Never throws; offsets are relative to the body's first byte. */
export function decodeUpx(body: Uint8Array, opts: DecodeUpxOptions & { kind: 'request' }): Decoded<UpxRequest>;
export function decodeUpx(body: Uint8Array, opts: DecodeUpxOptions & { kind: 'response' }): Decoded<UpxResponse>;
export function decodeUpx(body: Uint8Array, opts?: DecodeUpxOptions): Decoded<UpxMessage>;
export function decodeUpx(body: Uint8Array, opts: DecodeUpxOptions = {}): Decoded<UpxMessage> {
  try {
    return decodeInner(body, opts);
  } catch (e) {
    // Only an upxray (or parser) bug gets here; it still must not escape.
    return fail(
      decodeError('upx', 'upx.internal', 0, { detail: `decoder failure: ${e instanceof Error ? e.message : String(e)}` }),
    );
  }
}

function decodeInner(body: Uint8Array, opts: DecodeUpxOptions): Decoded<UpxMessage> {
  const maxBytes = opts.maxBytes ?? UPX_MAX_BYTES;
  const maxDepth = opts.maxDepth ?? UPX_MAX_DEPTH;
  if (body.length > maxBytes) {
    return fail(
      decodeError('upx', 'upx.too-large', maxBytes, {
        available: body.length,
        detail: `the body has ${body.length} bytes, more than the ${maxBytes} a ucdevice.upx body may have`,
      }),
    );
  }
  if (body.length === 0) return fail(decodeError('upx', 'upx.empty', 0, { detail: 'the body is empty' }));
  if (isPartialBom(body)) {
    return fail(
      decodeError('upx', 'upx.truncated', body.length, {
        available: body.length,
        detail: 'the body ends inside a byte-order mark',
      }),
    );
  }

  const bt = decodeBodyText(body);
  const map = offsetMapper(body, bt);
  const text = bt.text;
  const notes = new NoteSink();
  if (bt.badUtf8At !== undefined) {
    notes.add(decodeError('upx', 'upx.bad-utf8', bt.badUtf8At, { detail: 'invalid UTF-8 replaced by U+FFFD' }));
  }
  if (bt.oddByteAt !== undefined) {
    notes.add(decodeError('upx', 'upx.odd-length', bt.oddByteAt, { detail: 'a UTF-16 body ends with half a character' }));
  }

  const from = text.search(/[^ \t\r\n]/);
  if (from < 0) return fail(decodeError('upx', 'upx.empty', 0, { detail: 'the body holds only white space' }));
  if (text[from] !== '<') {
    return fail(
      decodeError('upx', 'upx.not-xml', map(from), { detail: 'the body does not start with XML markup' }),
    );
  }

  // Plain XML, nearly every body, is read in one pass (whatever it accepts
  // passes the pre-scan); the rest is pre-scanned, then goes through
  // fast-xml-parser's validator and parser (the same tree either way).
  let tree: unknown = plainTree(text, from, maxDepth);
  if (tree === undefined) {
    const general = generalTree(text, from, maxDepth, body, notes, map);
    if (!general.ok) return fail(general.error);
    tree = general.value;
  }
  const root = Array.isArray(tree) ? (tree as XNode[]).find((n) => elementName(n) !== undefined) : undefined;
  if (root === undefined) {
    return fail(decodeError('upx', 'upx.malformed', map(from), { detail: 'no root element' }));
  }
  const rootName = localName(elementName(root)!);
  const rootKind = ROOT_KINDS.get(normalizeName(rootName));
  const ctx: Ctx = { text, base: from, map, notes, unknownLeft: UPX_MAX_UNKNOWN, unknownDropped: 0, lineSearch: true };
  const rootAt = offsetOf(root, ctx, map(from));
  if (rootKind === undefined) {
    return fail(
      decodeError('upx', 'upx.unknown-root', rootAt, {
        detail: `the root element <${rootName.slice(0, 64)}> is neither Request nor Response`,
      }),
    );
  }
  const kind: UpxKind = opts.kind ?? rootKind;
  if (kind !== rootKind) {
    notes.add(
      decodeError('upx', 'upx.root-mismatch', rootAt, {
        detail: `decoded as a ${kind} although the root element is <${rootName}>`,
      }),
    );
  }

  const msg = kind === 'request' ? buildRequest(root, rootName, rootAt, ctx) : buildResponse(root, rootName, rootAt, ctx);
  if (ctx.unknownDropped > 0) {
    notes.add(
      decodeError('upx', 'upx.unknown-capped', rootAt, {
        detail: `${ctx.unknownDropped} more unknown fields were not listed (limit ${UPX_MAX_UNKNOWN})`,
      }),
    );
  }
  // Completed in place, after the fields (the order JSON shows them in); a
  // spread into a new object costs more than the rest of a small body's reading.
  const whole = msg as Partial<UpxMessage>;
  whole.root = rootName;
  whole.encoding = bt.encoding;
  whole.bom = bt.bom;
  whole.notes = notes.done();
  return ok(whole as UpxMessage);
}

/** The general road: pre-scan, then fast-xml-parser's validator (bare '&'s noted and hidden) and parser. */
function generalTree(
  text: string,
  from: number,
  maxDepth: number,
  body: Uint8Array,
  notes: NoteSink,
  map: (index: number) => number,
): Decoded<unknown> {
  const scan = prescan(text, from, maxDepth);
  if (!scan.ok) return fail(decodeError('upx', scan.code, map(scan.index), { detail: scan.detail }));

  let end = text.length;
  if (scan.rootEnd !== undefined) {
    end = scan.rootEnd;
    const junk = trailingJunk(text, end);
    if (junk >= 0) {
      notes.add(
        decodeError('upx', 'upx.trailing-data', map(junk), { detail: 'data after the root element is ignored' }),
      );
    }
  }
  const win = text.slice(from, end);

  // A bare '&' (say, in a URL's query) is not well-formed, but its meaning is
  // plain: keep it as data, note it, and hide it from the validator.
  let forValidator = win;
  // Same notion of a reference as the validator's (a named one is 1-20 word characters).
  const bare = /&(?!#x[0-9A-Fa-f]+;|#[0-9]+;|\w{1,20};)/g;
  if (win.includes('&')) {
    forValidator = win.replace(bare, (_m, at: number) => {
      notes.add(decodeError('upx', 'upx.bare-ampersand', map(from + at), { detail: "a '&' that starts no entity is kept as data" }));
      return '\ue000';
    });
  }

  const valid = XMLValidator.validate(forValidator, { allowBooleanAttributes: true });
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    const mismatch = /^Expected closing tag|has not been opened/.test(msg);
    if (scan.incomplete && !mismatch) {
      return fail(
        decodeError('upx', 'upx.truncated', body.length, {
          available: body.length,
          detail: `the body ends inside ${scan.openWhat ?? 'the document'} (at byte ${map(scan.openAt ?? from)})`,
        }),
      );
    }
    const at = from + indexOfLineCol(win, line, col);
    return fail(decodeError('upx', 'upx.malformed', map(at), { detail: msg }));
  }
  if (scan.incomplete) {
    // The validator accepted what the pre-scan saw as unfinished: trust the stricter view.
    return fail(
      decodeError('upx', 'upx.truncated', body.length, {
        available: body.length,
        detail: `the body ends inside ${scan.openWhat ?? 'the document'}`,
      }),
    );
  }

  try {
    return ok(xmlParser.parse(win));
  } catch (e) {
    return fail(
      decodeError('upx', 'upx.malformed', map(from), { detail: e instanceof Error ? e.message : String(e) }),
    );
  }
}

// ---------------------------------------------------------------------------
// Building the model from the parsed tree.

interface Ctx {
  /** The whole body text (line offsets are searched in it). */
  text: string;
  /** Index in `text` where the parsed window starts. */
  base: number;
  map: (index: number) => number;
  notes: NoteSink;
  unknownLeft: number;
  unknownDropped: number;
  /** Whether text lines are still located by search (see readContainer). */
  lineSearch: boolean;
}

/** Notes, bounded so a hostile body cannot make the list grow with its size. */
class NoteSink {
  private readonly list: DecodeError[] = [];
  private dropped = 0;
  add(e: DecodeError): void {
    if (this.list.length < UPX_MAX_NOTES) this.list.push(e);
    else this.dropped++;
  }
  /** The notes in body order (stable, so equal offsets keep the order they were found in). */
  done(): DecodeError[] {
    this.list.sort((a, b) => a.offset - b.offset);
    if (this.dropped > 0) {
      const last = this.list[this.list.length - 1];
      this.list.push(
        decodeError('upx', 'upx.notes-capped', last.offset, { detail: `${this.dropped} more notes were not kept` }),
      );
    }
    return this.list;
  }
}

/** The element name of a node (marker removed), or undefined for text and CDATA nodes. */
function elementName(n: XNode): string | undefined {
  for (const k of Object.keys(n)) {
    if (k.startsWith(MARK)) return stripMark(k);
  }
  return undefined;
}

function stripMark(k: string): string {
  // Self-closing tags get the transform twice (fast-xml-parser 5.x quirk).
  let i = 0;
  while (k[i] === MARK) i++;
  return k.slice(i);
}

function childrenOf(n: XNode): XNode[] {
  for (const k of Object.keys(n)) {
    if (k.startsWith(MARK)) {
      const v = n[k];
      return Array.isArray(v) ? (v as XNode[]) : [];
    }
  }
  return [];
}

function attributesOf(n: XNode): Array<[string, string]> {
  const a = n[ATTRS];
  if (a === null || typeof a !== 'object') return [];
  // Boolean attributes (`<File hidden>`) come as `true`: their value is empty.
  return Object.entries(a as Record<string, unknown>).map(([k, v]) => [stripMark(k), typeof v === 'string' ? v : '']);
}

function offsetOf(n: XNode, ctx: Ctx, fallback: number): number {
  const meta = n[META] as { startIndex?: number } | undefined;
  return typeof meta?.startIndex === 'number' ? ctx.map(ctx.base + meta.startIndex) : fallback;
}

/** Text pieces of a node: raw text (entities still encoded) or CDATA (literal). */
type Piece = { raw: string; cdata: boolean };

function textPieces(n: XNode): Piece | undefined {
  if (typeof n[TEXT] === 'string') return { raw: n[TEXT] as string, cdata: false };
  const c = n[CDATA];
  if (Array.isArray(c)) {
    const t = (c as XNode[]).map((x) => (typeof x[TEXT] === 'string' ? (x[TEXT] as string) : '')).join('');
    return { raw: t, cdata: true };
  }
  return undefined;
}

/** Decode a value: trim XML white space first (so `&#x20;` survives), then entities. */
function decodeValue(raw: string, cdata: boolean, offset: number, ctx: Ctx): string {
  const t = trimXml(raw);
  if (cdata) return t;
  const d = decodeXmlText(t);
  for (const name of d.unknownEntities) {
    ctx.notes.add(
      decodeError('upx', 'upx.unknown-entity', offset, { detail: `&${name.slice(0, 64)}; is not expanded (kept as written)` }),
    );
  }
  return d.value;
}

/** The text content of an element: its direct text and CDATA, joined, trimmed at the ends. */
function leafValue(el: XNode, offset: number, ctx: Ctx): string {
  const pieces = childrenOf(el)
    .map(textPieces)
    .filter((p): p is Piece => p !== undefined);
  if (pieces.length === 0) return '';
  if (pieces.length === 1) return decodeValue(pieces[0].raw, pieces[0].cdata, offset, ctx);
  // Trim the outer ends only, decode each text piece, keep CDATA literal.
  const parts = pieces.map((p, i) => {
    let r = p.raw;
    if (!p.cdata && i === 0) r = r.replace(/^[ \t\r\n]+/, '');
    if (!p.cdata && i === pieces.length - 1) r = trimXmlEnd(r);
    return p.cdata ? r : decodeXmlText(r).value;
  });
  return parts.join('');
}

function pushUnknown(list: UpxUnknownField[], f: UpxUnknownField, ctx: Ctx): void {
  if (ctx.unknownLeft > 0) {
    ctx.unknownLeft--;
    list.push(f);
  } else ctx.unknownDropped++;
}

/** An element nobody asked for: list it, its attributes and its sub-elements. */
function listUnknownElement(el: XNode, path: string, list: UpxUnknownField[], ctx: Ctx, fallback: number): void {
  const at = offsetOf(el, ctx, fallback);
  pushUnknown(list, { path, where: 'element', value: leafValue(el, at, ctx), offset: at }, ctx);
  listUnknownInside(el, path, list, ctx, at);
}

/** The attributes and sub-elements of an element whose own value was taken. */
function listUnknownInside(el: XNode, path: string, list: UpxUnknownField[], ctx: Ctx, at: number): void {
  for (const [name, v] of attributesOf(el)) {
    if (isNamespaceDecl(name)) continue;
    pushUnknown(
      list,
      { path: `${path}/@${localName(name)}`, where: 'attribute', value: decodeValue(v, false, at, ctx), offset: at },
      ctx,
    );
  }
  for (const c of childrenOf(el)) {
    const name = elementName(c);
    if (name !== undefined) listUnknownElement(c, `${path}/${localName(name)}`, list, ctx, at);
  }
}

function isNamespaceDecl(name: string): boolean {
  return name === 'xmlns' || name.startsWith('xmlns:');
}

/** Where to put a known field's value; duplicates keep the first and are noted. */
class FieldSet<K extends string> {
  readonly values = new Map<K, string>();
  constructor(
    readonly table: ReadonlyMap<string, K>,
    private readonly ctx: Ctx,
  ) {}
  put(key: K, value: string, offset: number, path: string): void {
    if (this.values.has(key)) {
      this.ctx.notes.add(
        decodeError('upx', 'upx.duplicate-field', offset, {
          detail: `${path} repeats ${key}; the first value is kept, this one ('${value.slice(0, 120)}') ignored`,
        }),
      );
      return;
    }
    this.values.set(key, value);
  }
}

const KEY_NAME = /^[A-Za-z_][\w .:-]*$/;

/**
 * A `key=value` line: what /^([A-Za-z_][\w .:-]*?)[ \t]*=[ \t]*(.*)$/ matches,
 * found by hand. As a regex its lazy key backtracks quadratically on a long
 * run of spaces with no '=' after it (seconds for 40 000 spaces).
 */
function keyValue(t: string): [line: string, key: string, value: string] | null {
  const eq = t.indexOf('='); // the key cannot contain '=', so only the first one can match
  if (eq < 0) return null;
  let keyEnd = eq;
  while (keyEnd > 0 && (t[keyEnd - 1] === ' ' || t[keyEnd - 1] === '\t')) keyEnd--;
  const key = t.slice(0, keyEnd);
  if (!KEY_NAME.test(key)) return null;
  let v = eq + 1;
  while (v < t.length && (t[v] === ' ' || t[v] === '\t')) v++;
  const value = t.slice(v);
  // '.' stops at line terminators, so the regex fails on a value holding one.
  if (/[\n\r\u2028\u2029]/.test(value)) return null;
  return [t, key, value];
}

/**
 * Read a container element (the root, or a File): its attributes, its
 * `key=value` text lines and its field elements go into `fields`; `onChild`
 * may claim sub-elements (Files, File); the rest is listed as unknown.
 */
function readContainer<K extends string>(
  el: XNode,
  path: string,
  at: number,
  fields: FieldSet<K>,
  unknown: UpxUnknownField[],
  ctx: Ctx,
  onChild?: (norm: string, child: XNode, childPath: string, childAt: number) => boolean,
): void {
  for (const [name, v] of attributesOf(el)) {
    if (isNamespaceDecl(name)) continue;
    const apath = `${path}/@${localName(name)}`;
    const value = decodeValue(v, false, at, ctx);
    const key = fields.table.get(normalizeName(name));
    if (key !== undefined) fields.put(key, value, at, apath);
    else pushUnknown(unknown, { path: apath, where: 'attribute', value, offset: at }, ctx);
  }
  let cursor = ctx.base + ((el[META] as { startIndex?: number } | undefined)?.startIndex ?? 0);
  for (const c of childrenOf(el)) {
    const piece = textPieces(c);
    if (piece !== undefined) {
      // White space between elements: no lines to read (the usual case, so not split).
      if (isXmlBlank(piece.raw)) continue;
      // Text directly in a container: `key=value` lines (section 4), or free text.
      for (const line of piece.raw.split(/\r\n|\r|\n/)) {
        const t = trimXml(line);
        if (t === '') continue;
        // The line's offset: found by searching forward. A miss would scan to
        // the end, so after one miss lines get their element's offset instead.
        // Search for the line's first 64 characters only: indexOf with a long,
        // repetitive needle ("aaa...") is quadratic on repetitive text.
        const found = ctx.lineSearch ? ctx.text.indexOf(t.length > 64 ? t.slice(0, 64) : t, cursor) : -1;
        if (found < 0) ctx.lineSearch = false;
        const lineAt = found >= 0 ? ctx.map(found) : at;
        if (found >= 0) cursor = found + t.length;
        const kv = keyValue(t);
        if (kv) {
          const lpath = `${path}/#line/${kv[1].trim()}`;
          const value = decodeValue(kv[2], piece.cdata, lineAt, ctx);
          const key = fields.table.get(normalizeName(kv[1]));
          if (key !== undefined) fields.put(key, value, lineAt, lpath);
          else pushUnknown(unknown, { path: lpath, where: 'line', value, offset: lineAt }, ctx);
        } else {
          const value = decodeValue(t, piece.cdata, lineAt, ctx);
          pushUnknown(unknown, { path: `${path}/#text`, where: 'text', value, offset: lineAt }, ctx);
        }
      }
      continue;
    }
    const name = elementName(c);
    if (name === undefined) continue;
    const cpath = `${path}/${localName(name)}`;
    const cat = offsetOf(c, ctx, at);
    const norm = normalizeName(name);
    if (onChild?.(norm, c, cpath, cat)) continue;
    const key = fields.table.get(norm);
    if (key !== undefined) {
      fields.put(key, leafValue(c, cat, ctx), cat, cpath);
      listUnknownInside(c, cpath, unknown, ctx, cat);
    } else listUnknownElement(c, cpath, unknown, ctx, cat);
  }
}

function readFile(el: XNode, path: string, at: number, ctx: Ctx): UpxFile {
  const fields = new FieldSet<FileScalar>(FILE_FIELDS, ctx);
  const unknown: UpxUnknownField[] = [];
  readContainer(el, path, at, fields, unknown, ctx);
  const f: UpxFile = { unknown, offset: at };
  for (const [k, v] of fields.values) f[k] = v;
  return f;
}

/** `<Files>`: File elements; anything else in it is unknown. */
function readFiles(el: XNode, path: string, at: number, files: UpxFile[], unknown: UpxUnknownField[], ctx: Ctx): void {
  const none = new FieldSet<never>(new Map<string, never>(), ctx);
  readContainer(el, path, at, none, unknown, ctx, (norm, child, cpath, cat) => {
    if (norm !== FILE_NAME) return false;
    files.push(readFile(child, cpath, cat, ctx));
    return true;
  });
}

/** Claims Files and File under the root (a File straight under the root is accepted too). */
function fileClaimer(files: UpxFile[], unknown: UpxUnknownField[], ctx: Ctx) {
  return (norm: string, child: XNode, cpath: string, cat: number): boolean => {
    if (norm === FILES_NAME) readFiles(child, cpath, cat, files, unknown, ctx);
    else if (norm === FILE_NAME) files.push(readFile(child, cpath, cat, ctx));
    else return false;
    return true;
  };
}

type Body<T> = Omit<T, 'root' | 'encoding' | 'bom' | 'notes'>;

function buildRequest(root: XNode, rootName: string, at: number, ctx: Ctx): Body<UpxRequest> {
  const fields = new FieldSet<RequestScalar>(REQUEST_FIELDS, ctx);
  const files: UpxFile[] = [];
  const unknown: UpxUnknownField[] = [];
  readContainer(root, rootName, at, fields, unknown, ctx, fileClaimer(files, unknown, ctx));
  const r: Body<UpxRequest> = { kind: 'request', files, unknown };
  for (const [k, v] of fields.values) {
    if (k === 'macAddress') {
      const normalized = normalizeMac(v);
      r.macAddress = { raw: v, normalized };
      if (normalized === undefined) {
        ctx.notes.add(decodeError('upx', 'upx.bad-mac', at, { detail: `MacAddress '${v.slice(0, 64)}' is not 12 hex digits` }));
      }
    } else r[k] = v;
  }
  return r;
}

function buildResponse(root: XNode, rootName: string, at: number, ctx: Ctx): Body<UpxResponse> {
  const fields = new FieldSet<ResponseScalar>(RESPONSE_FIELDS, ctx);
  const files: UpxFile[] = [];
  const unknown: UpxUnknownField[] = [];
  readContainer(root, rootName, at, fields, unknown, ctx, fileClaimer(files, unknown, ctx));
  const r: Body<UpxResponse> = { kind: 'response', files, unknown };
  for (const [k, v] of fields.values) {
    if (k === 'downloads') {
      r.downloadsRaw = v;
      // A count: decimal digits only, and small enough to be exact.
      if (/^[0-9]{1,15}$/.test(v)) r.downloads = Number(v);
      else {
        ctx.notes.add(
          decodeError('upx', 'upx.bad-number', at, { detail: `Downloads '${v.slice(0, 64)}' is not a decimal count` }),
        );
      }
    } else r[k] = v;
  }
  return r;
}

// ---------------------------------------------------------------------------
// Positions.

/**
 * fast-xml-parser's validator reports 1-based line and column, where lines
 * end at LF (a CR before it belongs to the break) and the column counts
 * UTF-16 code units. Back to an index into the same string.
 */
export function indexOfLineCol(s: string, line: number, col: number | undefined): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = s.indexOf('\n', at);
    if (nl < 0) return s.length;
    at = nl + 1;
  }
  return Math.min(s.length, at + Math.max(0, (col ?? 1) - 1));
}

/** Index of the first character after the root that is not white space, a comment or a PI; -1 if none. */
function trailingJunk(text: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
    if (i >= text.length) return -1;
    let end = -1;
    if (text.startsWith('<!--', i)) end = text.indexOf('-->', i + 4) + 3;
    else if (text.startsWith('<?', i)) end = text.indexOf('?>', i + 2) + 2;
    if (end < 3) return i;
    i = end;
  }
}

/** The first one or two bytes of a UTF-8 or UTF-16 byte-order mark, and nothing else. */
function isPartialBom(b: Uint8Array): boolean {
  if (b.length === 1) return b[0] === 0xef || b[0] === 0xff || b[0] === 0xfe;
  return b.length === 2 && b[0] === 0xef && b[1] === 0xbb;
}
