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

describe('the Ethernet/IPv4/TCP fast path', () => {
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
