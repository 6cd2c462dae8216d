// The record framer: whole records however the stream is split, several
// records per push, the length cap, gaps inside a record (lost, with its
// length) and over a header (hunt for the next record), and no exception for
// any truncation or any garbage.
import { describe, expect, it } from 'vitest';
import { MAX_FRAGMENT, RecordReader, type RecordEvent } from '../../src/tls/record.js';

function rec(type: number, body: number[] | Uint8Array, minor = 3): Uint8Array {
  const b = body instanceof Uint8Array ? body : Uint8Array.from(body);
  return Uint8Array.from([type, 3, minor, b.length >> 8, b.length & 0xff, ...b]);
}
const cat = (...p: Uint8Array[]): Uint8Array => Uint8Array.from(p.flatMap((x) => [...x]));

/** The records a reader frames from `stream` pushed in pieces of the given sizes. */
function frame(stream: Uint8Array, sizes: number[]): Array<[string, number, number, number]> {
  const r = new RecordReader();
  const out: Array<[string, number, number, number]> = [];
  let off = 0;
  let k = 0;
  while (off < stream.length) {
    const n = Math.min(sizes[k++ % sizes.length], stream.length - off);
    for (const e of r.push(stream.subarray(off, off + n), off)) out.push(summary(e));
    off += n;
  }
  return out;
}
function summary(e: RecordEvent): [string, number, number, number] {
  if (e.kind === 'record') return ['record', e.type, e.start, e.fragment.reduce((a, b) => a + b, 0)];
  if (e.kind === 'lost') return ['lost', e.type, e.start, e.length];
  if (e.kind === 'skipped') return ['skipped', 0, e.start, e.end];
  return ['error', 0, e.error.offset, 0];
}

// Three records: a handshake, a ChangeCipherSpec and 300 bytes of application data.
const stream = cat(rec(22, [1, 0, 0, 2, 9, 9]), rec(20, [1]), rec(23, new Uint8Array(300).map((_, i) => i & 0xff)));
const expected = frame(stream, [stream.length]);

describe('RecordReader', () => {
  it('frames several records from one push', () => {
    expect(expected.map((e) => e[0])).toEqual(['record', 'record', 'record']);
    expect(expected.map((e) => e[2])).toEqual([0, 11, 17]);
  });

  it('gives the same records for every split point of the stream', () => {
    for (let cut = 1; cut < stream.length; cut++) expect(frame(stream, [cut, stream.length])).toEqual(expected);
  });

  it('gives the same records when fed one byte at a time', () => {
    expect(frame(stream, [1])).toEqual(expected);
  });

  it('reports a record longer than 2^14 + 2048 as an error, then frames nothing more', () => {
    const r = new RecordReader();
    const evs = r.push(Uint8Array.from([23, 3, 3, (MAX_FRAGMENT + 1) >> 8, (MAX_FRAGMENT + 1) & 0xff, 0, 0]), 0);
    expect(evs.map((e) => e.kind)).toEqual(['error']);
    expect(evs[0].kind === 'error' && evs[0].error.code).toBe('tls.record-too-long');
    expect(r.push(stream, 7)).toEqual([]);
    expect(r.dead).toBe(true);
  });

  it('reports bytes that are not a record header as an error', () => {
    const evs = new RecordReader().push(new TextEncoder().encode('GET / HTTP/1.1\r\n'), 0);
    expect(evs[0].kind === 'error' && evs[0].error.code).toBe('tls.bad-record-header');
  });

  it('a gap inside a record gives the record as lost with its exact length, and framing goes on', () => {
    const r = new RecordReader();
    const out: RecordEvent[] = [];
    out.push(...r.push(stream.subarray(0, 30), 0)); // through part of the application data record
    out.push(...r.gap(100));
    out.push(...r.push(stream.subarray(130), 130));
    out.push(...r.push(rec(23, [7, 7]), stream.length));
    expect(out.map(summary)).toEqual([expected[0], expected[1], ['lost', 23, 17, 300], ['record', 23, stream.length, 14]]);
  });

  it('a gap over a header makes the reader hunt for the next record, reporting what it skipped', () => {
    const tail = cat(rec(23, [1, 2, 3]), rec(23, [4]));
    const r = new RecordReader();
    const out: RecordEvent[] = [];
    out.push(...r.push(stream.subarray(0, 17), 0));
    out.push(...r.gap(2)); // header of the 300-byte record lost
    out.push(...r.push(stream.subarray(19), 19));
    out.push(...r.push(tail, stream.length));
    const s = out.map(summary);
    expect(s.slice(0, 2)).toEqual(expected.slice(0, 2));
    // Plausible headers inside the lost record's body may be taken first, but
    // the last two records are always found.
    expect(s.slice(-2)).toEqual([
      ['record', 23, stream.length, 6],
      ['record', 23, stream.length + 8, 4],
    ]);
    expect(s.some((e) => e[0] === 'skipped')).toBe(true);
  });

  it('finds a header that straddles two pushes while hunting', () => {
    const next = rec(23, [5, 5, 5]);
    const r = new RecordReader();
    r.push(stream.subarray(0, 17), 0);
    r.gap(400);
    const junk = new Uint8Array(10); // zeros: never a header
    const a = r.push(cat(junk, next.subarray(0, 2)), 417);
    const b = r.push(next.subarray(2), 429);
    expect([...a, ...b].map(summary)).toEqual([
      ['skipped', 0, 17, 427],
      ['record', 23, 427, 15],
    ]);
  });

  it('frames an SSL 2.0-format ClientHello (2-byte header) as the first record only, however split', () => {
    const msg = Uint8Array.from([1, 3, 1, 0, 3, 0, 0, 0, 16, 0, 0, 0x2f, ...new Array(16).fill(7)]);
    const v2 = cat(Uint8Array.from([0x80, msg.length]), msg);
    const s2 = cat(v2, rec(22, [2, 0, 0, 0]));
    const whole = frame(s2, [s2.length]);
    expect(whole.map((e) => [e[0], e[1], e[2]])).toEqual([
      ['record', 0x80, 0],
      ['record', 22, v2.length],
    ]);
    expect(frame(s2, [1])).toEqual(whole);
    // Later in the stream the high bit is just a bad header.
    const late = frame(cat(rec(22, [1]), v2), [100]);
    expect(late.map((e) => e[0])).toEqual(['record', 'error']);
  });

  it('never throws, whatever the bytes and wherever the stream stops', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256);
    for (let t = 0; t < 300; t++) {
      const junk = Uint8Array.from({ length: 64 }, rnd);
      junk[0] = 22;
      junk[1] = 3;
      const r = new RecordReader();
      expect(() => {
        r.push(junk.subarray(0, t % 64), 0);
        r.gap(rnd());
        r.push(junk, (t % 64) + 300);
      }).not.toThrow();
    }
    for (let n = 0; n <= stream.length; n++) expect(() => frame(stream.subarray(0, n), [3])).not.toThrow();
  });
});
