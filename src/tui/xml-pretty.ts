// Indent an XML (or HTML error page) body for reading. The body came from the
// network, so this is a tolerant tokenizer, not a parser: unbalanced tags, stray
// '<' and text outside elements are shown as they are, never rejected, and the
// output is capped so a megabyte body cannot flood the screen. The caller
// neutralises control characters (sanitize.ts); this module only moves text.

/** Lines of output at most; the last line then says how many were left out. @default 2000 */
export const MAX_PRETTY_LINES = 2000;

const INDENT = '  ';

/** Tokens: a markup construct (`<...>`, comments and CDATA whole) or a run of text. */
const TOKEN = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<[^>]*>?|[^<]+/g;

type Tok = { kind: 'open' | 'close' | 'empty' | 'other' | 'text'; text: string };

function classify(t: string): Tok {
  if (!t.startsWith('<')) return { kind: 'text', text: t.trim() };
  if (t.startsWith('</')) return { kind: 'close', text: t };
  if (t.startsWith('<?') || t.startsWith('<!')) return { kind: 'other', text: t };
  if (t.endsWith('/>') || !t.endsWith('>')) return { kind: 'empty', text: t };
  return { kind: 'open', text: t };
}

/**
 * The body as indented lines: one element per line, an element holding only
 * text kept on one line (`<Version>1.0</Version>`). At most `maxLines` lines.
 */
export function prettyXml(text: string, maxLines = MAX_PRETTY_LINES): string[] {
  const toks: Tok[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const t = classify(m[0]);
    if (t.kind === 'text' && t.text === '') continue;
    toks.push(t);
  }
  const out: string[] = [];
  let depth = 0;
  let total = 0;
  const emit = (line: string): void => {
    total++;
    if (out.length < maxLines) out.push(INDENT.repeat(Math.min(depth, 40)) + line);
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.kind === 'open') {
      const next = toks[i + 1];
      const after = toks[i + 2];
      if (next?.kind === 'text' && after?.kind === 'close') {
        emit(t.text + next.text + after.text);
        i += 2;
        continue;
      }
      if (next?.kind === 'close') {
        emit(t.text + next.text);
        i += 1;
        continue;
      }
      emit(t.text);
      depth++;
    } else if (t.kind === 'close') {
      depth = Math.max(0, depth - 1);
      emit(t.text);
    } else {
      // Text between elements may span lines: keep its own line breaks.
      for (const line of t.text.split(/\r?\n/)) if (line.trim() !== '') emit(line.trim());
    }
  }
  if (total > out.length) {
    out.length = Math.max(0, maxLines - 1);
    out.push(`… ${total - out.length} more lines`);
  }
  return out;
}
