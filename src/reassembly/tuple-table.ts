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
//
// In front of all this, a small direct-mapped cache of recently found tuples,
// placed by their two ports (the same slot in both directions): the few
// connections that carry most frames at any moment are found there by
// comparing the tuple itself (the same string objects, so the address
// comparisons are pointer comparisons). Every set() and delete() empties the
// slot of its tuple, so the cache never holds anything the table does not.

const INITIAL_SLOTS = 64;
/** Slots of the address -> number memo (a power of two). */
const MEMO_SLOTS = 256;
/** Golden-ratio multiplier for the hash mix. */
const MIX = 0x9e3779b1;
/** Slots of the recent-tuple cache (a power of two). */
const RECENT_SLOTS = 256;
const RECENT_SHIFT = 32 - Math.log2(RECENT_SLOTS);

/** Tuples of two addresses (text) and two 16-bit ports, as TcpSegment has them. */
export class TupleTable<T> {
  /** Address text -> its number; `refs[id]` counts the entries naming it (twice if both ends). */
  private readonly ids = new Map<string, number>();
  private refs: number[] = [];
  private names: Array<string | undefined> = [];
  // A direct-mapped memo in front of `ids`, indexed by the address's last
  // characters: a hit costs a few loads instead of a Map lookup (two per
  // frame). A slot holds an address and its number, or nothing.
  private readonly memoIps: Array<string | undefined> = new Array<string | undefined>(MEMO_SLOTS).fill(undefined);
  private readonly memoIds = new Int32Array(MEMO_SLOTS);
  private freeIds: number[] = [];
  // Slot i is keys[4i .. 4i+2] = (lo address + 1, hi address, lo port << 16 | hi port), 0 in the
  // first word for an empty slot, and values[i]; `lo` is the endpoint with the smaller
  // (address number, port). One array of keys, so a probe reads one cache line.
  private keys = new Int32Array(INITIAL_SLOTS * 4);
  private values: Array<T | undefined> = new Array<T | undefined>(INITIAL_SLOTS).fill(undefined);
  private mask = INITIAL_SLOTS - 1;
  // The recent-tuple cache: slot r holds a tuple as it was looked up (address,
  // port, address, port) and its value; recentValues[r] undefined when empty.
  private readonly recentIps: Array<string | undefined> = new Array<string | undefined>(RECENT_SLOTS * 2).fill(undefined);
  private readonly recentPorts = new Int32Array(RECENT_SLOTS * 2);
  private readonly recentValues: Array<T | undefined> = new Array<T | undefined>(RECENT_SLOTS).fill(undefined);
  /** Entries stored. */
  size = 0;

  get(ipA: string, portA: number, ipB: string, portB: number): T | undefined {
    const r = recentSlot(portA, portB);
    const v = this.recentValues[r];
    if (v !== undefined) {
      const ips = this.recentIps;
      const ports = this.recentPorts;
      const r2 = r << 1;
      if (ports[r2] === portA && ports[r2 + 1] === portB && ips[r2] === ipA && ips[r2 + 1] === ipB) return v;
      if (ports[r2] === portB && ports[r2 + 1] === portA && ips[r2] === ipB && ips[r2 + 1] === ipA) return v;
    }
    const a = this.lookup(ipA);
    if (a < 0) return undefined;
    const b = this.lookup(ipB);
    if (b < 0) return undefined;
    const i = this.find(a, portA, b, portB);
    if (i < 0) return undefined;
    const found = this.values[i]!;
    const r2 = r << 1;
    this.recentIps[r2] = ipA;
    this.recentIps[r2 + 1] = ipB;
    this.recentPorts[r2] = portA;
    this.recentPorts[r2 + 1] = portB;
    this.recentValues[r] = found;
    return found;
  }

  /** Store `value` for the tuple, replacing what was there. */
  set(ipA: string, portA: number, ipB: string, portB: number, value: T): void {
    this.forgetRecent(portA, portB);
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
    this.place((lo ? a : b) + 1, lo ? b : a, lo ? (portA << 16) | portB : (portB << 16) | portA, value);
    this.size++;
  }

  /** Remove the tuple's entry; returns whether there was one. */
  delete(ipA: string, portA: number, ipB: string, portB: number): boolean {
    this.forgetRecent(portA, portB);
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

  /** Empty the recent-cache slot a tuple with these ports would occupy (whatever tuple is in it). */
  private forgetRecent(portA: number, portB: number): void {
    const r = recentSlot(portA, portB);
    if (this.recentValues[r] === undefined) return;
    this.recentValues[r] = undefined;
    this.recentIps[r << 1] = undefined;
    this.recentIps[(r << 1) + 1] = undefined;
  }

  /** The address's number, or -1 when no entry names it. */
  private lookup(ip: string): number {
    const m = memoSlot(ip);
    if (this.memoIps[m] === ip) return this.memoIds[m];
    const id = this.ids.get(ip);
    if (id === undefined) return -1;
    this.memoIps[m] = ip;
    this.memoIds[m] = id;
    return id;
  }

  /** Slot of the tuple, or -1. */
  private find(a: number, portA: number, b: number, portB: number): number {
    const lo = a < b || (a === b && portA <= portB);
    const k0 = (lo ? a : b) + 1;
    const k1 = lo ? b : a;
    const k2 = lo ? (portA << 16) | portB : (portB << 16) | portA;
    const keys = this.keys;
    const mask = this.mask;
    let i = hash(k0, k1, k2) & mask;
    for (;;) {
      const at = i << 2;
      const w = keys[at];
      if (w === 0) return -1;
      if (w === k0 && keys[at + 1] === k1 && keys[at + 2] === k2) return i;
      i = (i + 1) & mask;
    }
  }

  /** Put a tuple known to be absent (the table has room). */
  private place(k0: number, k1: number, k2: number, value: T): void {
    const keys = this.keys;
    const mask = this.mask;
    let i = hash(k0, k1, k2) & mask;
    while (keys[i << 2] !== 0) i = (i + 1) & mask;
    keys[i << 2] = k0;
    keys[(i << 2) + 1] = k1;
    keys[(i << 2) + 2] = k2;
    this.values[i] = value;
  }

  /** Empty slot i and pull later entries of its probe run back (linear probing needs no tombstones). */
  private removeSlot(i: number): void {
    const keys = this.keys;
    const mask = this.mask;
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const at = j << 2;
      if (keys[at] === 0) break;
      const home = hash(keys[at], keys[at + 1], keys[at + 2]) & mask;
      // The entry at j may move to the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      keys.copyWithin(hole << 2, at, at + 3);
      this.values[hole] = this.values[j];
      hole = j;
    }
    keys[hole << 2] = 0;
    this.values[hole] = undefined;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const n = oldValues.length * 2;
    this.keys = new Int32Array(n * 4);
    this.values = new Array<T | undefined>(n).fill(undefined);
    this.mask = n - 1;
    for (let k = 0; k < oldValues.length; k++) {
      const at = k << 2;
      if (oldKeys[at] !== 0) this.place(oldKeys[at], oldKeys[at + 1], oldKeys[at + 2], oldValues[k]!);
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
    const ip = this.names[id]!;
    const m = memoSlot(ip);
    if (this.memoIps[m] === ip) this.memoIps[m] = undefined;
    this.ids.delete(ip);
    this.names[id] = undefined;
    this.freeIds.push(id);
  }
}

/** Memo slot of an address: its length and last three characters (the varying end of a dotted quad). */
function memoSlot(ip: string): number {
  const n = ip.length;
  if (n < 3) return n;
  const h = n ^ ip.charCodeAt(n - 1) ^ (ip.charCodeAt(n - 2) << 3) ^ (ip.charCodeAt(n - 3) << 6);
  return h & (MEMO_SLOTS - 1);
}

/** Recent-cache slot of a tuple: from its ports only, the same in both directions. */
function recentSlot(portA: number, portB: number): number {
  return Math.imul((portA ^ portB) + 1, MIX) >>> RECENT_SHIFT;
}

function hash(k0: number, k1: number, k2: number): number {
  let h = Math.imul(k0, MIX) ^ k1;
  h = Math.imul(h ^ (h >>> 15), MIX) ^ k2;
  h = Math.imul(h ^ (h >>> 13), MIX);
  return h ^ (h >>> 16);
}
