import { describe, expect, it } from 'vitest';
import type { DecodeError } from '../../src/net/decode-error.js';
import { TCP_ACK, TCP_PSH, TCP_SYN } from '../../src/net/packet.js';
import { decodeTcp } from '../../src/net/tcp.js';
import { concat, patch, readFixture } from './helpers.js';

const lo4 = readFixture('lo4.pcap');
const lo6 = readFixture('lo6.pcap');
const TCP4 = 34; // Ethernet 14 + IPv4 20

/** The TCP header of a real frame with `options` in place of its own, data offset fixed up. */
function withOptions(frame: number, options: number[]): Uint8Array {
  const seg = lo4[frame].data.subarray(TCP4);
  const hl = (seg[12] >> 4) * 4;
  const out = concat(seg.subarray(0, 20), options, seg.subarray(hl));
  out[12] = ((20 + options.length) / 4) << 4;
  return out;
}

describe('decodeTcp', () => {
  it('decodes the real SYN and its options', () => {
    // tcpdump: seq 2320488276, win 65495, options [mss 65495,sackOK,TS val 777158780 ecr 0,nop,wscale 10]
    const d = lo4[0].data;
    const r = decodeTcp(d, TCP4, d.length, 40);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { payload, ...rest } = r.value;
    expect(rest).toEqual({
      srcPort: 47492,
      dstPort: 48001,
      seq: 2320488276,
      ack: 0,
      flags: TCP_SYN,
      window: 65495,
      headerLength: 40,
      options: { mss: 65495, sackPermitted: true, timestamp: [777158780, 0], windowScale: 10 },
      payloadLength: 0,
    });
    expect(payload.length).toBe(0);
  });

  it('gives the payload of a real data segment as a view into the frame', () => {
    const d = lo4[3].data;
    const r = decodeTcp(d, TCP4, d.length, d.length - TCP4);
    expect(r.ok && r.value.flags).toBe(TCP_PSH | TCP_ACK);
    expect(r.ok && r.value.seq).toBe(2320488277);
    expect(r.ok && r.value.payloadLength).toBe(64);
    const p = r.ok ? r.value.payload : new Uint8Array();
    expect(Buffer.from(p).toString('latin1')).toMatch(/^POST \/ucdevice\.upx HTTP\/1\.1\r\n/);
    expect(p.buffer).toBe(d.buffer);
  });

  it('decodes the same segment over IPv6', () => {
    const d = lo6[0].data;
    const r = decodeTcp(d, 54, d.length, 40);
    expect(r.ok && r.value.options).toEqual({ mss: 65476, sackPermitted: true, timestamp: [3983270408, 0], windowScale: 10 });
  });

  it('decodes SACK blocks', () => {
    const seg = withOptions(2, [1, 1, 5, 18, 0x8a, 0x4f, 0xd7, 0x60, 0x8a, 0x4f, 0xd7, 0x70, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10, 0, 0]);
    const r = decodeTcp(seg, 0, seg.length, seg.length);
    expect(r.ok && r.value.options.sack).toEqual([
      [0x8a4fd760, 0x8a4fd770],
      [0xfffffff0, 0x10],
    ]);
  });

  it('notes a zero option length and stops the walk without hanging', () => {
    const seg = withOptions(2, [2, 0, 0, 0, 3, 3, 7, 0]);
    const notes: DecodeError[] = [];
    const r = decodeTcp(seg, 0, seg.length, seg.length, notes);
    expect(r.ok && r.value.options).toEqual({});
    expect(notes).toMatchObject([{ code: 'tcp.bad-option-length', offset: 20 }]);
  });

  it('notes an option running past the header, keeping those before it', () => {
    const seg = withOptions(2, [3, 3, 7, 8, 10, 0, 0, 0]); // wscale 7, then TS claiming 10 bytes with 5 left
    const notes: DecodeError[] = [];
    const r = decodeTcp(seg, 0, seg.length, seg.length, notes);
    expect(r.ok && r.value.options).toEqual({ windowScale: 7 });
    expect(notes).toMatchObject([{ code: 'tcp.option-truncated', offset: 23, required: 10, available: 5 }]);
  });

  it('notes a known option with the wrong length and skips it', () => {
    const seg = withOptions(2, [2, 3, 5, 4, 2, 1, 1, 1]); // MSS of length 3, then SACK-permitted
    const notes: DecodeError[] = [];
    const r = decodeTcp(seg, 0, seg.length, seg.length, notes);
    expect(r.ok && r.value.options).toEqual({ sackPermitted: true });
    expect(notes.map((n) => n.code)).toEqual(['tcp.bad-option-length']);
  });

  it.each([
    ['data offset below 5', patch(lo4[0].data, TCP4 + 12, 0x40), 40, { code: 'tcp.bad-data-offset', offset: TCP4 + 12, lenSource: 'tcp.data-offset' }],
    ['data offset past the segment', patch(lo4[0].data, TCP4 + 12, 0xf0), 40, { code: 'tcp.bad-data-offset', required: 60, available: 40 }],
    ['header cut short', lo4[0].data.subarray(0, TCP4 + 30), 40, { code: 'tcp.header-too-short', required: 40, available: 30 }],
    ['fewer than 20 bytes', lo4[0].data.subarray(0, TCP4 + 19), 40, { code: 'tcp.header-too-short', required: 20, available: 19 }],
  ])('stops on %s', (_n, data, claimed, error) => {
    const r = decodeTcp(data, TCP4, data.length, claimed);
    expect(!r.ok && r.error).toMatchObject({ layer: 'tcp', ...error });
  });
});
