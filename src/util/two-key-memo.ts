// A memo keyed by two values (header name then value, method then target,
// address then port) that forgets everything at once when full: the values
// that repeat come back within moments, and a table that starts over costs
// nothing to keep in bounds. Shared by the tables that keep one copy of what
// a capture repeats thousands of times.

export class TwoKeyMemo<A, B, V> {
  private readonly byFirst = new Map<A, Map<B, V>>();
  private count = 0;

  /** @param max entries remembered before the memo starts over */
  constructor(private readonly max: number) {}

  get(a: A, b: B): V | undefined {
    return this.byFirst.get(a)?.get(b);
  }

  /** Remember `value` for (a, b) and hand it back. */
  remember(a: A, b: B, value: V): V {
    if (this.count >= this.max) {
      this.byFirst.clear();
      this.count = 0;
    }
    let bySecond = this.byFirst.get(a);
    if (bySecond === undefined) this.byFirst.set(a, (bySecond = new Map()));
    bySecond.set(b, value);
    this.count++;
    return value;
  }

  get size(): number {
    return this.count;
  }
}
