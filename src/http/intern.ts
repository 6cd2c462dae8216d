import type { HttpHeader } from './message.js';
import { TwoKeyMemo } from '../util/two-key-memo.js';

// One string for each header name and value, method, target, version and
// reason seen again and again (every check-in carries the same twenty), so a
// report that keeps thousands of messages keeps each text once. It also frees
// the message heads: a slice of a longer string keeps the whole of it alive,
// the copy kept here does not.

/** Strings remembered; the table starts over when full (values like Date keep changing). */
const MAX_ENTRIES = 4096;
/** Longer strings are rarely repeated: they are left alone. */
const MAX_LENGTH = 128;
/** V8 copies slices shorter than this instead of pointing into the longer string. */
const SLICE_MIN = 13;

const table = new Map<string, string>();
/** Header fields by name, then value: one frozen object per field seen again and again. */
const fields = new TwoKeyMemo<string, string, HttpHeader>(MAX_ENTRIES);
/** Whole header lists by their text: one frozen array per list seen again and again. */
const lists = new Map<string, HttpHeader[]>();
/** Lists remembered; fewer than strings, as each key holds a whole header block (as head-memo.ts's heads). */
const MAX_LISTS = 256;
const shared = new WeakSet<HttpHeader>();

/** The one copy of `s` (equal to it), a string that holds nothing else alive. */
export function intern(s: string): string {
  if (s.length > MAX_LENGTH) return s;
  const known = table.get(s);
  if (known !== undefined) return known;
  if (table.size >= MAX_ENTRIES) table.clear();
  // The concatenation is flattened into a new string before it is sliced: the slice keeps only that.
  const own = s.length < SLICE_MIN ? s : (' ' + s).slice(1);
  table.set(own, own);
  return own;
}

/**
 * The one frozen copy of a header field whose name and value are interned
 * already: a kept message holds an array of shared fields, not a pair of
 * strings in an object of its own per line (the same bound as the strings).
 */
export function internField(name: string, value: string): HttpHeader {
  if (value.length > MAX_LENGTH) return { name, value };
  const known = fields.get(name, value);
  if (known !== undefined) return known;
  const field = Object.freeze({ name, value });
  shared.add(field);
  return fields.remember(name, value, field);
}

/**
 * The one frozen copy of a list of fields from internField: a phone sends the
 * same check-in head each time and a server answers many phones alike within
 * a second (the Date field), so most kept messages can share their whole
 * header array, not just its fields. A list with a field not shared (a long
 * value) is returned as it is.
 */
export function internFieldList(list: HttpHeader[]): HttpHeader[] {
  const parts = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) {
    const f = list[i];
    if (!shared.has(f)) return list;
    parts[i] = f.name + '\u0000' + f.value;
  }
  // join() makes one flat string; += would keep a chain of pieces as the key.
  const key = parts.join('\u0001');
  const known = lists.get(key);
  if (known !== undefined && sameFields(known, list)) return known;
  if (lists.size >= MAX_LISTS) lists.clear();
  lists.set(key, Object.freeze(list) as HttpHeader[]);
  return list;
}

function sameFields(a: readonly HttpHeader[], b: readonly HttpHeader[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
