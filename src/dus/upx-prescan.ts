// A cheap, linear pass over a ucdevice.upx body before any XML parser sees it.
// It refuses what could cost memory or time out of proportion to the body
// (a DOCTYPE, whose entities are the "billion laughs" attack; nesting deeper
// than any real body needs), finds where the root element ends (anything
// after it is trailing data, not a reason to fail), and tells whether the
// text stops in the middle of the document (a truncated body). It does not
// judge well-formedness: the validator does that afterwards.

/** What the pre-scan found. Indexes are in the scanned text. */
export type PrescanResult =
  | {
      ok: true;
      /** Index just past the root element's end; undefined when it never ends. */
      rootEnd: number | undefined;
      /** The text ends inside markup or with elements still open. */
      incomplete: boolean;
      /** What was left open ('a comment', '<Files>'), for the error's detail. */
      openWhat?: string;
      /** Index where that open construct starts. */
      openAt?: number;
      /** Whether any element start was seen. */
      sawElement: boolean;
    }
  | { ok: false; code: 'upx.doctype-refused' | 'upx.too-deep'; index: number; detail: string };

// Declarations only a DTD carries; each is refused like a DOCTYPE.
const DTD_KEYWORDS = ['DOCTYPE', 'ENTITY', 'ELEMENT', 'ATTLIST', 'NOTATION'];

/** Scan `text` from `from`. Linear in the text; allocates only the open-element stack (at most maxDepth). */
export function prescan(text: string, from: number, maxDepth: number): PrescanResult {
  const open: Array<{ name: string; at: number }> = [];
  let sawElement = false;
  let i = from;
  const incomplete = (openWhat: string, openAt: number): PrescanResult => ({
    ok: true,
    rootEnd: undefined,
    incomplete: true,
    openWhat,
    openAt,
    sawElement,
  });
  for (;;) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) return incomplete('a comment', lt);
      i = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt + 9);
      if (end < 0) return incomplete('a CDATA section', lt);
      i = end + 3;
      continue;
    }
    if (text.startsWith('<?', lt)) {
      const end = text.indexOf('?>', lt + 2);
      if (end < 0) return incomplete('a processing instruction', lt);
      i = end + 2;
      continue;
    }
    if (text[lt + 1] === '!') {
      const word = text.slice(lt + 2, lt + 10).toUpperCase();
      const hit = DTD_KEYWORDS.find((k) => word.startsWith(k));
      if (hit) {
        return {
          ok: false,
          code: 'upx.doctype-refused',
          index: lt,
          detail: `a <!${hit} declaration is refused: entity expansion is never performed`,
        };
      }
      // The text may stop part-way through one of those keywords or '<![CDATA['.
      if (lt + 10 > text.length && (DTD_KEYWORDS.some((k) => k.startsWith(word)) || '[CDATA['.startsWith(word))) {
        return incomplete('a declaration', lt);
      }
    }
    // A tag: find its '>' outside quoted attribute values.
    let quote = '';
    let j = lt + 1;
    for (; j < text.length; j++) {
      const c = text[j];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') break;
    }
    if (j >= text.length) return incomplete('a tag', lt);
    i = j + 1;
    if (text[lt + 1] === '/') {
      open.pop();
      if (open.length === 0 && sawElement) return { ok: true, rootEnd: i, incomplete: false, sawElement };
      continue;
    }
    sawElement = true;
    if (text[j - 1] === '/') {
      if (open.length === 0) return { ok: true, rootEnd: i, incomplete: false, sawElement };
      continue;
    }
    if (open.length >= maxDepth) {
      return {
        ok: false,
        code: 'upx.too-deep',
        index: lt,
        detail: `elements nest deeper than ${maxDepth}`,
      };
    }
    open.push({ name: tagName(text, lt + 1, j), at: lt });
  }
  if (open.length > 0) {
    const last = open[open.length - 1];
    return incomplete(`<${last.name}>`, last.at);
  }
  if (!sawElement) return incomplete('the prolog (no root element yet)', from);
  return { ok: true, rootEnd: undefined, incomplete: false, sawElement };
}

function tagName(text: string, from: number, to: number): string {
  let k = from;
  while (k < to && !/[\s/>]/.test(text[k])) k++;
  return text.slice(from, Math.min(k, from + 64));
}
