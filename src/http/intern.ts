import type { HttpHeader } from './message.js';

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
const fields = new Map<string, Map<string, HttpHeader>>();
let fieldCount = 0;

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
  let byValue = fields.get(name);
  const known = byValue?.get(value);
  if (known !== undefined) return known;
  if (fieldCount >= MAX_ENTRIES) {
    fields.clear();
    fieldCount = 0;
    byValue = undefined;
  }
  if (!byValue) fields.set(name, (byValue = new Map()));
  const field = Object.freeze({ name, value });
  byValue.set(value, field);
  fieldCount++;
  return field;
}
