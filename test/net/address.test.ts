import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6, formatMac } from '../../src/net/address.js';
import { ByteView, bytesAt, u16be, u16le, u32be, u32le, u8 } from '../../src/net/bytes.js';

function v6(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

describe('formatIpv6 (RFC 5952)', () => {
  it.each([
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['fd000099000000000000000000000002', 'fd00:99::2'],
    ['20010db8000000000000000000000001', '2001:db8::1'],
    // a single zero group is not compressed (4.2.2)
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
    // the longest run wins (4.2.3)
    ['20010db8000000000001000000000000', '2001:db8:0:0:1::'],
    // on a tie, the first run (4.2.3)
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    // lower case, no leading zeros (4.1, 4.3)
    ['20010DB8ABCD00EF0000000000000A0B'.toLowerCase(), '2001:db8:abcd:ef::a0b'],
    // IPv4-mapped (5)
    ['00000000000000000000ffffc0000280', '::ffff:192.0.2.128'],
    ['10000000000000000000000000000000', '1000::'],
  ])('%s -> %s', (hex, text) => {
    expect(formatIpv6(v6(hex), 0)).toBe(text);
  });

  it('reads at an offset', () => {
    const b = new Uint8Array(20);
    b[4 + 15] = 1;
    expect(formatIpv6(b, 4)).toBe('::1');
  });
});

describe('formatMac / formatIpv4', () => {
  it('formats lower-case colon hex and dotted quads', () => {
    const b = Uint8Array.from([0x00, 0x21, 0x63, 0x0f, 0x20, 0x7b, 10, 99, 1, 2]);
    expect(formatMac(b, 0)).toBe('00:21:63:0f:20:7b');
    expect(formatIpv4(b, 6)).toBe('10.99.1.2');
  });

  it('stays right when many addresses share the cache of dotted quads', () => {
    // Far more addresses than cache slots, visited twice: every slot is
    // overwritten and re-read, including 0.0.0.0 and the high-bit addresses.
    const b = new Uint8Array(4);
    const view = new DataView(b.buffer);
    const values = [0, 0xffffffff, 0x80000000];
    for (let i = 0; i < 20000; i++) values.push(Math.imul(i, 2654435761) >>> 0);
    for (let pass = 0; pass < 2; pass++) {
      for (const v of values) {
        view.setUint32(0, v);
        expect(formatIpv4(b, 0)).toBe(`${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`);
      }
    }
  });
});

describe('bounded reads', () => {
  const b = Uint8Array.from([1, 2, 3, 4, 0xff]);
  it('reads in both byte orders', () => {
    expect(u8(b, 4)).toBe(0xff);
    expect(u16be(b, 0)).toBe(0x0102);
    expect(u16le(b, 0)).toBe(0x0201);
    expect(u32be(b, 1)).toBe(0x020304ff);
    expect(u32le(b, 1)).toBe(0xff040302); // unsigned, not negative
  });
  it('returns undefined past the end or before the start', () => {
    expect(u8(b, 5)).toBeUndefined();
    expect(u16be(b, 4)).toBeUndefined();
    expect(u32be(b, 2)).toBeUndefined();
    expect(u32le(b, -1)).toBeUndefined();
    expect(bytesAt(b, 3, 3)).toBeUndefined();
    expect(Array.from(bytesAt(b, 3, 2)!)).toEqual([4, 0xff]);
  });
  it('ByteView narrows without copying and stays bounded', () => {
    const v = new ByteView(b).sub(1, 100);
    expect(v.length).toBe(4);
    expect(v.u16(0)).toBe(0x0203);
    expect(v.u32(1)).toBeUndefined();
    expect(v.remaining(3)).toBe(1);
    expect(v.bytesAt(0, 2)!.buffer).toBe(b.buffer);
  });
});
