// A map from a TCP 4-tuple to one value, the same whichever endpoint is named
// first, looked up once per frame by the reassembler and the connection log.
// A string key per frame (`${ip} ${port} ...`) cost a concatenation, a flatten
// and a hash; here each address string becomes a small number through one Map
// lookup (the decoders hand out one string per address, so its hash is
// cached), and the tuple of numbers is found in an open-addressing table.
//
// Memory follows the entries: an address's number is freed when the last
// entry naming it goes, so a scan of random addresses cannot grow the table
// beyond what is stored. Insertion order is not kept: callers that need it
// keep their own ordered Set.

const INITIAL_SLOTS = 64;
/** Golden-ratio multiplier for the hash mix. */
const MIX = 0x9e3779b1;

export class TupleTable<T> {
  /** Address text -> its number; `refs[id]` counts the entries naming it (twice if both ends). */
  private readonly ids = new Map<string, number>();
  private refs: number[] = [];
  private names: Array<string | undefined> = [];
  private freeIds: number[] = [];
  // Slot i holds (lo address, hi address, lo port * 65536 + hi port) and its value;
  // `lo` is the endpoint with the smaller (address number, port).
  private loIds = new Int32Array(INITIAL_SLOTS);
  private hiIds = new Int32Array(INITIAL_SLOTS);
  private ports = new Float64Array(INITIAL_SLOTS);
  private values: Array<T | undefined> = new Array<T | undefined>(INITIAL_SLOTS).fill(undefined);
  private mask = INITIAL_SLOTS - 1;
  /** Entries stored. */
  size = 0;

  get(ipA: string, portA: number, ipB: string, portB: number): T | undefined {
    const a = this.ids.get(ipA);
    if (a === undefined) return undefined;
    const b = ipA === ipB ? a : this.ids.get(ipB);
    if (b === undefined) return undefined;
    const i = this.find(a, portA, b, portB);
    return i < 0 ? undefined : this.values[i];
  }

  /** Store `value` for the tuple, replacing what was there. */
  set(ipA: string, portA: number, ipB: string, portB: number, value: T): void {
    const a = this.idOf(ipA);
    const b = this.idOf(ipB);
    const at = this.find(a, portA, b, portB);
    if (at >= 0) {
      this.values[at] = value;
      this.release(a);
      this.release(b);
      return;
    }
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    const lo = a < b || (a === b && portA <= portB);
    const loId = lo ? a : b;
    const hiId = lo ? b : a;
    const ports = lo ? portA * 65536 + portB : portB * 65536 + portA;
    let i = hash(loId, hiId, ports) & this.mask;
    while (this.values[i] !== undefined) i = (i + 1) & this.mask;
    this.loIds[i] = loId;
    this.hiIds[i] = hiId;
    this.ports[i] = ports;
    this.values[i] = value;
    this.size++;
  }

  /** Remove the tuple's entry; returns whether there was one. */
  delete(ipA: string, portA: number, ipB: string, portB: number): boolean {
    const a = this.ids.get(ipA);
    const b = this.ids.get(ipB);
    if (a === undefined || b === undefined) return false;
    const i = this.find(a, portA, b, portB);
    if (i < 0) return false;
    this.removeSlot(i);
    this.size--;
    this.release(a);
    this.release(b);
    return true;
  }

  /** Every value, in no particular order. */
  *allValues(): IterableIterator<T> {
    for (const v of this.values) if (v !== undefined) yield v;
  }

  /** Slot of the tuple, or -1. */
  private find(a: number, portA: number, b: number, portB: number): number {
    const lo = a < b || (a === b && portA <= portB);
    const loId = lo ? a : b;
    const hiId = lo ? b : a;
    const ports = lo ? portA * 65536 + portB : portB * 65536 + portA;
    const mask = this.mask;
    let i = hash(loId, hiId, ports) & mask;
    while (this.values[i] !== undefined) {
      if (this.ports[i] === ports && this.loIds[i] === loId && this.hiIds[i] === hiId) return i;
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** Empty slot i and pull later entries of its probe run back (linear probing needs no tombstones). */
  private removeSlot(i: number): void {
    const mask = this.mask;
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (this.values[j] === undefined) break;
      const home = hash(this.loIds[j], this.hiIds[j], this.ports[j]) & mask;
      // The entry at j may move to the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      this.loIds[hole] = this.loIds[j];
      this.hiIds[hole] = this.hiIds[j];
      this.ports[hole] = this.ports[j];
      this.values[hole] = this.values[j];
      hole = j;
    }
    this.values[hole] = undefined;
  }

  private grow(): void {
    const oldLo = this.loIds;
    const oldHi = this.hiIds;
    const oldPorts = this.ports;
    const oldValues = this.values;
    const n = oldValues.length * 2;
    this.loIds = new Int32Array(n);
    this.hiIds = new Int32Array(n);
    this.ports = new Float64Array(n);
    this.values = new Array<T | undefined>(n).fill(undefined);
    this.mask = n - 1;
    for (let k = 0; k < oldValues.length; k++) {
      if (oldValues[k] === undefined) continue;
      let i = hash(oldLo[k], oldHi[k], oldPorts[k]) & this.mask;
      while (this.values[i] !== undefined) i = (i + 1) & this.mask;
      this.loIds[i] = oldLo[k];
      this.hiIds[i] = oldHi[k];
      this.ports[i] = oldPorts[k];
      this.values[i] = oldValues[k];
    }
  }

  /** The address's number, taking a reference on it. */
  private idOf(ip: string): number {
    let id = this.ids.get(ip);
    if (id === undefined) {
      id = this.freeIds.pop() ?? this.refs.length;
      this.ids.set(ip, id);
      this.names[id] = ip;
      this.refs[id] = 0;
    }
    this.refs[id]++;
    return id;
  }

  private release(id: number): void {
    if (--this.refs[id] > 0) return;
    // Last entry naming it: forget the address.
    this.ids.delete(this.names[id]!);
    this.names[id] = undefined;
    this.freeIds.push(id);
  }
}

function hash(loId: number, hiId: number, ports: number): number {
  let h = Math.imul(loId, MIX) ^ hiId;
  h = Math.imul(h ^ (h >>> 15), MIX) ^ (ports >>> 0);
  h = Math.imul(h ^ (h >>> 13), MIX);
  return h ^ (h >>> 16);
}
