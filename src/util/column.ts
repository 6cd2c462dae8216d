// Tables of numbers for what a big capture keeps of each of its thousands of
// exchanges and connections (analysis-parts.ts): a number per row in chunks
// of typed arrays (put in a file while the capture is read), and a number per
// distinct value.

/** Rows of a Column chunk: a column grows a chunk at a time, never copied (a doubled array left its old half to the allocator's holes). */
const CHUNK_BITS = 12;
export const CHUNK_ROWS = 1 << CHUNK_BITS;

/** Where a chunk's bytes were put (SpoolPlace). */
export interface ChunkPlace {
  at: number;
  length: number;
}

/** Where a Column puts its full chunks while the capture is read (the report's file of records). */
export interface ChunkStore {
  appendBytes(bytes: Uint8Array): ChunkPlace;
  /** The bytes put at `place`, valid until the next read. */
  readBytes(place: ChunkPlace): Uint8Array;
}

/**
 * One number per row, in chunks of typed arrays. Rows are set in order (a
 * chunk is made for its first row). With a store, a chunk is put there once the
 * next one is made, and read back when a row of it is next read or set (it then
 * stays): what a column keeps in memory while rows are added no longer grows
 * with them (64 bytes an exchange of a capture was 1.4 MB at 4 GB).
 */
export class Column {
  private readonly chunks: Array<Float64Array | Int32Array | undefined> = [];
  private readonly places: Array<ChunkPlace | undefined> = [];

  constructor(
    private readonly kind: typeof Float64Array | typeof Int32Array,
    private readonly store?: ChunkStore,
  ) {}

  get(row: number): number {
    const c = row >>> CHUNK_BITS;
    return (this.chunks[c] ?? this.bringBack(c))[row & (CHUNK_ROWS - 1)];
  }

  set(row: number, value: number): void {
    const c = row >>> CHUNK_BITS;
    const chunk = this.chunks[c] ?? (this.places[c] ? this.bringBack(c) : this.newChunk(c));
    chunk[row & (CHUNK_ROWS - 1)] = value;
  }

  /** Chunks held in memory (for tests and measurements). */
  get chunksInMemory(): number {
    let n = 0;
    for (const c of this.chunks) if (c) n++;
    return n;
  }

  private newChunk(c: number): Float64Array | Int32Array {
    // Rows are set in order: the chunk before is full, unless it came back from the store (it then stays).
    if (this.store && c > 0 && this.chunks[c - 1] && !this.places[c - 1]) this.putAside(c - 1, this.store);
    return (this.chunks[c] = new this.kind(CHUNK_ROWS));
  }

  private putAside(c: number, store: ChunkStore): void {
    const chunk = this.chunks[c]!;
    this.places[c] = store.appendBytes(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.chunks[c] = undefined;
  }

  private bringBack(c: number): Float64Array | Int32Array {
    const place = this.places[c];
    if (!place || !this.store) throw new RangeError(`column: no chunk ${c}`);
    const chunk = new this.kind(CHUNK_ROWS);
    new Uint8Array(chunk.buffer).set(this.store.readBytes(place));
    return (this.chunks[c] = chunk);
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
