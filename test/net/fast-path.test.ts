// The Ethernet/IPv4/TCP fast path must give exactly what the layered decoder
// gives, on good frames and on every near miss: each header byte changed,
// every cut of the frame, snap-length cuts. Both decoders see the same records
// in the same order, so their defragmenter state and counters stay in step.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import type { CaptureRecord } from '../../src/capture/source.js';
import { decodeEthernetIpv4Tcp } from '../../src/net/fast-path.js';
import { FrameDecoder } from '../../src/net/frame-decoder.js';
import { patch, readFixture, withData } from './helpers.js';

/** The frame as text: every key in order, bytes as hex (toStrictEqual is too slow for whole captures). */
function text(f: unknown): string {
  return JSON.stringify(f, (_k, v) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v === undefined ? '(undefined)' : v,
  );
}

function compare(records: CaptureRecord[], strict: boolean): { fast: number } {
  const fast = new FrameDecoder();
  const layered = new FrameDecoder({ fastPath: false });
  let taken = 0;
  const transient = new FrameDecoder();
  let reused: unknown;
  for (const rec of records) {
    if (decodeEthernetIpv4Tcp(rec, []) !== undefined) taken++;
    const a = fast.decode(rec);
    const b = layered.decode(rec);
    // Written into the same object each time it takes the fast path, and the same frame as text.
    const t = transient.decodeTransient(rec);
    if (decodeEthernetIpv4Tcp(rec, []) !== undefined) {
      if (reused !== undefined) expect(t).toBe(reused);
      reused = t;
    }
    const tt = text(t);
    if (tt !== text(b)) expect(tt, `frame ${rec.frame} (transient)`).toBe(text(b));
    if (strict) expect(a, `frame ${rec.frame}`).toStrictEqual(b);
    // The same key order too (anything that lists keys sees the same frame).
    const ta = text(a);
    const tb = text(b);
    if (ta !== tb) expect(ta, `frame ${rec.frame}`).toBe(tb);
  }
  fast.flush();
  layered.flush();
  expect(fast.stats).toStrictEqual(layered.stats);
  return { fast: taken };
}

/** Every header byte of the frame (Ethernet, IPv4, TCP with options) set to a few telling values. */
function mutations(rec: CaptureRecord): CaptureRecord[] {
  const out: CaptureRecord[] = [];
  const headers = Math.min(rec.data.length, 14 + 60 + 60);
  for (let at = 0; at < headers; at++) {
    for (const v of [0x00, 0xff, rec.data[at] ^ 0x01, rec.data[at] ^ 0x10, rec.data[at] ^ 0x40, 0x06, 0x45, 0x50]) {
      out.push(withData(rec, patch(rec.data, at, v)));
    }
  }
  for (let cut = 0; cut < rec.data.length; cut++) {
    out.push(withData(rec, rec.data.subarray(0, cut)));
    // The same cut made by a snap length: origLen still says the whole frame.
    out.push({ ...rec, data: rec.data.subarray(0, cut) });
  }
  return out;
}

/** The record as a classic pcap reader hands it out: its bytes inside a larger chunk, `data` made when read. */
function inChunk(rec: CaptureRecord, pad: number): CaptureRecord {
  const capLen = rec.data.length;
  const chunk = new Uint8Array(pad + capLen + 13).fill(0xee);
  chunk.set(rec.data, pad);
  return {
    frame: rec.frame,
    timestampNs: rec.timestampNs,
    linkType: rec.linkType,
    origLen: rec.origLen,
    interfaceId: 0,
    chunk,
    chunkAt: pad,
    capLen,
    get data() {
      return chunk.subarray(pad, pad + capLen);
    },
  };
}

describe('the Ethernet/IPv4/TCP fast path', () => {
  it('reads a frame where it lies in the reader\'s chunk as it reads the frame alone, notes placed in the frame', () => {
    const base = readFixture('lo4.pcap').slice(0, 4);
    const records = [...base];
    for (const rec of base) records.push(...mutations(rec));
    const chunked = records.map((r, i) => inChunk({ ...r, frame: i + 1 }, 16 + (i % 50)));
    const { fast } = compare(chunked, true);
    expect(fast).toBeGreaterThan(100);
    // A bad option length is noted at its offset in the frame, not in the chunk (and it was taken fast).
    const syn = base.find((r) => r.data[14 + 20 + 12] >> 4 > 5)!;
    const bad = withData(syn, patch(syn.data, 14 + 20 + 21, 1)); // the first option's length byte: 1
    const notes: Parameters<typeof decodeEthernetIpv4Tcp>[1] = [];
    expect(decodeEthernetIpv4Tcp(inChunk(bad, 40), notes)).toBeDefined();
    const plain: typeof notes = [];
    decodeEthernetIpv4Tcp(bad, plain);
    expect(plain.length).toBeGreaterThan(0);
    expect(notes).toEqual(plain);
  });


  it('matches the layered decoder on the fixtures and every mutation of their TCP frames', () => {
    const fixtures = ['lo4.pcap', 'lo6.pcap', 'frag4.pcap', 'snap.pcap', 'pad.pcap', 'sll1.pcap'].flatMap((n) => readFixture(n));
    const records = [...fixtures];
    for (const rec of readFixture('lo4.pcap').slice(0, 4)) records.push(...mutations(rec));
    const { fast } = compare(records.map((r, i) => ({ ...r, frame: i + 1 })), true);
    expect(fast).toBeGreaterThan(100); // the fast path was really taken
  });

  it('matches the layered decoder on every test capture', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'captures');
    const files = readdirSync(dir).filter((n) => n.endsWith('.pcap') || n.endsWith('.pcapng'));
    expect(files.length).toBeGreaterThan(10);
    let taken = 0;
    for (const name of files) {
      const source = await openCapture(join(dir, name));
      const records: CaptureRecord[] = [];
      for await (const batch of source.batches()) records.push(...batch);
      taken += compare(records, false).fast;
    }
    expect(taken).toBeGreaterThan(1000);
  }, 120_000);
});
