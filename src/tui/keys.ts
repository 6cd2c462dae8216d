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
