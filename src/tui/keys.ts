// Key presses to UI actions, with no React: ink's useInput hands (input, key)
// to keyAction and the reducer (state.ts) does the rest. Kept pure so every
// binding is tested without a terminal (as ink tests its parse-keypress).
//
// Bindings: arrows and j/k move, PgUp/PgDn (or space, b) page, g/G or Home/End
// jump, Enter (or l, →) opens, Esc/Backspace (or h, ←) goes back, / filters,
// ? shows help, q quits. Terminals send Backspace as DEL (0x7f), which ink
// reports as `delete`, so both mean back.

/** Which pane receives keys. */
export type Mode = 'browse' | 'filter' | 'help';

export type Action =
  | { type: 'up' }
  | { type: 'down' }
  | { type: 'pageUp' }
  | { type: 'pageDown' }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'open' }
  | { type: 'back' }
  | { type: 'filter' }
  | { type: 'help' }
  | { type: 'quit' }
  /** Filter mode: text typed (or pasted), control characters already removed. */
  | { type: 'type'; text: string }
  | { type: 'erase' }
  | { type: 'accept' }
  | { type: 'cancel' }
  | { type: 'none' };

/** The part of ink's Key that the bindings read (all optional, so tests stay short). */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

/** Longest filter text kept. @default 64 */
export const MAX_FILTER = 64;

/** Typed or pasted text reduced to what a filter may hold: no controls, escapes or bidi marks. */
export function filterText(input: string): string {
  // A paste can carry an escape sequence; drop the ESC and its CSI/OSC body too.
  const noSeq = input.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b./g, '');
  return noSeq.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]/g, '').slice(0, MAX_FILTER);
}

function browseAction(input: string, key: KeyInfo): Action {
  if (key.upArrow || input === 'k') return { type: 'up' };
  if (key.downArrow || input === 'j') return { type: 'down' };
  if (key.pageUp || input === 'b' || (key.ctrl && input === 'u')) return { type: 'pageUp' };
  if (key.pageDown || input === ' ' || (key.ctrl && input === 'd')) return { type: 'pageDown' };
  if (key.home || input === 'g') return { type: 'home' };
  if (key.end || input === 'G') return { type: 'end' };
  if (key.return || key.rightArrow || input === 'l') return { type: 'open' };
  if (key.escape || key.backspace || key.delete || key.leftArrow || input === 'h') return { type: 'back' };
  if (input === '/') return { type: 'filter' };
  if (input === '?') return { type: 'help' };
  if (input === 'q') return { type: 'quit' };
  return { type: 'none' };
}

function filterAction(input: string, key: KeyInfo): Action {
  if (key.return) return { type: 'accept' };
  if (key.escape) return { type: 'cancel' };
  if (key.backspace || key.delete) return { type: 'erase' };
  if (key.upArrow) return { type: 'up' };
  if (key.downArrow) return { type: 'down' };
  if (key.ctrl || key.meta || key.tab) return { type: 'none' };
  const text = filterText(input);
  return text ? { type: 'type', text } : { type: 'none' };
}

/** The action for one key press in `mode`. Ctrl+C always quits. */
export function keyAction(mode: Mode, input: string, key: KeyInfo): Action {
  if (key.ctrl && input === 'c') return { type: 'quit' };
  if (mode === 'help') return input === 'q' && !key.ctrl ? { type: 'quit' } : { type: 'back' };
  if (mode === 'filter') return filterAction(input, key);
  return browseAction(input, key);
}

/** The help screen's lines (what `?` shows). */
export const HELP_LINES: readonly string[] = [
  '↑ ↓  j k        move',
  'PgUp PgDn  b ␣  page',
  'g G  Home End   first, last',
  'Enter  → l      open (phone, exchange, finding)',
  'Esc  Bksp ← h   back (on the phones list: clear the filter)',
  '/               filter phones: MAC (any notation), IP, model,',
  '                serial, status, finding code; Enter keeps, Esc drops',
  '?               this help (any key closes it)',
  'q  Ctrl+C       quit',
];

/** The live dashboard's help: the same keys, but `q` stops the capture. */
export const LIVE_HELP_LINES: readonly string[] = [
  ...HELP_LINES.slice(0, -1),
  'q  Ctrl+C       stop the capture, then print the summary',
  '                (a second Ctrl+C kills the capture tool)',
];

/**
 * One read from the terminal can hold several keys (a fast typist, a paste, or
 * tmux delivering Enter twice): ink then reports them as one `input`. Split such
 * a chunk into single keys so each is bound as if typed alone. Escape sequences
 * are split by ink already and arrive with their flags set; they pass through.
 */
export function splitKeys(input: string, key: KeyInfo): Array<{ input: string; key: KeyInfo }> {
  const special = key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end || key.escape;
  const chars = [...input];
  if (special || chars.length <= 1 || chars.length > 4096) return [{ input, key }];
  const out: Array<{ input: string; key: KeyInfo }> = [];
  for (const c of chars) {
    if (c === '\r' || c === '\n') out.push({ input: '', key: { return: true } });
    else if (c === '\u007f') out.push({ input: '', key: { delete: true } });
    else if (c === '\b') out.push({ input: '', key: { backspace: true } });
    else if (c === '\t') out.push({ input: '', key: { tab: true } });
    else if (c === '\u0003') out.push({ input: 'c', key: { ctrl: true } });
    else if (c.charCodeAt(0) < 0x20 || c === '\u001b') continue;
    else out.push({ input: c, key: {} });
  }
  return out;
}
