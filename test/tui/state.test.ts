import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/tui/keys.js';
import { current, initialState, reduce, type NavEnv, type Screen, type UiState } from '../../src/tui/state.js';

// Three phones; phone B has 2 timeline rows (the second opens exchange 1.1) and 1 finding (index 4); details have 30 lines.
const PHONES = ['A', 'B', 'C'];
const env: NavEnv = {
  page: 10,
  count(s: Screen, filter: string) {
    if (s.kind === 'phones') return PHONES.filter((p) => p.toLowerCase().includes(filter.toLowerCase())).length;
    if (s.kind === 'phone') return 3;
    return 30;
  },
  open(s: Screen, pos: number, filter: string) {
    if (s.kind === 'phones') {
      const k = PHONES.filter((p) => p.toLowerCase().includes(filter.toLowerCase()))[pos];
      return k ? { kind: 'phone', key: k } : undefined;
    }
    if (s.kind === 'phone') return pos === 0 ? undefined : pos === 1 ? { kind: 'exchange', id: '1.1' } : { kind: 'finding', index: 4 };
    return undefined;
  },
};

function run(actions: Action['type'][], s: UiState = initialState()): UiState {
  return actions.reduce((st, type) => reduce(st, { type } as Action, env), s);
}
const typed = (s: UiState, text: string) => reduce(s, { type: 'type', text }, env);

describe('navigation reducer', () => {
  it('moves within bounds and opens phone, then exchange, then goes back', () => {
    expect(current(run(['up'])).pos).toBe(0);
    expect(current(run(['down', 'down', 'down', 'down'])).pos).toBe(2);
    const s = run(['down', 'open', 'down', 'open']);
    expect(current(s).screen).toEqual({ kind: 'exchange', id: '1.1' });
    expect(s.stack.map((f) => f.screen.kind)).toEqual(['phones', 'phone', 'exchange']);
    const back = run(['back'], s);
    expect(current(back)).toEqual({ screen: { kind: 'phone', key: 'B' }, pos: 1 });
    expect(current(run(['back', 'back', 'back'], s)).screen.kind).toBe('phones');
  });

  it('opens a finding from the phone screen, and a row with nothing behind it stays put', () => {
    expect(current(run(['down', 'open', 'end', 'open'])).screen).toEqual({ kind: 'finding', index: 4 });
    expect(current(run(['down', 'open', 'open'])).screen).toEqual({ kind: 'phone', key: 'B' });
  });

  it('scrolls a detail screen by line and page, stopping when the last line is at the bottom', () => {
    const s = run(['down', 'open', 'down', 'open']);
    expect(current(run(['pageDown'], s)).pos).toBe(10);
    expect(current(run(['end'], s)).pos).toBe(20);
    expect(current(run(['end', 'pageDown', 'down'], s)).pos).toBe(20);
    expect(current(run(['end', 'home'], s)).pos).toBe(0);
    expect(run(['open'], s)).toEqual(s);
  });

  it('filters from any screen: back to the phones list, live as typed, Esc restores, Enter keeps', () => {
    const deep = run(['down', 'open', 'down', 'open', 'filter']);
    expect(deep.mode).toBe('filter');
    expect(deep.stack).toEqual([{ screen: { kind: 'phones' }, pos: 0 }]);
    const c = typed(deep, 'c');
    expect(c.filter).toBe('c');
    expect(current(run(['open'], run(['accept'], c))).screen).toEqual({ kind: 'phone', key: 'C' });
    const cancelled = run(['cancel'], c);
    expect(cancelled.filter).toBe('');
    expect(cancelled.mode).toBe('browse');
    expect(run(['erase'], c).filter).toBe('');
  });

  it('Esc on the phones list clears a kept filter; help opens and closes; q quits', () => {
    const kept = run(['accept'], typed(run(['filter']), 'a'));
    expect(kept.filter).toBe('a');
    expect(run(['back'], kept).filter).toBe('');
    expect(run(['help']).mode).toBe('help');
    expect(run(['help', 'back']).mode).toBe('browse');
    expect(run(['quit']).quit).toBe(true);
  });
});
