// A first-in first-out queue over an array and a head index. Unlike a bare
// array shifted by an index, it lets go of each item it hands out: the
// connection log's queues held thousands of connections put aside that way.

/** Items taken before the array is copied without them (and at least half of it). */
const COMPACT_AFTER = 4096;

export class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, left in; undefined when empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** The oldest item, taken out; undefined when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // Copy now and then instead of shifting the array on every take.
    if (this.head > COMPACT_AFTER && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
