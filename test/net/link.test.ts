// Link layer decoders on real frames (fixtures/*.txt show the bytes).
import { describe, expect, it } from 'vitest';
import { decodeEthernet, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from '../../src/net/ethernet.js';
import { linkTypeName, isKnownLinkType, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW_OLD_14 } from '../../src/net/link-types.js';
import { decodeLoop, decodeNull } from '../../src/net/null.js';
import { decodeRaw } from '../../src/net/raw.js';
import { decodeSll, decodeSll2, SLL_HOST } from '../../src/net/sll.js';
import { decodeVlanStack, MAX_VLAN_TAGS } from '../../src/net/vlan.js';
import type { VlanTag } from '../../src/net/packet.js';
import { concat, readFixture } from './helpers.js';

const frag4 = readFixture('frag4.pcap');
const sll1 = readFixture('sll1.pcap');
const sll2 = readFixture('sll2.pcap');

describe('decodeEthernet', () => {
  it('reads MACs and the EtherType of a real veth frame', () => {
    // 0x0000: 8a32 0403 c1c5 2261 bf0e 3959 0800 4500
    const r = decodeEthernet(frag4[0].data, 0);
    expect(r.ok && r.value).toEqual({
      dst: '8a:32:04:03:c1:c5',
      src: '22:61:bf:0e:39:59',
      etherType: ETHERTYPE_IPV4,
      llc: false,
      payloadOffset: 14,
    });
  });

  it('flags an 802.3 length field (< 0x0600) as LLC', () => {
    const d = Uint8Array.from(frag4[0].data.subarray(0, 20));
    d[12] = 0x00;
    d[13] = 0x26; // length 38, then LLC 42 42 03 (spanning tree)
    const r = decodeEthernet(d, 0);
    expect(r.ok && r.value.llc).toBe(true);
    expect(r.ok && r.value.etherType).toBe(0x26);
  });

  it('stops on a short header with required/available', () => {
    const r = decodeEthernet(frag4[0].data.subarray(0, 13), 0);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatchObject({ code: 'ethernet.header-too-short', offset: 0, required: 14, available: 13 });
  });
});

describe('decodeVlanStack', () => {
  // Tags made by hand: 802.1ad outer (id 20), 802.1Q (id 30, pcp 5, DEI), 802.1Q (id 40), then IPv4.
  const tags = Uint8Array.from([0x00, 0x14, 0x81, 0x00, 0xb0, 0x1e, 0x81, 0x00, 0x00, 0x28, 0x08, 0x00, 0x45]);

  it('decodes a stack of 3, outermost first', () => {
    const out: VlanTag[] = [];
    const r = decodeVlanStack(tags, 0, 0x88a8, out);
    expect(r.ok && r.value).toEqual({ etherType: ETHERTYPE_IPV4, payloadOffset: 12 });
    expect(out).toEqual([
      { tpid: 0x88a8, id: 20, pcp: 0, dei: false },
      { tpid: 0x8100, id: 30, pcp: 5, dei: true },
      { tpid: 0x8100, id: 40, pcp: 0, dei: false },
    ]);
  });

  it('keeps the tags decoded before a cut tag', () => {
    const out: VlanTag[] = [];
    const r = decodeVlanStack(tags.subarray(0, 6), 0, 0x9100, out);
    expect(!r.ok && r.error).toMatchObject({ layer: 'vlan', code: 'vlan.tag-too-short', offset: 4, required: 4, available: 2 });
    expect(out).toHaveLength(1);
    expect(out[0].tpid).toBe(0x9100);
  });

  it('bounds an endless stack', () => {
    const many = new Uint8Array(4 * 100);
    for (let i = 0; i < 100; i++) many.set([0, 1, 0x81, 0x00], i * 4);
    const out: VlanTag[] = [];
    const r = decodeVlanStack(many, 0, 0x8100, out);
    expect(!r.ok && r.error.code).toBe('vlan.too-many-tags');
    expect(out).toHaveLength(MAX_VLAN_TAGS);
  });
});

describe('Linux cooked headers', () => {
  it('decodes SLL v1 from a real -i any -y LINUX_SLL frame', () => {
    // 0x0000: 0000 0304 0006 0000 0000 0000 0000 0800
    const r = decodeSll(sll1[0].data, 0);
    expect(r.ok && r.value).toEqual({
      link: { kind: 'sll', src: '00:00:00:00:00:00', etherType: ETHERTYPE_IPV4, packetType: SLL_HOST, arphrd: 772 },
      etherType: ETHERTYPE_IPV4,
      payloadOffset: 16,
    });
    const r6 = decodeSll(sll1[1].data, 0);
    expect(r6.ok && r6.value.etherType).toBe(ETHERTYPE_IPV6);
  });

  it('decodes SLL v2 from a real -i any frame', () => {
    const r = decodeSll2(sll2[0].data, 0);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.payloadOffset).toBe(20);
    expect(r.value.link).toMatchObject({ kind: 'sll2', etherType: ETHERTYPE_IPV4, packetType: SLL_HOST, arphrd: 772 });
    expect(r.value.link.ifIndex).toBe(1); // lo
    expect(sll2[0].data[20] >> 4).toBe(4);
  });

  it('reports short headers', () => {
    expect(decodeSll(sll1[0].data.subarray(0, 15), 0)).toMatchObject({ ok: false, error: { code: 'sll.header-too-short', required: 16, available: 15 } });
    expect(decodeSll2(sll2[0].data.subarray(0, 19), 0)).toMatchObject({ ok: false, error: { code: 'sll2.header-too-short', required: 20, available: 19 } });
  });
});

describe('NULL and LOOP', () => {
  const ip = sll1[0].data.subarray(16); // a real IPv4 packet
  it('accepts AF_INET in either byte order', () => {
    for (const hdr of [[2, 0, 0, 0], [0, 0, 0, 2]]) {
      const r = decodeNull(concat(hdr, ip), 0);
      expect(r.ok && r.value).toMatchObject({ family: 2, etherType: ETHERTYPE_IPV4, payloadOffset: 4 });
    }
  });
  it('accepts the three AF_INET6 values', () => {
    for (const fam of [24, 28, 30]) {
      expect(decodeNull(Uint8Array.from([fam, 0, 0, 0]), 0)).toMatchObject({ ok: true, value: { etherType: ETHERTYPE_IPV6 } });
      expect(decodeNull(Uint8Array.from([0, 0, 0, fam]), 0)).toMatchObject({ ok: true, value: { etherType: ETHERTYPE_IPV6 } });
    }
  });
  it('leaves an unknown family without an EtherType', () => {
    const r = decodeNull(Uint8Array.from([7, 0, 0, 0]), 0);
    expect(r.ok && r.value.etherType).toBeUndefined();
    expect(r.ok && r.value.family).toBe(7);
  });
  it('LOOP is always big-endian', () => {
    expect(decodeLoop(Uint8Array.from([0, 0, 0, 2]), 0)).toMatchObject({ ok: true, value: { family: 2, link: { kind: 'loop' } } });
    // little-endian 2 read big-endian is 0x02000000: not a family we know
    const r = decodeLoop(Uint8Array.from([2, 0, 0, 0]), 0);
    expect(r.ok && r.value.etherType).toBeUndefined();
  });
  it('reports a short header', () => {
    expect(decodeNull(Uint8Array.from([2, 0]), 0)).toMatchObject({ ok: false, error: { code: 'null.header-too-short', available: 2 } });
  });
});

describe('raw IP', () => {
  it('picks the IP version from the first nibble', () => {
    expect(decodeRaw(sll1[0].data, 16)).toMatchObject({ ok: true, value: { etherType: ETHERTYPE_IPV4, payloadOffset: 16 } });
    expect(decodeRaw(sll1[1].data, 16)).toMatchObject({ ok: true, value: { etherType: ETHERTYPE_IPV6 } });
    expect(decodeRaw(Uint8Array.from([0x50]), 0)).toMatchObject({ ok: false, error: { code: 'raw.bad-ip-version' } });
    expect(decodeRaw(new Uint8Array(0), 0)).toMatchObject({ ok: false, error: { code: 'raw.empty' } });
  });
});

describe('link type names', () => {
  it('names the ones we handle and numbers the rest', () => {
    expect(linkTypeName(LINKTYPE_LINUX_SLL2)).toBe('LINUX_SLL2');
    expect(linkTypeName(LINKTYPE_RAW_OLD_14)).toBe('RAW');
    expect(linkTypeName(147)).toBe('LINKTYPE_147');
    expect(isKnownLinkType(1)).toBe(true);
    expect(isKnownLinkType(147)).toBe(false);
  });
});
