// Text values of a ucdevice.upx body. The XML parser runs with entity
// processing off (no DTD entity can expand), so the five predefined entities
// and character references (XML 1.0 section 4.1, 4.6) are decoded here, and
// nothing else: an unknown `&name;` stays as written and is reported. The
// encoder side escapes what the decoder would otherwise change.

const REF = /&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][\w.-]*);/g;

const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** A decoded value, and the unknown entity names it kept as written. */
export interface XmlValue {
  value: string;
  unknownEntities: string[];
}

/** Decode the predefined entities and character references of `raw`. */
export function decodeXmlText(raw: string): XmlValue {
  const unknownEntities: string[] = [];
  if (!raw.includes('&')) return { value: raw, unknownEntities };
  const value = raw.replace(REF, (whole, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      // Not a Unicode scalar value (or NUL): keep the reference as data.
      if (!(cp > 0 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) return whole;
      return String.fromCodePoint(cp);
    }
    const p = PREDEFINED.get(ref);
    if (p !== undefined) return p;
    if (unknownEntities.length < 8) unknownEntities.push(ref);
    return whole;
  });
  return { value, unknownEntities };
}

/** Trim XML white space only (not other Unicode space, not control characters). */
export function trimXml(s: string): string {
  let a = 0;
  while (a < s.length && isXmlSpace(s.charCodeAt(a))) a++;
  let b = s.length;
  while (b > a && isXmlSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Whether `s` is nothing but XML white space (or empty). */
export function isXmlBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isXmlSpace(s.charCodeAt(i))) return false;
  return true;
}

function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/**
 * Trim XML white space at the end. By hand, not /[ \t\r\n]+$/: that regex is
 * quadratic on a long run of spaces followed by something else.
 */
export function trimXmlEnd(s: string): string {
  let b = s.length;
  while (b > 0 && isXmlSpace(s.charCodeAt(b - 1))) b--;
  return s.slice(0, b);
}

/**
 * Escape a value for element content so that trimming and decoding give it
 * back unchanged: markup characters, CR (parsers turn it into LF), and white
 * space at either end (the decoder trims) become references.
 */
export function escapeXmlText(s: string): string {
  let out = s.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;',
  );
  const ref = (c: string) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
  out = out.replace(/^[ \t\n]+/, (m) => [...m].map(ref).join(''));
  out = out.replace(/[ \t\n]+$/, (m) => [...m].map(ref).join(''));
  return out;
}
