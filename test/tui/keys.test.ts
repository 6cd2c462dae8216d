import { describe, expect, it } from 'vitest';
import { filterText, keyAction, MAX_FILTER, splitKeys } from '../../src/tui/keys.js';

describe('keyAction in browse mode', () => {
  it.each([
    ['k', {}, 'up'],
    ['', { upArrow: true }, 'up'],
    ['j', {}, 'down'],
    ['', { downArrow: true }, 'down'],
    ['', { pageUp: true }, 'pageUp'],
    ['', { pageDown: true }, 'pageDown'],
    [' ', {}, 'pageDown'],
    ['g', {}, 'home'],
    ['G', {}, 'end'],
    ['', { return: true }, 'open'],
    ['', { rightArrow: true }, 'open'],
    ['', { escape: true, meta: true }, 'back'],
    ['', { backspace: true }, 'back'],
    ['', { delete: true }, 'back'],
    ['', { leftArrow: true }, 'back'],
    ['/', {}, 'filter'],
    ['?', {}, 'help'],
    ['q', {}, 'quit'],
    ['c', { ctrl: true }, 'quit'],
    ['x', {}, 'none'],
  ])('%j %j -> %s', (input, key, type) => {
    expect(keyAction('browse', input, key).type).toBe(type);
  });
});

describe('keyAction in filter mode', () => {
  it('types letters, including the ones that are bindings elsewhere', () => {
    expect(keyAction('filter', 'q', {})).toEqual({ type: 'type', text: 'q' });
    expect(keyAction('filter', 'j', {})).toEqual({ type: 'type', text: 'j' });
    expect(keyAction('filter', '/', {})).toEqual({ type: 'type', text: '/' });
  });

  it('erases, accepts, cancels and still moves with the arrows', () => {
    expect(keyAction('filter', '', { backspace: true }).type).toBe('erase');
    expect(keyAction('filter', '', { delete: true }).type).toBe('erase');
    expect(keyAction('filter', '', { return: true }).type).toBe('accept');
    expect(keyAction('filter', '', { escape: true }).type).toBe('cancel');
    expect(keyAction('filter', '', { downArrow: true }).type).toBe('down');
    expect(keyAction('filter', 'c', { ctrl: true }).type).toBe('quit');
    expect(keyAction('filter', 'a', { ctrl: true }).type).toBe('none');
  });

  it('drops escape sequences and controls from pasted text', () => {
    expect(keyAction('filter', '00:21\u001b[31m:63\u001b]0;x\u0007\u202e', {})).toEqual({ type: 'type', text: '00:21:63' });
    expect(keyAction('filter', '\u001b[2J', {}).type).toBe('none');
    expect(filterText('a'.repeat(200))).toHaveLength(MAX_FILTER);
  });
});

describe('keyAction in help mode', () => {
  it('closes on any key, quits on q', () => {
    expect(keyAction('help', 'x', {}).type).toBe('back');
    expect(keyAction('help', '', { escape: true }).type).toBe('back');
    expect(keyAction('help', '?', {}).type).toBe('back');
    expect(keyAction('help', 'q', {}).type).toBe('quit');
  });
});

describe('splitKeys', () => {
  it('splits a chunk of several keys into single keys', () => {
    expect(splitKeys('\r\r', {})).toEqual([
      { input: '', key: { return: true } },
      { input: '', key: { return: true } },
    ]);
    expect(splitKeys('jj\u007fq', {})).toEqual([
      { input: 'j', key: {} },
      { input: 'j', key: {} },
      { input: '', key: { delete: true } },
      { input: 'q', key: {} },
    ]);
  });

  it('leaves single keys and sequences ink already decoded alone', () => {
    expect(splitKeys('j', {})).toEqual([{ input: 'j', key: {} }]);
    expect(splitKeys('', { upArrow: true })).toEqual([{ input: '', key: { upArrow: true } }]);
    expect(splitKeys('[A', { escape: true })).toEqual([{ input: '[A', key: { escape: true } }]);
  });
});
