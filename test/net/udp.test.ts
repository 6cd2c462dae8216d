import { describe, expect, it } from 'vitest';
import type { DecodeError } from '../../src/net/decode-error.js';
import { decodeUdp } from '../../src/net/udp.js';
import { concat, patch, readFixture } from './helpers.js';

const sll2 = readFixture('sll2.pcap');
const snap = readFixture('snap.pcap');
const pad = readFixture('pad.pcap');

describe('decodeUdp', () => {
  it('decodes a real datagram', () => {
    // SLL2 20 + IPv4 20: d2e3 bb83 0014 fe27 0001 0203 0405 0607 0809 0a0b
    const d = sll2[0].data;
    const r = decodeUdp(d, 40, d.length, 20);
    expect(r.ok && { ...r.value, payload: Array.from(r.value.payload) }).toEqual({
      srcPort: 53987,
      dstPort: 48003,
      length: 20,
      payload: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    });
  });

  it('bounds the payload by the UDP length, not trailing padding', () => {
    const d = concat(pad[0].data, new Uint8Array(16));
    const r = decodeUdp(d, 34, d.length, 10);
    expect(r.ok && Array.from(r.value.payload)).toEqual([0, 1]);
  });

  it('gives what was captured of a datagram cut by the snap length', () => {
    const d = snap[0].data;
    const r = decodeUdp(d, 34, d.length, 308);
    expect(r.ok && r.value.length).toBe(308);
    expect(r.ok && r.value.payload.length).toBe(60 - 42);
  });

  it('stops on a length below 8 and notes one beyond the IP payload', () => {
    const bad = patch(sll2[0].data, 44, 0, 7);
    expect(decodeUdp(bad, 40, bad.length, 20)).toMatchObject({ ok: false, error: { code: 'udp.bad-length', offset: 44, available: 7 } });
    const long = patch(sll2[0].data, 44, 0, 40);
    const notes: DecodeError[] = [];
    const r = decodeUdp(long, 40, long.length, 20, notes);
    expect(r.ok && r.value.payload.length).toBe(12);
    expect(notes).toMatchObject([{ code: 'udp.length-exceeds-ip', required: 40, available: 20 }]);
    expect(decodeUdp(sll2[0].data, 40, 47, 20)).toMatchObject({ ok: false, error: { code: 'udp.header-too-short', available: 7 } });
  });
});
