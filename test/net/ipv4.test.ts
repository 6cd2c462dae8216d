import { describe, expect, it } from 'vitest';
import { decodeIpv4 } from '../../src/net/ipv4.js';
import { concat, patch, readFixture } from './helpers.js';

const lo4 = readFixture('lo4.pcap');
const frag4 = readFixture('frag4.pcap');
const snap = readFixture('snap.pcap');
const pad = readFixture('pad.pcap');

describe('decodeIpv4', () => {
  it('decodes a real SYN header', () => {
    // 0x000e: 4500 003c ff66 4000 4006 3d53 7f00 0001 7f00 0001
    const r = decodeIpv4(lo4[0].data, 14);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.header).toEqual({
      version: 4,
      src: '127.0.0.1',
      dst: '127.0.0.1',
      protocol: 6,
      ttl: 64,
      headerLength: 20,
      payloadLength: 40,
      id: 0xff66,
    });
    expect(r.value).toMatchObject({ payloadOffset: 34, payloadEnd: 74, isFragment: false, truncated: false, trailer: 0 });
  });

  it('reads the fragment fields of real fragments', () => {
    const offsets = frag4.map((rec) => {
      const r = decodeIpv4(rec.data, 14);
      return r.ok ? [r.value.fragmentOffset, r.value.moreFragments, r.value.isFragment, r.value.header.id] : null;
    });
    expect(offsets).toEqual([
      [0, true, true, 54865],
      [1480, true, true, 54865],
      [2960, false, true, 54865],
    ]);
  });

  it('keeps going on a frame cut by the snap length, with the claimed payload length', () => {
    // snap.pcap: 60 of 342 bytes captured, total length 328
    const r = decodeIpv4(snap[0].data, 14);
    expect(r.ok && r.value).toMatchObject({ truncated: true, payloadEnd: 60, header: { payloadLength: 308 } });
  });

  it('trims Ethernet padding to the total length', () => {
    const padded = concat(pad[0].data, new Uint8Array(16)); // 44 -> 60 bytes, as a NIC pads
    const r = decodeIpv4(padded, 14);
    expect(r.ok && r.value).toMatchObject({ payloadEnd: 44, trailer: 16, truncated: false });
  });

  it('skips options by the IHL', () => {
    // IHL 6 with a 4-byte NOP option: rebuild the real header with one option word.
    const d = lo4[0].data;
    const withOpt = concat(d.subarray(14, 34), [1, 1, 1, 0], d.subarray(34));
    withOpt[0] = 0x46;
    withOpt[3] += 4; // total length 64
    const r = decodeIpv4(withOpt, 0);
    expect(r.ok && r.value).toMatchObject({ payloadOffset: 24, header: { headerLength: 24, payloadLength: 40 } });
    expect(r.ok && withOpt[r.value.payloadOffset]).toBe(d[34]);
  });

  it.each([
    ['IHL below 5', patch(lo4[0].data, 14, 0x44), { code: 'ipv4.bad-ihl', offset: 14, available: 16, lenSource: 'ipv4.ihl' }],
    ['wrong version', patch(lo4[0].data, 14, 0x65), { code: 'ipv4.bad-version', offset: 14 }],
    ['IHL past the data', patch(lo4[0].data.subarray(0, 40), 14, 0x4f), { code: 'ipv4.header-too-short', required: 60, available: 26 }],
    ['total length below the header', patch(lo4[0].data, 16, 0, 10), { code: 'ipv4.bad-total-length', offset: 16 }],
    ['fewer than 20 bytes', lo4[0].data.subarray(0, 30), { code: 'ipv4.header-too-short', offset: 14, required: 20, available: 16 }],
  ])('stops on %s', (_name, data, error) => {
    const r = decodeIpv4(data, 14);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatchObject({ layer: 'ipv4', ...error });
  });
});
