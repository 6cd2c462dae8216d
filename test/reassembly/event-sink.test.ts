import { describe, expect, it } from 'vitest';
import { EventSink } from '../../src/reassembly/event-sink.js';
import type { FlowInfo, StreamEvent } from '../../src/reassembly/stream-event.js';

const flow: FlowInfo = { index: 0, client: { ip: '10.0.0.1', port: 5000 }, server: { ip: '10.0.0.2', port: 80 }, firstFrame: 1, sawSyn: true };
const ev = (frame: number): StreamEvent => ({ kind: 'anomaly', flow, dir: 'c2s', code: 'tcp.retransmission', frame });

describe('EventSink', () => {
  it('hands out each call\'s events as a new array and starts empty again', () => {
    const s = new EventSink();
    expect(s.take()).toEqual([]);
    s.push(ev(1));
    const one = s.take();
    expect(one.map((e) => e.frame)).toEqual([1]);
    for (const f of [2, 3, 4]) s.push(ev(f));
    const three = s.take();
    expect(three.map((e) => e.frame)).toEqual([2, 3, 4]);
    expect(s.take()).toEqual([]);
    // Arrays already handed out are the caller's: later calls do not touch them.
    s.push(ev(5));
    s.take().push(ev(6));
    expect(one.map((e) => e.frame)).toEqual([1]);
    expect(three.map((e) => e.frame)).toEqual([2, 3, 4]);
    expect(s.take()).toEqual([]);
  });

  it('drains each call\'s events to a callback in order, and starts empty again', () => {
    const s = new EventSink();
    const seen: number[] = [];
    s.drain((e) => seen.push(e.frame));
    expect(seen).toEqual([]);
    for (const f of [1, 2, 3]) s.push(ev(f));
    s.drain((e) => seen.push(e.frame));
    expect(seen).toEqual([1, 2, 3]);
    s.drain((e) => seen.push(e.frame));
    expect(s.take()).toEqual([]);
    s.push(ev(4));
    s.drain((e) => seen.push(e.frame));
    expect(seen).toEqual([1, 2, 3, 4]);
    // What was drained is not held: the slots are emptied.
    expect((s as unknown as { items: unknown[] }).items.every((x) => x === undefined)).toBe(true);
  });
});

