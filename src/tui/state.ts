// The UI's navigation as a pure reducer: a stack of screens (phones → phone →
// exchange or finding), the selection or scroll offset of each, the filter and
// the input mode. The App supplies what the reducer cannot know (how many rows
// a screen has, what a row opens, the page height) through NavEnv, so every
// key path is testable without rendering.
import type { Action, Mode } from './keys.js';

export type Screen =
  | { kind: 'phones' }
  | { kind: 'phone'; key: string }
  | { kind: 'exchange'; id: string }
  | { kind: 'finding'; index: number };

export interface Frame {
  screen: Screen;
  /** Selected row (lists) or first visible line (detail screens). */
  pos: number;
}

export interface UiState {
  /** Never empty; the first frame is the phones list. */
  stack: Frame[];
  mode: Mode;
  filter: string;
  /** The filter before `/` was pressed, restored by Esc. */
  filterBefore: string;
  quit: boolean;
}

/** What the reducer asks of the data behind the screens. */
export interface NavEnv {
  /** Rows (lists) or lines (details) of a screen, under the given filter. */
  count(screen: Screen, filter: string): number;
  /** The screen that row `pos` opens, if any. */
  open(screen: Screen, pos: number, filter: string): Screen | undefined;
  /** Rows that fit on one page. */
  page: number;
}

export function initialState(): UiState {
  return { stack: [{ screen: { kind: 'phones' }, pos: 0 }], mode: 'browse', filter: '', filterBefore: '', quit: false };
}

export function current(s: UiState): Frame {
  return s.stack[s.stack.length - 1];
}

/** Detail screens scroll (pos is the top line); lists select (pos is the row). */
export function isDetail(screen: Screen): boolean {
  return screen.kind === 'exchange' || screen.kind === 'finding';
}

function clampPos(pos: number, screen: Screen, filter: string, env: NavEnv): number {
  const n = env.count(screen, filter);
  // A detail screen stops when its last line reaches the bottom of the page.
  const max = isDetail(screen) ? Math.max(0, n - env.page) : Math.max(0, n - 1);
  return Math.min(Math.max(0, pos), max);
}

function withPos(s: UiState, pos: number, env: NavEnv): UiState {
  const top = current(s);
  const stack = s.stack.slice(0, -1).concat({ ...top, pos: clampPos(pos, top.screen, s.filter, env) });
  return { ...s, stack };
}

function setFilter(s: UiState, filter: string): UiState {
  // The phones list is re-filtered: select its first row.
  return { ...s, filter, stack: [{ screen: { kind: 'phones' }, pos: 0 }] };
}

/** The state after one action. */
export function reduce(s: UiState, a: Action, env: NavEnv): UiState {
  const top = current(s);
  const page = Math.max(1, env.page);
  switch (a.type) {
    case 'quit':
      return { ...s, quit: true };
    case 'help':
      return { ...s, mode: 'help' };
    case 'up':
      return withPos(s, top.pos - 1, env);
    case 'down':
      return withPos(s, top.pos + 1, env);
    case 'pageUp':
      return withPos(s, top.pos - page, env);
    case 'pageDown':
      return withPos(s, top.pos + page, env);
    case 'home':
      return withPos(s, 0, env);
    case 'end':
      return withPos(s, Number.MAX_SAFE_INTEGER, env);
    case 'open': {
      if (isDetail(top.screen)) return s;
      const next = env.open(top.screen, top.pos, s.filter);
      return next ? { ...s, stack: [...s.stack, { screen: next, pos: 0 }] } : s;
    }
    case 'back':
      if (s.mode === 'help') return { ...s, mode: 'browse' };
      if (s.stack.length > 1) return { ...s, stack: s.stack.slice(0, -1) };
      return s.filter ? setFilter(s, '') : s;
    case 'filter':
      return { ...setFilter(s, s.filter), mode: 'filter', filterBefore: s.filter, stack: [{ screen: { kind: 'phones' }, pos: 0 }] };
    case 'type':
      return setFilter({ ...s }, (s.filter + a.text).slice(0, 64));
    case 'erase':
      return setFilter(s, [...s.filter].slice(0, -1).join(''));
    case 'accept':
      return { ...s, mode: 'browse' };
    case 'cancel':
      return { ...setFilter(s, s.filterBefore), mode: 'browse' };
    case 'none':
      return s;
  }
}
