// A memo keyed by two values (header name then value, method then target,
// address then port) that forgets everything at once when full: the values
// that repeat come back within moments, and a table that starts over costs
// nothing to keep in bounds. Shared by the tables that keep one copy of what
// a capture repeats thousands of times; Memo is the same with one key (the
// rules' answers per version or per request target).

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

/** The same policy for one key: answers remembered until `max` of them, then forgotten at once. */
export class Memo<K, V> {
  private readonly byKey = new Map<K, V>();

  /** @param max entries remembered before the memo starts over */
  constructor(private readonly max: number) {}

  /** The answer remembered for `key`, else `make(key)`, remembered. */
  of(key: K, make: (key: K) => V): V {
    const known = this.byKey.get(key);
    if (known !== undefined || this.byKey.has(key)) return known as V;
    if (this.byKey.size >= this.max) this.byKey.clear();
    const value = make(key);
    this.byKey.set(key, value);
    return value;
  }
}
