// JSON.stringify(value, null, 2), handed out in pieces: the top-level object's
// members one by one, and each element of a member that is an array (or a
// LazyJsonArray, whose elements are made only then) on its own. analyze's document is tens of MB on a big capture; printed in pieces,
// it never exists as one string (nor as that string's encoded copy).
// The bytes are exactly JSON.stringify's: same indentation, same omission of
// undefined members, null for undefined array elements.

const INDENT = '  ';

/**
 * An array whose elements are made only as they are written: prettyJsonPieces
 * turns each into text and lets it go. JSON.stringify sees a plain array.
 */
export class LazyJsonArray<T> {
  constructor(private readonly items: () => Iterable<T>) {}

  [Symbol.iterator](): Iterator<T> {
    return this.items()[Symbol.iterator]();
  }

  toJSON(): T[] {
    return [...this];
  }
}

/**
 * JSON text made earlier (by prettyAt at `depth`), written as it is where it
 * sits at that depth; JSON.stringify sees the value it stands for.
 */
export class PrettyJson {
  constructor(
    readonly text: string,
    readonly depth: number,
  ) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** JSON.stringify(value, null, 2) of one member value, indented to sit at `depth`. */
export function prettyAt(value: unknown, depth: number): string | undefined {
  if (value instanceof PrettyJson && value.depth === depth) return value.text;
  if (!isMember(value)) return undefined;
  // Wrapped in `depth` arrays, JSON.stringify indents the value itself: no
  // second pass over the text to indent it, then only the wrappers are cut off.
  let wrapped: unknown = value;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  const s = JSON.stringify(wrapped, null, 2);
  const open = depth * 2 + INDENT.length * ((depth * (depth + 1)) / 2);
  const close = depth * 2 + INDENT.length * ((depth * (depth - 1)) / 2);
  const text = s.slice(open, s.length - close);
  // In an array, a toJSON that answers undefined is written null; on its own it is nothing.
  if (text === 'null' && value !== null && JSON.stringify(value) === undefined) return undefined;
  return text;
}

/**
 * Two objects' texts made by prettyAt at `depth`, as one object with the
 * members of both (those of `a` first): what prettyAt gives for `{...a, ...b}`
 * when no member is in both.
 */
export function joinObjects(a: string, b: string, depth: number): string {
  if (a === '{}') return b;
  if (b === '{}') return a;
  const close = `\n${INDENT.repeat(depth)}}`;
  return `${a.slice(0, a.length - close.length)},\n${b.slice(2)}`;
}

function isMember(value: unknown): boolean {
  // JSON.stringify leaves out members it cannot write.
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

/** Whether JSON.stringify writes member `key` at all (not when its toJSON answers undefined). */
function writesMember(key: string, value: unknown): boolean {
  if (!isMember(value)) return false;
  if (value instanceof LazyJsonArray) return true; // its toJSON would make every element
  const toJSON = (value as { toJSON?: unknown } | null)?.toJSON;
  return typeof toJSON !== 'function' || isMember(toJSON.call(value, key));
}

/** The pieces of JSON.stringify(doc, null, 2) for a plain object `doc`, in order. */
export function* prettyJsonPieces(doc: Record<string, unknown>): Generator<string> {
  if (typeof (doc as { toJSON?: unknown }).toJSON === 'function') {
    yield JSON.stringify(doc, null, 2);
    return;
  }
  const keys = Object.keys(doc).filter((k) => writesMember(k, doc[k]));
  if (keys.length === 0) {
    yield '{}';
    return;
  }
  yield '{\n';
  for (let i = 0; i < keys.length; i++) {
    const v = doc[keys[i]];
    yield `${INDENT}${JSON.stringify(keys[i])}: `;
    if (v instanceof LazyJsonArray) {
      yield* lazyArrayPieces(v);
    } else if (Array.isArray(v) && v.length > 0) {
      yield '[\n';
      for (let j = 0; j < v.length; j++) {
        const el = prettyAt(v[j], 2) ?? 'null';
        yield `${INDENT}${INDENT}${el}${j < v.length - 1 ? ',' : ''}\n`;
      }
      yield `${INDENT}]`;
    } else {
      yield prettyAt(v, 1)!;
    }
    yield i < keys.length - 1 ? ',\n' : '\n';
  }
  yield '}';
}

/** A member that is a LazyJsonArray: each element made, written and let go. */
function* lazyArrayPieces(v: LazyJsonArray<unknown>): Generator<string> {
  let previous: string | undefined;
  for (const item of v) {
    if (previous === undefined) yield '[\n';
    else yield `${INDENT}${INDENT}${previous},\n`;
    previous = prettyAt(item, 2) ?? 'null';
  }
  yield previous === undefined ? '[]' : `${INDENT}${INDENT}${previous}\n${INDENT}]`;
}

/** The pieces joined into runs of about `runBytes` characters, the last one ending in a newline. */
function* jsonRuns(doc: Record<string, unknown>, runBytes: number): Generator<string> {
  let run = '';
  for (const piece of prettyJsonPieces(doc)) {
    run += piece;
    if (run.length >= runBytes) {
      yield run;
      run = '';
    }
  }
  yield run + '\n';
}

/** Write the pieces through `write` in runs of about `runBytes` characters. */
export function writeJsonPieces(doc: Record<string, unknown>, write: (text: string) => void, runBytes = 1 << 16): void {
  for (const run of jsonRuns(doc, runBytes)) write(run);
}

/**
 * writeJsonPieces that waits on `room` after each run: into a pipe to a slow
 * reader, Node queues whatever is written, so without waiting the whole
 * document would pile up in memory.
 */
export async function writeJsonPiecesPaced(doc: Record<string, unknown>, write: (text: string) => void, room: () => Promise<void>, runBytes = 1 << 16): Promise<void> {
  for (const run of jsonRuns(doc, runBytes)) {
    write(run);
    await room();
  }
}
