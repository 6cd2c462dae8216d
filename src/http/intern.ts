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
