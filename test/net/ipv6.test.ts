import { describe, expect, it } from 'vitest';
import { decodeIpv6, walkIpv6Extensions, MAX_EXTENSION_HEADERS } from '../../src/net/ipv6.js';
import { concat, patch, readFixture } from './helpers.js';

const lo6 = readFixture('lo6.pcap');
const frag6 = readFixture('frag6.pcap');

/** The real SYN's IPv6 packet with extension headers spliced in after the fixed header. */
function withExtensions(first: number, ext: number[]): Uint8Array {
  const ip = lo6[0].data.subarray(14);
  const out = concat(ip.subarray(0, 40), ext, ip.subarray(40));
  const plen = ((ip[4] << 8) | ip[5]) + ext.length;
  out[4] = plen >> 8;
  out[5] = plen & 0xff;
  out[6] = first;
  return out;
}

describe('decodeIpv6', () => {
  it('decodes the real SYN over ::1', () => {
    const r = decodeIpv6(lo6[0].data, 14);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.header).toEqual({
      version: 6,
      src: '::1',
      dst: '::1',
      protocol: 6,
      ttl: 64,
      headerLength: 40,
      payloadLength: 40,
      id: undefined,
    });
    expect(r.value).toMatchObject({ payloadOffset: 54, payloadEnd: 94, isFragment: false });
  });

  it('reads real fragment headers', () => {
    const got = frag6.map((rec) => {
      const r = decodeIpv6(rec.data, 14);
      return r.ok ? [r.value.header.src, r.value.header.protocol, r.value.fragmentOffset, r.value.moreFragments, r.value.header.id, r.value.header.headerLength] : null;
    });
    expect(got).toEqual([
      ['fd00:99::1', 17, 0, true, 0x4583da4b, 48],
      ['fd00:99::1', 17, 1448, true, 0x4583da4b, 48],
      ['fd00:99::1', 17, 2896, false, 0x4583da4b, 48],
    ]);
  });

  it('walks hop-by-hop, routing, destination options and AH to TCP', () => {
    const ext = [
      43, 0, 1, 4, 0, 0, 0, 0, // hop-by-hop (8 bytes, PadN) -> routing
      60, 0, 0, 0, 0, 0, 0, 0, // routing type 0, segments left 0 (8 bytes) -> dst opts
      51, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // dst opts (16 bytes) -> AH
      6, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, // AH, length 2 -> (2+2)*4 = 16 bytes -> TCP
    ];
    const d = withExtensions(0, ext);
    const r = decodeIpv6(d, 0);
    expect(r.ok && r.value).toMatchObject({ payloadOffset: 88, header: { protocol: 6, headerLength: 88, payloadLength: 40 } });
  });

  it('stops at ESP, whose payload is opaque', () => {
    const d = withExtensions(50, []);
    const r = decodeIpv6(d, 0);
    expect(r.ok && r.value).toMatchObject({ payloadOffset: 40, header: { protocol: 50 } });
  });

  it('treats an atomic fragment (offset 0, M=0) as a whole datagram', () => {
    const r = decodeIpv6(withExtensions(44, [6, 0, 0, 0, 0, 0, 0, 9]), 0);
    expect(r.ok && r.value).toMatchObject({ isFragment: false, payloadOffset: 48, header: { protocol: 6, id: 9 } });
  });

  it('stops on an extension header longer than the packet', () => {
    const r = decodeIpv6(withExtensions(60, [6, 200, 0, 0, 0, 0, 0, 0]), 0);
    expect(!r.ok && r.error).toMatchObject({ code: 'ipv6.extension-header-too-short', offset: 40, required: 1608, lenSource: 'ipv6.ext-60-length' });
  });

  it('bounds the extension header walk', () => {
    const chain = new Uint8Array(8 * 40);
    const w = walkIpv6Extensions(chain, 0, chain.length, 0); // hop-by-hop pointing to hop-by-hop, forever
    expect(!w.ok && w.error.code).toBe('ipv6.too-many-extension-headers');
    expect(!w.ok && w.error.offset).toBe(8 * MAX_EXTENSION_HEADERS);
  });

  it.each([
    ['short header', lo6[0].data.subarray(0, 50), { code: 'ipv6.header-too-short', required: 40, available: 36 }],
    ['wrong version', patch(lo6[0].data, 14, 0x40), { code: 'ipv6.bad-version' }],
    ['jumbogram', patch(lo6[0].data, 18, 0, 0, 0), { code: 'ipv6.jumbogram-unsupported', offset: 18 }],
  ])('stops on %s', (_n, data, error) => {
    const r = decodeIpv6(data, 14);
    expect(!r.ok && r.error).toMatchObject({ layer: 'ipv6', ...error });
  });
});
