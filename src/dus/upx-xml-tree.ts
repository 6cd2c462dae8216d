// The XML tree a ucdevice.upx body is read into, and the two ways to get it.
// fast-xml-parser (its validator, then its parser) reads any XML. Nearly every
// real body is plain XML: an optional declaration, then elements without
// attributes holding text without references, comments, CDATA or carriage
// returns. plainTree() reads that subset in one pass and builds exactly the
// tree fast-xml-parser builds for it with the options below; for anything
// else it answers undefined and the caller takes the general road. The two
// are compared in test/dus/upx-xml-tree.test.ts.

import { createRequire } from 'node:module';
// The package's CommonJS build: one file, loaded in about a fifth of the time its
// ESM build's module graph takes (the same version and code; every command pays
// the load at start-up).
const { XMLParser, XMLValidator } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');

export { XMLValidator };

/** Default nesting cap of the decoder: real bodies nest 4 deep (Response/Files/File/Url). */
export const UPX_MAX_DEPTH = 32;
/** fast-xml-parser's own cap, beyond any the pre-scan lets through. */
const MAX_NESTED_TAGS = UPX_MAX_DEPTH * 4;

// Every element and attribute name gets this prefix from the parser, so no
// name from the wire can be a JavaScript property with a meaning
// (`__proto__`, `constructor`), which fast-xml-parser would otherwise refuse
// by throwing. NUL can never occur in an XML name.
export const MARK = '\u0000';
export const CDATA = '#cdata';
export const TEXT = '#text';
export const ATTRS = ':@';

/** A node of the tree: an element (`MARK + name` → its children), a text or a CDATA node. */
export type XNode = Record<string | symbol, unknown>;

export const xmlParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: CDATA,
  ignoreDeclaration: true,
  ignorePiTags: true,
  captureMetaData: true,
  maxNestedTags: MAX_NESTED_TAGS,
  transformTagName: (n) => MARK + n,
  transformAttributeName: (n) => MARK + n,
});

/** Where an element starts (and ends) in the parsed text, under this symbol on its node. */
export const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

// `<?xml version="1.0" encoding="utf-8"?>`: quoted values without markup characters.
const DECLARATION = /<\?xml(?:[ \t\n]+[A-Za-z_][A-Za-z0-9_.-]*[ \t\n]*=[ \t\n]*(?:"[^"<>&?]*"|'[^'<>&?]*'))*[ \t\n]*\?>/y;

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f; // a-z A-Z _
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e; // 0-9 - .
}

function isBlank(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a) return false;
  }
  return true;
}

/** The end of the ASCII name starting at `i` (i itself when there is none). */
function nameEnd(s: string, i: number): number {
  if (i >= s.length || !isNameStart(s.charCodeAt(i))) return i;
  let j = i + 1;
  while (j < s.length && isNameChar(s.charCodeAt(j))) j++;
  return j;
}

// The marked names of the elements met so far (a body has a dozen distinct
// names): the same key string each time lets V8 share the nodes' shapes.
const markedNames = new Map<string, string>();
const MAX_MARKED_NAMES = 256;

function marked(name: string): string {
  let key = markedNames.get(name);
  if (key === undefined) {
    key = MARK + name;
    if (markedNames.size < MAX_MARKED_NAMES) markedNames.set(name, key);
  }
  return key;
}

interface Open {
  name: string;
  children: XNode[];
  meta: { startIndex: number; endIndex?: number };
}

/**
 * The tree of `xml` from index `from` (its first '<'; the tree's positions
 * count from there), when what follows is plain XML as above, well-formed,
 * nested at most `maxDepth` deep and followed by nothing but white space;
 * undefined otherwise. Linear in the text.
 */
export function plainTree(xml: string, from = 0, maxDepth = MAX_NESTED_TAGS): XNode[] | undefined {
  // References, and carriage returns (the parser turns CR LF into LF first): the general road.
  if (xml.indexOf('&', from) >= 0 || xml.indexOf('\r', from) >= 0) return undefined;
  let i = from;
  if (xml.startsWith('<?', from)) {
    DECLARATION.lastIndex = from;
    if (!DECLARATION.test(xml)) return undefined;
    i = DECLARATION.lastIndex;
  }
  const depthCap = Math.min(maxDepth, MAX_NESTED_TAGS);
  const top: XNode[] = [];
  const stack: Open[] = [];
  for (;;) {
    const lt = xml.indexOf('<', i);
    if (stack.length === 0) {
      // Outside the root: white space only, then the root, then nothing but white space.
      if (!isBlank(xml, i, lt < 0 ? xml.length : lt)) return undefined;
      if (top.length > 0) return lt < 0 ? top : undefined;
      if (lt < 0) return undefined;
    } else {
      if (lt < 0) return undefined;
      if (lt > i) {
        const text = xml.slice(i, lt);
        if (text.includes('>')) return undefined;
        // A literal key (TEXT's value), so V8 makes these from one template.
        stack[stack.length - 1].children.push({ '#text': text });
      }
    }
    if (xml.charCodeAt(lt + 1) === 0x2f) {
      // `</Name>`, naming the element it closes.
      const end = nameEnd(xml, lt + 2);
      const open = stack.pop();
      if (open === undefined || xml.charCodeAt(end) !== 0x3e || xml.slice(lt + 2, end) !== open.name) return undefined;
      open.meta.endIndex = end + 1 - from;
      i = end + 1;
      continue;
    }
    // `<Name>`: no attributes, no white space, not self-closing.
    const end = nameEnd(xml, lt + 1);
    if (end === lt + 1 || xml.charCodeAt(end) !== 0x3e || stack.length >= depthCap) return undefined;
    const name = xml.slice(lt + 1, end);
    const open: Open = { name, children: [], meta: { startIndex: lt - from } };
    // Two stores, not an object literal with a computed key (a call into the runtime each time).
    const node: XNode = {};
    node[marked(name)] = open.children;
    node[META] = open.meta;
    (stack.length === 0 ? top : stack[stack.length - 1].children).push(node);
    stack.push(open);
    i = end + 1;
  }
}
