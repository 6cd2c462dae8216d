// Message heads seen before, by their exact text. A phone sends the same
// check-in head every time, and a server answers many phones with the same
// head within a second (only Date moves): splitting such a head into lines and
// fields again, and interning each name and value, gives the same shared
// frozen list as the first time (intern.ts), so the list is remembered with
// the text. Only heads that parsed cleanly are kept (no notes, whose offsets
// and frames belong to one message), and the table starts over when full.
import type { HttpHeader } from './message.js';

/** What headDone() takes from a head's text: its start line and its fields. */
export interface ParsedHead {
  readonly start: string;
  /** Frozen, shared (intern.ts): never edited by whoever reads it. */
  readonly headers: HttpHeader[];
}

/**
 * Heads remembered; responses differ by their Date, so most entries are recent
 * ones: a mass update's server answers with a few new heads a second (each
 * download's Content-Length is its own), so 256 hold most of a minute. More
 * held heads that are never seen again (a 4 GB capture filled 1024: 1 MiB).
 */
const MAX_HEADS = 256;
/** Longer heads are rare, and each key is a whole head: they are parsed every time. */
const MAX_HEAD_TEXT = 4096;

const heads = new Map<string, ParsedHead>();

/** The parse of a head with this text, when one was remembered. */
export function knownHead(text: string): ParsedHead | undefined {
  return text.length > MAX_HEAD_TEXT ? undefined : heads.get(text);
}

/** Remember a clean parse of `text` (its headers frozen and shared). */
export function rememberHead(text: string, parsed: ParsedHead): void {
  if (text.length > MAX_HEAD_TEXT || !Object.isFrozen(parsed.headers)) return;
  if (heads.size >= MAX_HEADS) heads.clear();
  heads.set(text, parsed);
}
