import { describe, expect, it } from 'vitest';
import type { DecodeError } from '../../src/net/decode-error.js';
import { IpDefragmenter, type FragmentIn } from '../../src/net/ip-defrag.js';
import { decodeIpv4 } from '../../src/net/ipv4.js';
import { decodeIpv6 } from '../../src/net/ipv6.js';
import type { CaptureRecord } from '../../src/capture/source.js';
import { readFixture } from './helpers.js';

const frag4 = readFixture('frag4.pcap');
const frag6 = readFixture('frag6.pcap');

/** The fragment as the frame decoder would hand it over. */
function fragmentOf(rec: CaptureRecord): FragmentIn {
  const r = rec.data[14] >> 4 === 4 ? decodeIpv4(rec.data, 14) : decodeIpv6(rec.data, 14);
  if (!r.ok) throw new Error(r.error.code);
  const v = r.value;
  return {
    version: v.header.version,
    src: v.header.src,
    dst: v.header.dst,
    protocol: v.header.protocol,
    id: v.header.id!,
    offset: v.fragmentOffset,
    moreFragments: v.moreFragments,
    data: rec.data.subarray(v.payloadOffset, v.payloadEnd),
    claimedLength: v.header.payloadLength,
    frame: rec.frame,
    timestampNs: rec.timestampNs,
  };
}

/** The UDP datagram udp_send.py sent: 8-byte header, then 4000 bytes of i % 251. */
function expectSentDatagram(data: Uint8Array, srcPort: number): void {
  expect(data.length).toBe(4008);
  expect(Array.from(data.subarray(0, 6))).toEqual([srcPort >> 8, srcPort & 0xff, 0xbb, 0x8a, 0x0f, 0xa8]);
  for (let i = 0; i < 4000; i++) if (data[8 + i] !== i % 251) expect.fail(`byte ${i} is ${data[8 + i]}`);
}

describe('IpDefragmenter on real fragments', () => {
  it('reassembles the IPv4 datagram in order', () => {
    const d = new IpDefragmenter();
    const notes: DecodeError[] = [];
    expect(d.push(fragmentOf(frag4[0]), notes).kind).toBe('pending');
    expect(d.push(fragmentOf(frag4[1]), notes).kind).toBe('pending');
    const out = d.push(fragmentOf(frag4[2]), notes);
    expect(out.kind).toBe('complete');
    if (out.kind !== 'complete') return;
    expect(out.frames).toEqual([1, 2, 3]);
    expectSentDatagram(out.data, 32785);
    expect(out.data.buffer).not.toBe(frag4[0].data.buffer); // owned copy
    expect(notes).toEqual([]);
    expect(d.stats).toEqual({ fragments: 3, reassembled: 1, incomplete: 0 });
    expect(d.pendingCount).toBe(0);
  });

  it('reassembles out of order and lists frames in offset order', () => {
    const d = new IpDefragmenter();
    const notes: DecodeError[] = [];
    d.push(fragmentOf(frag4[2]), notes);
    d.push(fragmentOf(frag4[0]), notes);
    const out = d.push(fragmentOf(frag4[1]), notes);
    expect(out.kind === 'complete' && out.frames).toEqual([1, 2, 3]);
    if (out.kind === 'complete') expectSentDatagram(out.data, 32785);
  });

  it('reassembles the IPv6 datagram', () => {
    const d = new IpDefragmenter();
    const notes: DecodeError[] = [];
    const outs = [frag6[1], frag6[2], frag6[0]].map((r) => d.push(fragmentOf(r), notes));
    const last = outs[2];
    expect(outs.map((o) => o.kind)).toEqual(['pending', 'pending', 'complete']);
    if (last.kind === 'complete') {
      expect(last.frames).toEqual([1, 2, 3]);
      expectSentDatagram(last.data, 53604);
    }
  });

  it('accepts a duplicate fragment silently', () => {
    const d = new IpDefragmenter();
    const notes: DecodeError[] = [];
    d.push(fragmentOf(frag4[0]), notes);
    d.push(fragmentOf(frag4[0]), notes);
    d.push(fragmentOf(frag4[1]), notes);
    const out = d.push(fragmentOf(frag4[2]), notes);
    expect(out.kind).toBe('complete');
    expect(notes).toEqual([]);
  });

  it('notes an overlap with conflicting bytes and keeps the first data', () => {
    const d = new IpDefragmenter();
    const notes: DecodeError[] = [];
    d.push(fragmentOf(frag4[0]), notes);
    // A forged copy of the middle fragment starting 8 bytes earlier, with different bytes.
    const mid = fragmentOf(frag4[1]);
    const forged = new Uint8Array(mid.data.length + 8).fill(0xee);
    d.push({ ...mid, offset: mid.offset - 8, data: forged, claimedLength: forged.length, frame: 9 }, notes);
    expect(notes).toMatchObject([{ layer: 'ip-defrag', code: 'ip-defrag.overlap-conflict', frame: 9 }]);
    const out = d.push(fragmentOf(frag4[2]), notes);
    expect(out.kind).toBe('complete');
    if (out.kind !== 'complete') return;
    // Bytes 0..1479 from the real first fragment; the forged ones fill 1480.. up to the last fragment.
    expect(out.data[1479]).toBe(frag4[0].data[frag4[0].data.length - 1]);
    expect(out.data[1480]).toBe(0xee);
    expect(out.frames).toEqual([1, 9, 3]);
  });

  it('refuses a fragment claiming past 64 KiB', () => {
    const d = new IpDefragmenter();
    const notes: DecodeError[] = [];
    const f = fragmentOf(frag4[1]);
    expect(d.push({ ...f, offset: 8191 * 8 }, notes).kind).toBe('dropped');
    expect(notes).toMatchObject([{ code: 'ip-defrag.too-long' }]);
    expect(d.pendingCount).toBe(0);
  });

  it('refuses a second, different end and data past the end', () => {
    const d = new IpDefragmenter();
    const notes: DecodeError[] = [];
    const last = fragmentOf(frag4[2]);
    d.push(last, notes);
    expect(d.push({ ...last, offset: last.offset + 8 }, notes).kind).toBe('dropped');
    expect(d.push({ ...fragmentOf(frag4[1]), offset: last.offset + 8 }, notes).kind).toBe('dropped');
    expect(notes.map((n) => n.code)).toEqual(['ip-defrag.inconsistent-length', 'ip-defrag.beyond-end']);
  });

  it('never completes a datagram whose fragment was cut by the snap length', () => {
    const d = new IpDefragmenter();
    const notes: DecodeError[] = [];
    const cut = fragmentOf(frag4[1]);
    d.push(fragmentOf(frag4[0]), notes);
    d.push({ ...cut, data: cut.data.subarray(0, 100) }, notes);
    expect(d.push(fragmentOf(frag4[2]), notes).kind).toBe('pending');
    expect(d.flush()).toBe(1);
    expect(d.stats.incomplete).toBe(1);
  });

  it('times out datagrams in capture time', () => {
    const d = new IpDefragmenter({ timeoutNs: 30_000_000_000n });
    const notes: DecodeError[] = [];
    const first = fragmentOf(frag4[0]);
    d.push(first, notes);
    const later = { ...fragmentOf(frag4[1]), timestampNs: first.timestampNs + 31_000_000_000n };
    expect(d.push(later, notes).kind).toBe('pending'); // the first fragment is gone
    expect(d.stats.incomplete).toBe(1);
    expect(d.pendingCount).toBe(1);
  });

  it('evicts the oldest datagram beyond the pending cap', () => {
    const d = new IpDefragmenter({ maxPending: 2 });
    const notes: DecodeError[] = [];
    const f = fragmentOf(frag4[0]);
    for (const id of [1, 2, 3]) d.push({ ...f, id }, notes);
    expect(d.pendingCount).toBe(2);
    expect(d.stats.incomplete).toBe(1);
    // id 1 was evicted: its remaining fragments cannot complete it
    d.push({ ...fragmentOf(frag4[1]), id: 1 }, notes);
    expect(d.push({ ...fragmentOf(frag4[2]), id: 1 }, notes).kind).toBe('pending');
  });

  it('bounds the fragments of one datagram', () => {
    const d = new IpDefragmenter({ maxFragments: 4 });
    const notes: DecodeError[] = [];
    const f = fragmentOf(frag4[0]);
    const outs = [0, 8, 16, 24, 32].map((offset) => d.push({ ...f, offset, data: f.data.subarray(0, 8), claimedLength: 8 }, notes).kind);
    expect(outs).toEqual(['pending', 'pending', 'pending', 'pending', 'dropped']);
    expect(notes.map((n) => n.code)).toEqual(['ip-defrag.too-many-fragments']);
    expect(d.pendingCount).toBe(0);
  });
});
