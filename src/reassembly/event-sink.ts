// Where HalfStream and TcpReassembler put the events of one push or flush.
// A fresh `[]` per push grows to a 16-slot backing store on its first event;
// this reused buffer lets each call return an array of exactly its events
// (most pushes have none or one), and nothing else per call.
import type { StreamEvent } from './stream-event.js';


export class EventSink {
  private readonly items: Array<StreamEvent | undefined> = [];
  private n = 0;

  push(e: StreamEvent): void {
    this.items[this.n++] = e;
  }

  /**
   * Hand the events pushed since the last take to `each`, in order, and empty
   * the sink: no array is made. `each` must not push to this sink.
   */
  drain(each: (e: StreamEvent) => void): void {
    const n = this.n;
    if (n === 0) return;
    const items = this.items;
    this.n = 0;
    for (let i = 0; i < n; i++) {
      const e = items[i]!;
      items[i] = undefined;
      each(e);
    }
  }

  /** The events pushed since the last take, as a new array the caller owns; empties the sink. */
  take(): StreamEvent[] {
    const n = this.n;
    if (n === 0) return [];
    const items = this.items;
    let out: StreamEvent[];
    if (n === 1) out = [items[0]!];
    else out = items.slice(0, n) as StreamEvent[];
    // Drop the references (events hold views of frames); the slots stay for the next call.
    for (let i = 0; i < n; i++) items[i] = undefined;
    this.n = 0;
    return out;
  }
}
