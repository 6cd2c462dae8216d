import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../src/net/frame-decoder.js';
import { TCP_ACK, TCP_FIN, TCP_SYN } from '../../src/net/packet.js';
import type { CaptureRecord } from '../../src/capture/source.js';
import { concat, patch, readFixture, withData } from './helpers.js';

const lo4 = readFixture('lo4.pcap');
const lo6 = readFixture('lo6.pcap');
const sll1 = readFixture('sll1.pcap');
const sll2 = readFixture('sll2.pcap');
const frag4 = readFixture('frag4.pcap');
const frag6 = readFixture('frag6.pcap');
const snap = readFixture('snap.pcap');
const pad = readFixture('pad.pcap');

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

describe('FrameDecoder on real captures', () => {
  it('decodes the IPv4 TCP conversation on Ethernet (lo)', () => {
    const dec = new FrameDecoder();
    const frames = lo4.map((r) => dec.decode(r));
    expect(frames.every((f) => f.stopError === undefined && f.unknown === undefined)).toBe(true);
    const syn = frames[0];
    expect(syn).toMatchObject({
      frame: 1,
      linkType: 1,
      capLen: 74,
      origLen: 74,
      link: { kind: 'ethernet', src: '00:00:00:00:00:00', dst: '00:00:00:00:00:00', etherType: 0x0800 },
      vlans: [],
      ip: { version: 4, src: '127.0.0.1', dst: '127.0.0.1', protocol: 6 },
      tcp: { srcPort: 47492, dstPort: 48001, flags: TCP_SYN, options: { mss: 65495 } },
      notes: [],
    });
    expect(syn.timestampNs).toBe(lo4[0].timestampNs);
    expect(text(frames[3].payload)).toMatch(/^POST \/ucdevice\.upx/);
    expect(text(frames[5].payload)).toBe('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    expect(frames[7].tcp!.flags).toBe(TCP_FIN | TCP_ACK);
    expect(dec.stats.frames).toBe(11);
    expect(dec.stats.byLinkType.get(1)).toBe(11);
    expect(dec.stats.malformed.size).toBe(0);
  });

  it('decodes the IPv6 TCP conversation over ::1', () => {
    const dec = new FrameDecoder();
    const f = dec.decode(lo6[3]);
    expect(f.ip).toMatchObject({ version: 6, src: '::1', dst: '::1', protocol: 6, headerLength: 40 });
    expect(f.tcp!.payloadLength).toBe(64);
    expect(text(f.payload)).toMatch(/^POST /);
  });

  it('decodes SLL and SLL2 frames to UDP over IPv4 and IPv6', () => {
    const dec = new FrameDecoder();
    for (const rec of [...sll1, ...sll2]) {
      const f = dec.decode(rec);
      expect(f.stopError).toBeUndefined();
      expect(f.udp!.dstPort).toBe(rec.linkType === 113 ? 48004 : 48003);
      expect(Array.from(f.payload)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    }
    const f = dec.decode(sll2[1]);
    expect(f.link).toMatchObject({ kind: 'sll2', etherType: 0x86dd, ifIndex: 1, packetType: 0 });
    expect(f.ip!.version).toBe(6);
    expect(dec.stats.byLinkType).toEqual(new Map([[113, 2], [276, 3]]));
  });

  it('reassembles real IPv4 fragments into the UDP datagram', () => {
    const dec = new FrameDecoder();
    const [a, b, c] = frag4.map((r) => dec.decode(r));
    expect(a.ip!.fragment).toEqual({ offset: 0, moreFragments: true });
    expect(a.udp).toBeUndefined();
    expect(a.payload.length).toBe(1480);
    expect(b.ip!.fragment).toEqual({ offset: 1480, moreFragments: true });
    expect(c.ip!.fragment).toBeUndefined();
    expect(c.ip!.reassembledFrom).toEqual([1, 2, 3]);
    expect(c.ip!.payloadLength).toBe(4008);
    expect(c.udp).toMatchObject({ srcPort: 32785, dstPort: 48010, length: 4008 });
    expect(c.payload.length).toBe(4000);
    expect(c.payload[3999]).toBe(3999 % 251);
    expect(dec.stats).toMatchObject({ fragments: 3, reassembled: 1, incomplete: 0 });
  });

  it('reassembles real IPv6 fragments into the UDP datagram', () => {
    const dec = new FrameDecoder();
    const out = frag6.map((r) => dec.decode(r));
    expect(out[0].ip!.fragment).toEqual({ offset: 0, moreFragments: true });
    expect(out[2].ip).toMatchObject({ version: 6, src: 'fd00:99::1', protocol: 17, reassembledFrom: [1, 2, 3], id: 0x4583da4b });
    expect(out[2].udp).toMatchObject({ srcPort: 53604, length: 4008 });
    expect(out[2].payload.length).toBe(4000);
  });

  it('counts a datagram missing a fragment as incomplete at flush', () => {
    const dec = new FrameDecoder();
    dec.decode(frag4[0]);
    dec.decode(frag4[2]);
    dec.flush();
    expect(dec.stats).toMatchObject({ fragments: 2, reassembled: 0, incomplete: 1 });
  });

  it('keeps going on a frame cut by the snap length, without a note', () => {
    const f = new FrameDecoder().decode(snap[0]);
    expect(f.capLen).toBe(60);
    expect(f.origLen).toBe(342);
    expect(f.stopError).toBeUndefined();
    expect(f.notes).toEqual([]);
    expect(f.ip!.payloadLength).toBe(308);
    expect(f.udp).toMatchObject({ dstPort: 48011, length: 308 });
    expect(f.payload.length).toBe(18);
  });

  it('notes an IP length past a frame that was not cut', () => {
    const f = new FrameDecoder().decode(withData(snap[0], snap[0].data));
    expect(f.notes.map((n) => n.code)).toContain('ipv4.length-exceeds-frame');
  });

  it('trims Ethernet padding', () => {
    const f = new FrameDecoder().decode(withData(pad[0], concat(pad[0].data, new Uint8Array(16))));
    expect(Array.from(f.payload)).toEqual([0, 1]);
    expect(f.notes).toEqual([]);
  });
});

describe('FrameDecoder on patched frames', () => {
  const syn = lo4[0];
  const ipPacket = syn.data.subarray(14);

  it('walks a VLAN stack of 3 to TCP', () => {
    const tags = [0x88, 0xa8, 0x00, 0x14, 0x81, 0x00, 0x00, 0x1e, 0x81, 0x00, 0x00, 0x28];
    const d = concat(syn.data.subarray(0, 12), tags, syn.data.subarray(12));
    const f = new FrameDecoder().decode(withData(syn, d));
    expect(f.vlans.map((v) => [v.tpid, v.id])).toEqual([[0x88a8, 20], [0x8100, 30], [0x8100, 40]]);
    expect(f.link!.etherType).toBe(0x0800);
    expect(f.tcp!.flags).toBe(TCP_SYN);
  });

  it('counts an 802.3/LLC frame as an unknown EtherType', () => {
    const dec = new FrameDecoder();
    const llc = concat(syn.data.subarray(0, 12), [0x00, 0x26, 0x42, 0x42, 0x03], new Uint8Array(35));
    const f = dec.decode(withData(syn, llc));
    expect(f.unknown).toEqual({ what: 'ethertype', value: 0x26 });
    expect(f.stopError).toBeUndefined();
    expect(f.link!.etherType).toBeUndefined();
    expect(f.payload[0]).toBe(0x42);
    expect(dec.stats.llcFrames).toBe(1);
  });

  it('counts unknown EtherTypes, link types and IP protocols per value', () => {
    const dec = new FrameDecoder();
    const lldp = dec.decode(withData(syn, patch(syn.data, 12, 0x88, 0xcc)));
    dec.decode(withData(syn, patch(syn.data, 12, 0x88, 0xcc)));
    expect(lldp.unknown).toEqual({ what: 'ethertype', value: 0x88cc });
    expect(lldp.payload.length).toBe(syn.data.length - 14);
    const link = dec.decode({ ...syn, linkType: 147 });
    expect(link.unknown).toEqual({ what: 'link-type', value: 147 });
    expect(link.link).toBeUndefined();
    const icmp = dec.decode(withData(syn, patch(syn.data, 14 + 9, 1)));
    expect(icmp.unknown).toEqual({ what: 'ip-protocol', value: 1 });
    expect(icmp.ip!.protocol).toBe(1);
    expect(icmp.payload.length).toBe(40);
    const sllLlc = dec.decode(withData(sll1[0], patch(sll1[0].data, 14, 0x00, 0x04)));
    expect(sllLlc.unknown).toEqual({ what: 'ethertype', value: 4 });
    expect(dec.stats.unknownEtherTypes).toEqual(new Map([[0x88cc, 2], [4, 1]]));
    expect(dec.stats.unknownLinkTypes).toEqual(new Map([[147, 1]]));
    expect(dec.stats.unknownIpProtocols).toEqual(new Map([[1, 1]]));
    expect(dec.stats.frames).toBe(5);
  });

  it.each([
    ['NULL little-endian', 0, [2, 0, 0, 0]],
    ['NULL big-endian', 0, [0, 0, 0, 2]],
    ['LOOP', 108, [0, 0, 0, 2]],
    ['RAW', 101, []],
    ['old DLT_RAW 12', 12, []],
    ['old DLT_RAW 14', 14, []],
    ['IPV4', 228, []],
  ])('decodes the real IPv4 SYN on %s', (_n, linkType, header) => {
    const f = new FrameDecoder().decode(withData(syn, concat(header, ipPacket), linkType));
    expect(f.stopError).toBeUndefined();
    expect(f.ip!.src).toBe('127.0.0.1');
    expect(f.tcp!.options.windowScale).toBe(10);
  });

  it('decodes IPv6 on LINKTYPE_IPV6 and NULL with the BSD AF_INET6 values', () => {
    const ip6 = lo6[0].data.subarray(14);
    for (const [linkType, header] of [[229, []], [0, [30, 0, 0, 0]], [0, [0, 0, 0, 28]], [108, [0, 0, 0, 24]]] as const) {
      const f = new FrameDecoder().decode(withData(lo6[0], concat([...header], ip6), linkType));
      expect(f.ip?.version).toBe(6);
      expect(f.tcp?.dstPort).toBe(48002);
    }
  });

  it('counts an unknown NULL family, not as an error', () => {
    const dec = new FrameDecoder();
    const f = dec.decode(withData(syn, concat([7, 0, 0, 0], ipPacket), 0));
    expect(f.unknown).toEqual({ what: 'ethertype', value: 7 });
    expect(f.link).toMatchObject({ kind: 'null', family: 7 });
  });

  it('stops at a bad IHL, keeping the link layer and counting the code', () => {
    const dec = new FrameDecoder();
    const f = dec.decode(withData(syn, patch(syn.data, 14, 0x43)));
    expect(f.link!.kind).toBe('ethernet');
    expect(f.ip).toBeUndefined();
    expect(f.stopError).toMatchObject({ layer: 'ipv4', code: 'ipv4.bad-ihl', offset: 14, frame: 1 });
    expect(f.payload.length).toBe(syn.data.length - 14);
    expect(dec.stats.malformed).toEqual(new Map([['ipv4.bad-ihl', 1]]));
  });

  it('stops at a bad TCP data offset, keeping IP', () => {
    const f = new FrameDecoder().decode(withData(syn, patch(syn.data, 34 + 12, 0x30)));
    expect(f.ip!.protocol).toBe(6);
    expect(f.tcp).toBeUndefined();
    expect(f.stopError).toMatchObject({ code: 'tcp.bad-data-offset', offset: 46 });
    expect(f.payload.length).toBe(40); // the undecoded TCP bytes, no more
  });

  it('leaves Ethernet padding out of the payload of a stopped frame', () => {
    const d = concat(patch(pad[0].data, 34 + 4, 0, 3), new Uint8Array(16)); // UDP length 3, padded
    const f = new FrameDecoder().decode(withData(pad[0], d));
    expect(f.stopError).toMatchObject({ code: 'udp.bad-length' });
    expect(f.payload.length).toBe(10);
  });

  it('collects TCP option notes without stopping', () => {
    const f = new FrameDecoder().decode(withData(syn, patch(syn.data, 34 + 20, 2, 0)));
    expect(f.stopError).toBeUndefined();
    expect(f.tcp!.flags).toBe(TCP_SYN);
    expect(f.notes.map((n) => n.code)).toEqual(['tcp.bad-option-length']);
  });

  it('notes conflicting overlapping fragments on the frame that brought them', () => {
    const dec = new FrameDecoder();
    dec.decode(frag4[0]);
    dec.decode(frag4[1]);
    // the second fragment again, with different bytes: same offset, same length
    const d = Uint8Array.from(frag4[1].data);
    d.fill(0xaa, 34);
    const f = dec.decode({ ...frag4[1], frame: 4, data: d });
    expect(f.notes.map((n) => n.code)).toEqual(['ip-defrag.overlap-conflict']);
    const done = dec.decode({ ...frag4[2], frame: 5 });
    expect(done.udp!.length).toBe(4008);
    expect(done.payload[1480 - 8]).toBe(1472 % 251); // the first copy won
  });

  it('reports a fragment claiming beyond 64 KiB', () => {
    // offset field 0x1fff (65528 bytes) + 1480 bytes of data
    const d = patch(frag4[1].data, 14 + 6, 0x3f, 0xff);
    const f = new FrameDecoder().decode(withData(frag4[1], d));
    expect(f.ip!.fragment).toEqual({ offset: 65528, moreFragments: true });
    expect(f.notes).toMatchObject([{ code: 'ip-defrag.too-long', frame: 2 }]);
  });

  it('walks destination options at the start of a reassembled IPv6 datagram', () => {
    // RFC 8200 4.5: the fragmentable part may begin with extension headers.
    const datagram = concat(
      [17, 0, 1, 4, 0, 0, 0, 0], // destination options (PadN) -> UDP
      [0x30, 0x39, 0xbb, 0x8a, 0, 24, 0, 0], // UDP 12345 -> 48010, length 24
      Array.from({ length: 16 }, (_, i) => i),
    );
    const base = frag6[0].data.subarray(0, 14 + 40);
    const fragment = (offset: number, more: boolean, data: Uint8Array, frame: number): CaptureRecord => {
      const d = concat(base, [60, 0, (offset >> 8) & 0xff, (offset & 0xf8) | (more ? 1 : 0), 0, 0, 0, 7], data);
      d[14 + 4] = 0;
      d[14 + 5] = 8 + data.length;
      d[14 + 6] = 44;
      return { ...frag6[0], frame, data: d, origLen: d.length };
    };
    const dec = new FrameDecoder();
    const first = dec.decode(fragment(0, true, datagram.subarray(0, 16), 1));
    expect(first.ip!.protocol).toBe(60);
    const f = dec.decode(fragment(16, false, datagram.subarray(16), 2));
    expect(f.stopError).toBeUndefined();
    expect(f.ip).toMatchObject({ protocol: 17, reassembledFrom: [1, 2], payloadLength: 32 });
    expect(f.udp).toMatchObject({ srcPort: 12345, length: 24 });
    expect(Array.from(f.payload)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('marks errors inside a reassembled datagram as such', () => {
    const dec = new FrameDecoder();
    const d = Uint8Array.from(frag4[0].data);
    d[34 + 4] = 0;
    d[34 + 5] = 4; // UDP length 4
    dec.decode({ ...frag4[0], data: d });
    dec.decode(frag4[1]);
    const f = dec.decode(frag4[2]);
    expect(f.stopError).toMatchObject({ code: 'udp.bad-length', offset: 4, frame: 3 });
    expect(f.stopError!.detail).toMatch(/reassembled datagram/);
    expect(f.ip!.reassembledFrom).toEqual([1, 2, 3]);
  });
});

describe('FrameDecoder counters', () => {
  it('counts frames per link type in order of first appearance, whenever the stats are read', () => {
    const dec = new FrameDecoder();
    const eth = lo4[0];
    const sll = sll1[0];
    // Runs of one link type, another, the first again, and one nobody decodes.
    const order = [eth, eth, sll, eth, eth, eth, withData(eth, eth.data, 4242), sll];
    const seen: Array<Array<[number, number]>> = [];
    for (const r of order) {
      dec.decode(r);
      seen.push([...dec.stats.byLinkType]);
    }
    expect(seen[1]).toEqual([[1, 2]]);
    expect(seen[2]).toEqual([[1, 2], [sll.linkType, 1]]);
    expect(seen[7]).toEqual([[1, 5], [sll.linkType, 2], [4242, 1]]);
    expect(dec.stats.frames).toBe(8);
    expect(dec.stats.unknownLinkTypes).toEqual(new Map([[4242, 1]]));
    // Read only at the end: the same.
    const once = new FrameDecoder();
    for (const r of order) once.decode(r);
    expect([...once.stats.byLinkType]).toEqual(seen[7]);
    expect(once.stats).toStrictEqual(dec.stats);
  });
});
