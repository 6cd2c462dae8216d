// The last gate before ink writes a string: every capture-derived string a
// component renders passes through safeText. terminalSafe (report/) already
// turns C0, DEL, C1 and the bidi overrides into visible \xNN; the screen needs a
// little more, because ink measures and wraps text itself: a tab would be
// measured as one cell, and U+2028/U+2029 break lines in some terminals. Long
// strings are cut so one hostile header cannot make layout quadratic.
import { terminalSafe } from '../report/terminal-safe.js';

/** Characters kept of one string. @default 4096 */
export const MAX_TEXT = 4096;

// Line/paragraph separators, interlinear annotation controls, and the
// zero-width and byte-order marks that hide text or shift columns.
const EXTRA = /[\u2028\u2029\ufff9-\ufffb\u200b-\u200d\u2060\ufeff]/g;

/** One line of untrusted text made safe and predictable for the terminal. Idempotent. */
export function safeText(text: string, max = MAX_TEXT): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return terminalSafe(cut.replace(/\t/g, '    ')).replace(EXTRA, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** True when the string holds nothing that could move the cursor or change terminal state. */
export function isScreenSafe(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/.test(text);
}
