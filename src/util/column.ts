// Tables of numbers for what a big capture keeps of each of its thousands of
// exchanges and connections (analysis-parts.ts): a number per row in chunks
// of typed arrays, and a number per distinct value.

/** Rows of a Column chunk: a column grows a chunk at a time, never copied (a doubled array left its old half to the allocator's holes). */
const CHUNK_BITS = 12;
const CHUNK_ROWS = 1 << CHUNK_BITS;

/** One number per row, in chunks of typed arrays. Rows are set in order (a chunk is made for its first row). */
export class Column {
  private readonly chunks: Array<Float64Array | Int32Array> = [];

  constructor(private readonly kind: typeof Float64Array | typeof Int32Array) {}

  get(row: number): number {
    return this.chunks[row >>> CHUNK_BITS][row & (CHUNK_ROWS - 1)];
  }

  set(row: number, value: number): void {
    const c = row >>> CHUNK_BITS;
    (this.chunks[c] ??= new this.kind(CHUNK_ROWS))[row & (CHUNK_ROWS - 1)] = value;
  }
}

/**
 * A number per distinct value (client addresses, MACs, decoded bodies), from 0
 * in order of first sight (`first` are numbered before anything else).
 */
export class Numbered<T> {
  private readonly ids = new Map<T, number>();
  readonly list: T[] = [];

  constructor(first: readonly T[] = []) {
    for (const v of first) this.id(v);
  }

  id(value: T): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  at(id: number): T {
    return this.list[id];
  }
}
