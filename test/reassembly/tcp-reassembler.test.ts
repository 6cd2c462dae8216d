import { describe, expect, it } from 'vitest';
import type { DecodedFrame } from '../../src/net/packet.js';
import type { Direction, Endpoint, StreamEvent } from '../../src/reassembly/stream-event.js';
import { TcpReassembler } from '../../src/reassembly/tcp-reassembler.js';
import { seqAdd } from '../../src/reassembly/seq.js';
import { REASSEMBLY_ANOMALIES } from '../../src/reassembly/anomaly-codes.js';
import { Capture, CLIENT, SERVER, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, checkInvariants, codes, labels, view } from './builders.js';

const A = TCP_ACK;
const C_ISN = 1000;
const S_ISN = 5000;

/** Feed frames, check the invariants, return all events. */
function run(
  cap: Capture,
  frames: DecodedFrame[],
  r = new TcpReassembler(),
  flush = false,
  base: ((flow: number, dir: Direction) => number) | null = (_flow, dir) => (dir === 'c2s' ? C_ISN + 1 : S_ISN + 1),
): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const f of frames) events.push(...r.push(f));
  if (flush) events.push(...r.flush('eof', 0n));
  checkInvariants(events, cap.frames, base ?? undefined);
  return events;
}

/** A captured three-way handshake: client ISN 1000, server ISN 5000. */
function handshake(cap: Capture): DecodedFrame[] {
  return [
    cap.c({ seq: C_ISN, flags: TCP_SYN }),
    cap.s({ seq: S_ISN, ack: C_ISN + 1, flags: TCP_SYN | A }),
    cap.c({ seq: C_ISN + 1, ack: S_ISN + 1 }),
  ];
}

const c = (n: number) => C_ISN + 1 + n; // client sequence number of stream offset n
const s = (n: number) => S_ISN + 1 + n;

function kinds(events: StreamEvent[]): string[] {
  return events.filter((e) => !(e.kind === 'anomaly' && e.code.startsWith('tcp.analysis.'))).map((e) => (e.kind === 'anomaly' ? `anomaly:${e.code}` : e.kind === 'end' ? `end:${e.dir}:${e.reason}` : `${e.kind}`));
}

describe('TcpReassembler: in order', () => {
  it('opens once, delivers views into the frames, and tells client from server', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(0), ack: s(0), data: 'GET / ' }),
      cap.c({ seq: c(6), ack: s(0), data: 'HTTP/1.1\r\n\r\n' }),
      cap.s({ seq: s(0), ack: c(18), data: 'HTTP/1.1 200 OK\r\n' }),
    ];
    const r = new TcpReassembler();
    const events = run(cap, frames, r);
    const opens = events.filter((e) => e.kind === 'open');
    expect(opens).toHaveLength(1);
    const info = opens[0].flow;
    expect(info).toEqual({ index: 0, client: CLIENT, server: SERVER, firstFrame: 1, sawSyn: true });
    expect(view(events, 0, 'c2s').text).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(view(events, 0, 's2c').text).toBe('HTTP/1.1 200 OK\r\n');
    const data = events.filter((e) => e.kind === 'data');
    expect(data.map((e) => (e.kind === 'data' ? [e.dir, e.offset, e.spans[0].frame] : []))).toEqual([
      ['c2s', 0, 4],
      ['c2s', 6, 5],
      ['s2c', 0, 6],
    ]);
    // Zero copy: the delivered bytes share the frame's buffer.
    const first = data[0];
    expect(first.kind === 'data' && first.bytes.buffer).toBe(frames[3].tcp!.payload.buffer);
    expect(codes(events)).toEqual([]);
    expect(r.stats).toMatchObject({ flows: 1, segments: 6, bytesDelivered: 35, gaps: 0, retransmissions: 0 });
  });

  it('ignores frames without TCP', () => {
    const cap = new Capture();
    const f = cap.c({ seq: 1, data: 'x' });
    const r = new TcpReassembler();
    expect(r.push({ ...f, tcp: undefined })).toEqual([]);
    expect(r.push({ ...f, ip: undefined })).toEqual([]);
    expect(r.stats.segments).toBe(0);
  });
});

describe('TcpReassembler: reordering, resends and overlaps', () => {
  it('holds an early segment and delivers it when the hole fills', () => {
    const cap = new Capture();
    const frames = [...handshake(cap), cap.c({ seq: c(3), data: 'bbb' }), cap.c({ seq: c(0), data: 'aaa' })];
    const r = new TcpReassembler();
    const events = run(cap, frames, r);
    expect(kinds(events.slice(1))).toEqual(['anomaly:tcp.previous-segment-not-captured', 'anomaly:tcp.out-of-order', 'data', 'data']);
    const v = view(events, 0, 'c2s');
    expect(v.text).toBe('aaabbb');
    const spans = events.flatMap((e) => (e.kind === 'data' ? e.spans : []));
    expect(spans.map((sp) => [sp.frame, sp.streamOffset, sp.length])).toEqual([
      [5, 0, 3],
      [4, 3, 3],
    ]);
    expect(r.stats.outOfOrder).toBe(1);
    // The held copy is not a view of the frame (frames are only valid for one push).
    const held = events.filter((e) => e.kind === 'data')[1];
    expect(held.kind === 'data' && held.bytes.buffer).not.toBe(frames[3].tcp!.payload.buffer);
  });

  it.each([
    { name: 'same bytes', resend: 'hello', conflict: false },
    { name: 'different bytes', resend: 'hellO', conflict: true },
  ])('a full retransmission ($name) delivers nothing new', ({ resend, conflict }) => {
    const cap = new Capture();
    const frames = [...handshake(cap), cap.c({ seq: c(0), data: 'hello' }), cap.c({ seq: c(0), data: resend })];
    const r = new TcpReassembler();
    const events = run(cap, frames, r);
    expect(view(events, 0, 'c2s').text).toBe('hello');
    const expected = conflict ? ['tcp.retransmission', 'tcp.overlap-conflict'] : ['tcp.retransmission'];
    expect(codes(events)).toEqual(expected);
    expect(events.filter((e) => e.kind === 'anomaly').every((e) => e.frame === 5)).toBe(true);
    expect(r.stats.retransmissions).toBe(1);
    expect(r.stats.conflicts).toBe(conflict ? 1 : 0);
  });

  it.each([
    { name: 'same bytes', resend: 'lo world', conflict: false },
    { name: 'different bytes', resend: 'LO world', conflict: true },
  ])('a partial overlap ($name) delivers only the new part', ({ resend, conflict }) => {
    const cap = new Capture();
    const frames = [...handshake(cap), cap.c({ seq: c(0), data: 'hello' }), cap.c({ seq: c(3), data: resend })];
    const r = new TcpReassembler();
    const events = run(cap, frames, r);
    expect(view(events, 0, 'c2s').text).toBe('hello world');
    const last = events.filter((e) => e.kind === 'data').at(-1)!;
    expect(last.kind === 'data' && [last.offset, last.spans[0].frame, last.spans[0].length]).toEqual([5, 5, 6]);
    expect(codes(events).includes('tcp.overlap-conflict')).toBe(conflict);
    expect(r.stats.overlaps).toBe(1);
  });

  it('keeps one copy of a duplicated out-of-order segment (the first)', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(3), data: 'bbb' }),
      cap.c({ seq: c(3), data: 'bbb' }),
      cap.c({ seq: c(3), data: 'bXb' }),
      cap.c({ seq: c(0), data: 'aaa' }),
    ];
    const r = new TcpReassembler();
    const events = run(cap, frames, r);
    expect(view(events, 0, 'c2s').text).toBe('aaabbb');
    expect(codes(events)).toEqual([
      'tcp.previous-segment-not-captured',
      'tcp.retransmission',
      'tcp.overlap-conflict',
      'tcp.retransmission',
      'tcp.out-of-order',
    ]);
    const spans = events.flatMap((e) => (e.kind === 'data' ? e.spans : []));
    expect(spans.map((sp) => sp.frame)).toEqual([7, 4]);
  });

  it('an in-order segment that covers held bytes wins and the held copies are trimmed', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(4), data: 'EF' }),
      cap.c({ seq: c(7), data: 'HIJK' }),
      cap.c({ seq: c(0), data: 'ABCDEFGHI' }),
    ];
    const events = run(cap, frames);
    expect(view(events, 0, 'c2s').text).toBe('ABCDEFGHIJK');
    const spans = events.flatMap((e) => (e.kind === 'data' ? e.spans : []));
    expect(spans.map((sp) => [sp.frame, sp.streamOffset, sp.length])).toEqual([
      [6, 0, 9],
      [5, 9, 2],
    ]);
    expect(codes(events)).not.toContain('tcp.overlap-conflict');
  });

  it('calls a one-byte resend of the last byte a keep-alive', () => {
    const cap = new Capture();
    const frames = [...handshake(cap), cap.c({ seq: c(0), data: 'abc' }), cap.c({ seq: c(2), data: '\0' })];
    const events = run(cap, frames);
    expect(codes(events)).toEqual(['tcp.keep-alive']);
  });
});

describe('TcpReassembler: gaps', () => {
  it('declares a gap when the peer ACKs bytes the capture missed', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(0), data: 'aaa' }),
      // c(3) 'bbb' lost by the mirror port
      cap.c({ seq: c(6), data: 'ccc' }),
      cap.s({ seq: s(0), ack: c(9) }),
    ];
    const r = new TcpReassembler();
    const events = run(cap, frames, r);
    const v = view(events, 0, 'c2s');
    expect(v.gaps).toEqual([{ offset: 3, length: 3, frame: 6 }]);
    expect(v.text).toBe('aaaccc');
    const tail = events.slice(-2);
    expect(kinds(tail)).toEqual(['gap', 'data']);
    expect(r.stats).toMatchObject({ gaps: 1, gapBytes: 3 });
  });

  it('waits when nothing was captured beyond the acknowledged bytes (the ACK may precede its data)', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(0), data: 'aaa' }),
      cap.s({ seq: s(0), ack: c(6) }), // captured before the data it acknowledges
      cap.c({ seq: c(3), data: 'bbb' }),
    ];
    const events = run(cap, frames);
    const v = view(events, 0, 'c2s');
    expect(v.text).toBe('aaabbb');
    expect(v.gaps).toEqual([]);
    expect(codes(events)).toEqual([]);
  });

  it('declares acknowledged bytes never captured a gap at flush', () => {
    const cap = new Capture();
    const frames = [...handshake(cap), cap.c({ seq: c(0), data: 'aaa' }), cap.s({ seq: s(0), ack: c(10) })];
    const events = run(cap, frames, new TcpReassembler(), true);
    expect(view(events, 0, 'c2s').gaps).toEqual([{ offset: 3, length: 7, frame: 5 }]);
  });

  it('does not call one unseen acknowledged sequence number a gap (an uncaptured FIN)', () => {
    const cap = new Capture();
    const frames = [...handshake(cap), cap.c({ seq: c(0), data: 'aaa' }), cap.s({ seq: s(0), ack: c(4) })];
    const events = run(cap, frames, new TcpReassembler(), true);
    expect(events.filter((e) => e.kind === 'gap')).toEqual([]);
  });

  it('gives up on the oldest hole when held bytes pass maxBufferedPerDirection', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(3), data: 'BBBB' }),
      cap.c({ seq: c(7), data: 'CCCC' }),
      cap.c({ seq: c(12), data: 'EEEE' }),
    ];
    const r = new TcpReassembler({ maxBufferedPerDirection: 10 });
    const events = run(cap, frames, r);
    const v = view(events, 0, 'c2s');
    // 12 bytes held > 10: the hole [0,3) goes, BBBBCCCC flow, then 4 held <= 10 waits.
    expect(v.gaps).toEqual([{ offset: 0, length: 3, frame: 6 }]);
    expect(v.text).toBe('BBBBCCCC');
    const more = r.push(cap.c({ seq: c(16), data: 'FFFFFFFFFFFF' }));
    const all = [...events, ...more];
    checkInvariants(all, cap.frames, (_f, d) => (d === 'c2s' ? c(0) : s(0)));
    expect(view(all, 0, 'c2s').gaps).toEqual([
      { offset: 0, length: 3, frame: 6 },
      { offset: 11, length: 1, frame: 7 },
    ]);
    expect(view(all, 0, 'c2s').text).toBe('BBBBCCCCEEEEFFFFFFFFFFFF');
  });

  it('bounds the number of held pieces too', () => {
    const cap = new Capture();
    const frames = [...handshake(cap)];
    for (let i = 0; i < 5; i++) frames.push(cap.c({ seq: c(1 + 2 * i), data: 'x' }));
    const r = new TcpReassembler({ maxHeldSegmentsPerDirection: 4 });
    const events = run(cap, frames, r);
    expect(view(events, 0, 'c2s').gaps[0]).toEqual({ offset: 0, length: 1, frame: 8 });
  });

  it('delivers held data with gaps at flush("eof"), then ends both directions', () => {
    const cap = new Capture();
    const frames = [...handshake(cap), cap.c({ seq: c(0), data: 'aa' }), cap.c({ seq: c(5), data: 'ff' })];
    const r = new TcpReassembler();
    const events = run(cap, frames, r, true);
    const v = view(events, 0, 'c2s');
    expect(v.text).toBe('aaff');
    expect(v.gaps).toEqual([{ offset: 2, length: 3, frame: 5 }]);
    expect(v.ends).toEqual([{ reason: 'eof', frame: 5 }]);
    expect(view(events, 0, 's2c').ends).toEqual([{ reason: 'eof', frame: 5 }]);
    expect(r.openFlows).toBe(0);
  });

  it('delivers what a snap-length-cut segment has and a gap for the rest', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(0), data: 'abcd', payloadLength: 10 }),
      cap.c({ seq: c(10), data: 'klm' }),
    ];
    const events = run(cap, frames);
    const v = view(events, 0, 'c2s');
    expect(v.text).toBe('abcdklm');
    expect(v.gaps).toEqual([{ offset: 4, length: 6, frame: 4 }]);
  });

  it('keeps the cut part of a held snap-length-cut segment as a gap in its place', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(3), data: 'de', payloadLength: 5 }),
      cap.c({ seq: c(8), data: 'ij' }),
      cap.c({ seq: c(0), data: 'abc' }),
    ];
    const events = run(cap, frames);
    expect(kinds(events.filter((e) => e.kind === 'data' || e.kind === 'gap'))).toEqual(['data', 'data', 'gap', 'data']);
    const v = view(events, 0, 'c2s');
    expect(v.text).toBe('abcdeij');
    expect(v.gaps).toEqual([{ offset: 5, length: 3, frame: 4 }]);
  });
});

describe('TcpReassembler: ends', () => {
  it('ends each direction at its FIN and closes the flow without reopening for the last ACK', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(0), ack: s(0), data: 'req' }),
      cap.s({ seq: s(0), ack: c(3), data: 'resp', flags: A | TCP_FIN }),
      cap.c({ seq: c(3), ack: s(5), flags: A | TCP_FIN }),
      cap.s({ seq: s(5), ack: c(4) }),
      cap.s({ seq: s(4), ack: c(4), flags: A | TCP_FIN }), // FIN resent after close
    ];
    const r = new TcpReassembler();
    const events = run(cap, frames, r);
    expect(view(events, 0, 's2c').ends).toEqual([{ reason: 'fin', frame: 5 }]);
    expect(view(events, 0, 'c2s').ends).toEqual([{ reason: 'fin', frame: 6 }]);
    expect(events.filter((e) => e.kind === 'open')).toHaveLength(1);
    expect(r.openFlows).toBe(0);
    expect(codes(events)).toEqual(['tcp.retransmission']);
    expect(r.flush('eof', 0n)).toEqual([]);
  });

  it('waits for data that precedes an early FIN', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(3), data: 'def', flags: A | TCP_FIN }),
      cap.c({ seq: c(0), data: 'abc' }),
      cap.c({ seq: c(7), data: 'zzz' }),
    ];
    const events = run(cap, frames);
    const v = view(events, 0, 'c2s');
    expect(v.text).toBe('abcdef');
    expect(v.ends).toEqual([{ reason: 'fin', frame: 4 }]);
    expect(codes(events)).toContain('tcp.data-after-close');
  });

  it('fills the hole before a FIN the peer acknowledged with a gap, then ends', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(0), data: 'abc' }),
      cap.c({ seq: c(6), data: 'ghi', flags: A | TCP_FIN }),
      cap.s({ seq: s(0), ack: c(10) }),
    ];
    const events = run(cap, frames);
    const v = view(events, 0, 'c2s');
    expect(v.gaps).toEqual([{ offset: 3, length: 3, frame: 6 }]);
    expect(v.text).toBe('abcghi');
    expect(v.ends).toEqual([{ reason: 'fin', frame: 5 }]);
  });

  it('ends both directions on RST after delivering what is held', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(0), data: 'ab' }),
      cap.c({ seq: c(4), data: 'ef' }),
      cap.s({ seq: s(0), ack: c(2), flags: A | TCP_RST }),
      cap.c({ seq: c(6), data: 'late' }),
    ];
    const r = new TcpReassembler();
    const events = run(cap, frames, r);
    const v = view(events, 0, 'c2s');
    expect(v.text).toBe('abef');
    expect(v.gaps).toEqual([{ offset: 2, length: 2, frame: 6 }]);
    expect(v.ends).toEqual([{ reason: 'rst', frame: 6 }]);
    expect(view(events, 0, 's2c').ends).toEqual([{ reason: 'rst', frame: 6 }]);
    expect(codes(events)).toContain('tcp.data-after-close');
    expect(events.filter((e) => e.kind === 'open')).toHaveLength(1);
    expect(r.openFlows).toBe(0);
  });

  it('ends idle flows at flush("timeout") and keeps busy ones', () => {
    const cap = new Capture();
    const r = new TcpReassembler({ idleTimeoutNs: 1000n });
    const events = run(cap, [cap.c({ seq: 1, data: 'x', ts: 100n }), cap.seg({ ip: '192.0.2.11', port: 5000 }, SERVER, { seq: 1, data: 'y', ts: 900n })], r, false, () => 1);
    const out = r.flush('timeout', 1500n);
    expect(out.map((e) => (e.kind === 'end' ? [e.flow.index, e.dir, e.reason, e.frame] : e.kind))).toEqual([
      [0, 'c2s', 'timeout', 1],
      [0, 's2c', 'timeout', 1],
    ]);
    expect(r.openFlows).toBe(1);
    expect(r.stats.oneSidedFlows).toBe(1);
    expect(events.filter((e) => e.kind === 'open')).toHaveLength(2);
  });
});

describe('TcpReassembler: sequence numbers', () => {
  it('reassembles across the 2^32 wrap with an ISN near 0xffffff00, out of order, with ACKs', () => {
    const isn = 0xffffff00;
    const cap = new Capture();
    const r = new TcpReassembler();
    const frames = [cap.c({ seq: isn, flags: TCP_SYN }), cap.s({ seq: 7, ack: seqAdd(isn, 1), flags: TCP_SYN | A })];
    const payload = Array.from({ length: 1000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const order = [0, 2, 1, 3, 5, 4, 6, 9, 8, 7];
    for (const k of order) frames.push(cap.c({ seq: seqAdd(isn, 1 + 100 * k), data: payload.slice(100 * k, 100 * k + 100) }));
    frames.push(cap.s({ seq: 8, ack: seqAdd(isn, 1001) }));
    const events: StreamEvent[] = [];
    for (const f of frames) events.push(...r.push(f));
    checkInvariants(events, cap.frames, (_f, d) => (d === 'c2s' ? seqAdd(isn, 1) : 8));
    const v = view(events, 0, 'c2s');
    expect(v.text).toBe(payload);
    expect(v.gaps).toEqual([]);
    expect(events.filter((e) => e.kind === 'data').at(-1)).toMatchObject({ offset: 900 });
  });

  it('keeps offsets exact past 4 GiB of sequence space', () => {
    const cap = new Capture();
    const frames = [cap.c({ seq: 0xfffffff0, flags: TCP_SYN })];
    // Five 1 GiB segments whose bytes the snap length cut: gaps, nothing buffered.
    let seq = 0xfffffff1;
    for (let i = 0; i < 5; i++) {
      frames.push(cap.c({ seq, data: 'x', payloadLength: 2 ** 30 }));
      seq = seqAdd(seq, 2 ** 30);
    }
    frames.push(cap.c({ seq, data: 'tail' }));
    const r = new TcpReassembler();
    const events = run(cap, frames, r, false, () => 0xfffffff1);
    const last = events.filter((e) => e.kind === 'data').at(-1)!;
    expect(last).toMatchObject({ offset: 5 * 2 ** 30 });
    expect(last.kind === 'data' && new TextDecoder().decode(last.bytes)).toBe('tail');
    expect(r.stats.gapBytes).toBe(5 * (2 ** 30 - 1));
  });

  it('drops one absurd forward jump, and resynchronises when a second agrees', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(0), data: 'abc' }),
      cap.c({ seq: c(2 ** 31 - 100), data: 'junk' }),
      cap.c({ seq: c(3), data: 'def' }),
    ];
    const r = new TcpReassembler();
    const events = run(cap, frames, r);
    expect(view(events, 0, 'c2s').text).toBe('abcdef');
    expect(codes(events)).toEqual(['tcp.seq-jump']);
    expect(r.stats.gaps).toBe(0);
    const jumped = [cap.c({ seq: c(2 ** 31 - 100), data: 'new1' }), cap.c({ seq: c(2 ** 31 - 96), data: 'new2' })];
    const later: StreamEvent[] = [];
    for (const f of jumped) later.push(...r.push(f));
    expect(codes(later)).toEqual(['tcp.seq-jump', 'tcp.desync']);
    const all = [...events, ...later];
    checkInvariants(all, cap.frames, (_f, d) => (d === 'c2s' ? c(0) : s(0)));
    const v = view(all, 0, 'c2s');
    expect(v.text).toBe('abcdefnew2');
    expect(v.gaps).toEqual([{ offset: 6, length: 2 ** 31 - 96 - 6, frame: 8 }]);
  });

  it('does not buffer for, or throw on, absurd numbers', () => {
    const cap = new Capture();
    const r = new TcpReassembler();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(0), data: 'ok', payloadLength: 2 ** 40 }),
      cap.c({ seq: c(2), data: 'go', payloadLength: Number.NaN }),
      cap.s({ seq: s(0), ack: c(2 ** 31 + 5) }),
    ];
    const events = run(cap, frames, r);
    expect(view(events, 0, 'c2s').text).toBe('okgo');
    expect(r.stats.gaps).toBe(0);
  });
});

describe('TcpReassembler: flows', () => {
  it('gives a reused 4-tuple a new flow index after the old connection ended', () => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap),
      cap.c({ seq: c(0), data: 'one', flags: A | TCP_FIN }),
      cap.s({ seq: s(0), ack: c(4), flags: A | TCP_FIN }),
      cap.c({ seq: c(4), ack: s(1) }),
      cap.c({ seq: 90000, flags: TCP_SYN }),
      cap.c({ seq: 90000, flags: TCP_SYN }), // resent SYN: same connection
      cap.s({ seq: 70000, ack: 90001, flags: TCP_SYN | A }),
      cap.c({ seq: 90001, ack: 70001, data: 'two' }),
    ];
    const r = new TcpReassembler();
    const events: StreamEvent[] = [];
    for (const f of frames) events.push(...r.push(f));
    const opens = events.filter((e) => e.kind === 'open');
    expect(opens.map((e) => [e.flow.index, e.frame])).toEqual([
      [0, 1],
      [1, 7],
    ]);
    expect(view(events, 0, 'c2s').text).toBe('one');
    expect(view(events, 1, 'c2s').text).toBe('two');
    expect(view(events, 1, 'c2s').anomalies).toEqual([{ code: 'tcp.retransmission', frame: 8 }]);
    expect(r.stats.flows).toBe(2);
  });

  it('numbers interleaved connections in order of first appearance', () => {
    const cap = new Capture();
    const other = { ip: '192.0.2.10', port: 50124 };
    const frames = [
      cap.c({ seq: 1, flags: TCP_SYN }),
      cap.seg(other, SERVER, { seq: 1, flags: TCP_SYN }),
      cap.s({ seq: 1, ack: 2, flags: TCP_SYN | A }),
    ];
    const r = new TcpReassembler();
    const events = frames.flatMap((f) => r.push(f));
    expect(events.map((e) => (e.kind === 'open' ? [e.flow.index, e.flow.client.port] : e.kind))).toEqual([
      [0, 50123],
      [1, 50124],
    ]);
  });

  it('a SYN far from a mid-stream flow starts a new connection; the old one ends', () => {
    const cap = new Capture();
    const frames = [cap.c({ seq: 1_000_000, data: 'old' }), cap.c({ seq: 3_000_000_000, flags: TCP_SYN })];
    const r = new TcpReassembler();
    const events = frames.flatMap((f) => r.push(f));
    expect(kinds(events)).toEqual(['open', 'data', 'end:c2s:timeout', 'end:s2c:timeout', 'open']);
    expect(r.stats.flows).toBe(2);
  });

  it('a SYN with another ISN near an open connection is not a new connection; a far one is', () => {
    const cap = new Capture();
    const r = new TcpReassembler();
    const frames = [...handshake(cap), cap.c({ seq: c(0), data: 'abc' }), cap.c({ seq: c(100), flags: TCP_SYN })];
    const events = frames.flatMap((f) => r.push(f));
    expect(events.filter((e) => e.kind === 'open')).toHaveLength(1);
    const more = r.push(cap.c({ seq: seqAdd(C_ISN, 2 ** 31), flags: TCP_SYN }));
    expect(kinds(more)).toEqual(['end:c2s:timeout', 'end:s2c:timeout', 'open']);
    expect(more.at(-1)).toMatchObject({ kind: 'open', flow: { index: 1, sawSyn: true } });
  });

  it.each<{ name: string; from: 'c' | 's'; sport: number; dport: number; flags: number; client: number }>([
    { name: 'client port to service port', from: 'c', sport: 50123, dport: 443, flags: A, client: 50123 },
    { name: 'service port to client port', from: 's', sport: 443, dport: 50123, flags: A, client: 50123 },
    { name: '8080 is a service port', from: 's', sport: 8080, dport: 2000, flags: A, client: 2000 },
    { name: 'both service ports: the lower serves', from: 'c', sport: 80, dport: 443, flags: A, client: 443 },
    { name: 'neither: the first sender is the client', from: 's', sport: 40000, dport: 30000, flags: A, client: 40000 },
    { name: 'a SYN-ACK seen first: its receiver is the client', from: 's', sport: 30000, dport: 40000, flags: TCP_SYN | A, client: 40000 },
  ])('roles without a captured SYN: $name', ({ sport, dport, flags, client }) => {
    const cap = new Capture();
    const f = cap.seg({ ip: '10.1.1.1', port: sport }, { ip: '10.2.2.2', port: dport }, { seq: 777, data: flags & TCP_SYN ? '' : 'mid', flags });
    const r = new TcpReassembler();
    const events = r.push(f);
    const open = events[0];
    expect(open.kind).toBe('open');
    expect(open.flow.client.port).toBe(client);
    expect(open.flow.sawSyn).toBe((flags & TCP_SYN) !== 0);
    if (!(flags & TCP_SYN)) {
      // Offset 0 is the first byte seen.
      const d = events.find((e) => e.kind === 'data');
      const dir: Direction = client === sport ? 'c2s' : 's2c';
      expect(d).toMatchObject({ offset: 0, dir });
    }
  });

  it('a SYN-ACK seen first fixes the client offset 0 from its ACK', () => {
    const cap = new Capture();
    const frames = [
      cap.s({ seq: S_ISN, ack: C_ISN + 1, flags: TCP_SYN | A }),
      cap.c({ seq: c(3), data: 'def' }), // the client's first three bytes were not captured
      cap.c({ seq: c(0), data: 'abc' }),
    ];
    const events = run(cap, frames);
    expect(view(events, 0, 'c2s').text).toBe('abcdef');
  });

  it('remembers at most maxClosedFlows closed flows', () => {
    const closeOne = (cap: Capture, port: number) => {
      const cl = { ip: CLIENT.ip, port };
      return [
        cap.seg(cl, SERVER, { seq: 10, flags: TCP_SYN }),
        cap.seg(SERVER, cl, { seq: 20, ack: 11, flags: TCP_SYN | A | TCP_FIN }),
        cap.seg(cl, SERVER, { seq: 11, ack: 22, flags: A | TCP_FIN }),
      ];
    };
    const cap = new Capture();
    const r = new TcpReassembler({ maxClosedFlows: 1 });
    const frames = [...closeOne(cap, 1001), ...closeOne(cap, 1002)];
    frames.forEach((f) => r.push(f));
    expect(r.openFlows).toBe(0);
    // The newest closed flow still absorbs a resent FIN; the oldest was forgotten.
    expect(codes(r.push(cap.seg({ ip: CLIENT.ip, port: 1002 }, SERVER, { seq: 11, ack: 22, flags: A | TCP_FIN })))).toEqual(['tcp.retransmission']);
    expect(r.push(cap.seg({ ip: CLIENT.ip, port: 1001 }, SERVER, { seq: 11, ack: 22, flags: A | TCP_FIN }))[0].kind).toBe('open');
  });

  it('forgets a closed flow closedTimeoutNs after its last segment, while open flows wait for idleTimeoutNs', () => {
    const cap = new Capture();
    const r = new TcpReassembler({ closedTimeoutNs: 60_000_000_000n, idleTimeoutNs: 3_600_000_000_000n });
    const cl = { ip: CLIENT.ip, port: 1001 };
    const open = { ip: CLIENT.ip, port: 1002 };
    r.push(cap.seg(cl, SERVER, { seq: 10, flags: TCP_SYN }));
    r.push(cap.seg(SERVER, cl, { seq: 20, ack: 11, flags: TCP_SYN | A | TCP_FIN }));
    const last = cap.seg(cl, SERVER, { seq: 11, ack: 22, flags: A | TCP_FIN });
    r.push(last);
    r.push(cap.seg(open, SERVER, { seq: 1, data: 'x' }));
    const resentFin = (ts: bigint) => r.push(cap.seg(cl, SERVER, { seq: 11, ack: 22, flags: A | TCP_FIN, ts }));
    // Within the minute the tombstone takes a resent FIN.
    expect(r.flush('timeout', last.timestampNs + 59_000_000_000n)).toEqual([]);
    expect(codes(resentFin(last.timestampNs + 59_000_000_000n))).toEqual(['tcp.retransmission']);
    // A minute after that last segment it is forgotten: the same segment opens a new flow. The open flow is still open.
    expect(r.flush('timeout', last.timestampNs + 120_000_000_000n)).toEqual([]);
    expect(resentFin(last.timestampNs + 120_000_000_000n)[0].kind).toBe('open');
    expect(r.openFlows).toBe(2);
  });

  it('evicts and flushes open flows oldest-opened first, and a tuple evicted comes back as a new flow', () => {
    const cap = new Capture();
    const r = new TcpReassembler({ maxOpenFlows: 2 });
    const at = (port: number): Endpoint => ({ ip: CLIENT.ip, port });
    const data = (port: number, seq: number): StreamEvent[] => r.push(cap.seg(at(port), SERVER, { seq, data: 'x' }));
    const ends = (evs: StreamEvent[]): string[] =>
      evs.filter((e) => e.kind === 'end' || e.kind === 'open').map((e) => `${e.kind}:${e.flow.index}:${e.flow.client.port}`);
    expect(ends(data(1001, 1))).toEqual(['open:0:1001']);
    expect(ends(data(1002, 1))).toEqual(['open:1:1002']);
    // A third flow ends the oldest-opened (1001) as if idle.
    expect(ends(data(1003, 1))).toEqual(['end:0:1001', 'end:0:1001', 'open:2:1003']);
    // 1001 again: a new flow, and now 1002 is the oldest.
    expect(ends(data(1001, 2))).toEqual(['end:1:1002', 'end:1:1002', 'open:3:1001']);
    // Still-open flows take segments without a new open.
    expect(ends(data(1003, 2))).toEqual([]);
    expect(ends(r.flush('eof', 0n))).toEqual(['end:2:1003', 'end:2:1003', 'end:3:1001', 'end:3:1001']);
    expect(r.stats.evictedFlows).toBe(2);
    expect(r.openFlows).toBe(0);
  });

  it('counts flows seen in one direction only', () => {
    const cap = new Capture();
    const r = new TcpReassembler();
    run(cap, [...handshake(cap), cap.c({ seq: c(0), data: 'x' })], r);
    const other = new Capture();
    r.push(other.seg({ ip: '10.9.9.9', port: 1234 }, SERVER, { seq: 5, data: 'lonely' }));
    r.flush('eof', 0n);
    expect(r.stats.oneSidedFlows).toBe(1);
  });
});

describe('TcpReassembler: never throws, never shows bytes it was not given', () => {
  it('survives random segments and keeps every stream consistent', () => {
    const cap = new Capture();
    let seed = 12345;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const hosts = [CLIENT, SERVER, { ip: '192.0.2.99', port: 80 }];
    const r = new TcpReassembler({ maxBufferedPerDirection: 2000 });
    const events: StreamEvent[] = [];
    let given = 0;
    for (let i = 0; i < 3000; i++) {
      const from = hosts[Math.floor(rnd() * 3)];
      let to = hosts[Math.floor(rnd() * 3)];
      if (to === from) to = hosts[(hosts.indexOf(from) + 1) % 3];
      const n = Math.floor(rnd() * 40);
      const data = new Uint8Array(n).map(() => Math.floor(rnd() * 256));
      given += n;
      const flags = Math.floor(rnd() * 64) & (rnd() < 0.9 ? ~(TCP_RST | TCP_SYN) : 0xff);
      const near = rnd() < 0.8;
      const seq = near ? 1000 + Math.floor(rnd() * 3000) : Math.floor(rnd() * 2 ** 32);
      const ack = near ? 1000 + Math.floor(rnd() * 3000) : Math.floor(rnd() * 2 ** 32);
      const payloadLength = rnd() < 0.1 ? n + Math.floor(rnd() * 100) : n;
      events.push(...r.push(cap.seg(from, to, { seq, ack, flags, data, payloadLength })));
      if (i % 500 === 0) events.push(...r.flush('timeout', BigInt(i) * 1_000_000n));
    }
    events.push(...r.flush('eof', 0n));
    checkInvariants(events, cap.frames);
    const delivered = events.reduce((n, e) => n + (e.kind === 'data' ? e.bytes.length : 0), 0);
    expect(delivered).toBe(r.stats.bytesDelivered);
    expect(delivered).toBeLessThanOrEqual(given);
    expect(r.openFlows).toBe(0);
    // Every open flow was ended in both directions exactly once.
    const ends = new Map<string, number>();
    for (const e of events) if (e.kind === 'end') ends.set(`${e.flow.index}/${e.dir}`, (ends.get(`${e.flow.index}/${e.dir}`) ?? 0) + 1);
    expect(ends.size).toBe(2 * r.stats.flows);
    expect([...ends.values()].every((n) => n === 1)).toBe(true);
    // Every anomaly code is one of the catalogue's, and the fuzz reached most of them.
    const seen = new Set(events.flatMap((e) => (e.kind === 'anomaly' ? [e.code] : [])));
    expect([...seen].filter((code) => !Object.hasOwn(REASSEMBLY_ANOMALIES, code))).toEqual([]);
    expect(seen.size).toBeGreaterThan(8);
  });
});

describe('TcpReassembler: Wireshark tcp.analysis labels', () => {
  const ms = (n: number) => BigInt(n) * 1_000_000n;

  /** Handshake at t = 0, 10, 20 ms: the first RTT is 20 ms. */
  function slowHandshake(cap: Capture): DecodedFrame[] {
    return [
      cap.c({ seq: C_ISN, flags: TCP_SYN, ts: ms(0) }),
      cap.s({ seq: S_ISN, ack: C_ISN + 1, flags: TCP_SYN | A, ts: ms(10) }),
      cap.c({ seq: C_ISN + 1, ack: S_ISN + 1, ts: ms(20) }),
    ];
  }

  it('tells out-of-order (within the first RTT of the highest segment) from a resend (later)', () => {
    const cap = new Capture();
    const frames = [
      ...slowHandshake(cap),
      cap.c({ seq: c(3), data: 'def', ts: ms(100) }), // 4: lost_segment
      cap.c({ seq: c(0), data: 'abc', ts: ms(110) }), // 5: 10 ms < 20 ms RTT: out of order
      cap.c({ seq: c(6), data: 'ghi', ts: ms(200) }),
      cap.c({ seq: c(3), data: 'def', ts: ms(300) }), // 7: 100 ms later: retransmission
    ];
    const events = run(cap, frames);
    expect(labels(events)).toEqual(['lost_segment@4', 'out_of_order@5', 'retransmission@7']);
    expect(view(events, 0, 'c2s').text).toBe('abcdefghi');
  });

  it('uses 3 ms as the out-of-order threshold when no handshake was seen', () => {
    const cap = new Capture();
    const frames = [
      cap.c({ seq: 103, data: 'def', ts: ms(0) }),
      cap.c({ seq: 106, data: 'ghi', ts: ms(1) }),
      cap.c({ seq: 103, data: 'def', ts: ms(3) }), // 2 ms after the highest: out of order
      cap.c({ seq: 103, data: 'def', ts: ms(5) }), // 4 ms after: retransmission
    ];
    const events = run(cap, frames, new TcpReassembler(), false, null);
    expect(labels(events)).toEqual(['out_of_order@3', 'retransmission@4']);
  });

  it('calls a resend after two duplicate ACKs a fast retransmission, and a resend of acknowledged bytes spurious', () => {
    const cap = new Capture();
    const frames = [
      ...slowHandshake(cap),
      cap.c({ seq: c(0), ack: s(0), data: 'aaa', ts: ms(100) }),
      cap.c({ seq: c(6), ack: s(0), data: 'ccc', ts: ms(101) }), // 5: lost_segment
      cap.s({ seq: s(0), ack: c(3), ts: ms(102) }),
      cap.s({ seq: s(0), ack: c(3), ts: ms(103) }), // dup ACK 1
      cap.s({ seq: s(0), ack: c(3), ts: ms(104) }), // dup ACK 2
      cap.c({ seq: c(3), ack: s(0), data: 'bbb', ts: ms(110) }), // 9: fast retransmission
      cap.s({ seq: s(0), ack: c(9), ts: ms(111) }),
      cap.c({ seq: c(0), ack: s(0), data: 'aaa', ts: ms(500) }), // 11: spurious
    ];
    const events = run(cap, frames);
    expect(labels(events)).toEqual([
      'lost_segment@5',
      'retransmission@9',
      'fast_retransmission@9',
      'retransmission@11',
      'spurious_retransmission@11',
    ]);
    expect(view(events, 0, 'c2s').text).toBe('aaabbbccc');
  });

  it.each([
    { name: 'a window update is not a duplicate ACK', windows: [65535, 1000, 1000], label: 'retransmission@9' },
    { name: 'the same window twice more is', windows: [65535, 65535, 65535], label: 'fast_retransmission@9' },
  ])('duplicate ACKs: $name', ({ windows, label }) => {
    const cap = new Capture();
    const frames = [
      ...handshake(cap), // 1, 2, 3 ms: a 2 ms first RTT
      cap.c({ seq: c(0), data: 'aaa', ts: ms(100) }),
      cap.c({ seq: c(6), data: 'ccc', ts: ms(101) }),
      ...windows.map((w, i) => {
        const f = cap.s({ seq: s(0), ack: c(3), ts: ms(102 + i) });
        f.tcp!.window = w;
        return f;
      }),
      cap.c({ seq: c(3), data: 'bbb', ts: ms(110) }),
    ];
    const events = run(cap, frames);
    expect(labels(events)).toContain('retransmission@9');
    expect(labels(events).includes('fast_retransmission@9')).toBe(label.startsWith('fast'));
  });

  it('labels a keep-alive', () => {
    const cap = new Capture();
    const frames = [...handshake(cap), cap.c({ seq: c(0), data: 'abc' }), cap.c({ seq: c(2), ack: s(0) })];
    expect(labels(run(cap, frames))).toEqual(['keep_alive@5']);
  });
});
