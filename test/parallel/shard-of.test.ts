// The shard of a frame, read from raw bytes, must put every frame of one TCP
// connection (both directions) on the same thread, spread connections over the
// threads, keep DNS on shard 0, and leave anything unusual to shard 0.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { FrameDecoder } from '../../src/net/frame-decoder.js';
import { shardOf, UNSHARDED } from '../../src/parallel/shard-of.js';
import { CAPTURES } from '../helpers/cli.js';

interface Seen {
  tuple: string;
  shard: number;
  tcp: boolean;
  udp: boolean;
  dns: boolean;
  /** An IPv4 fragment (MF set or an offset), read from the bytes of an untagged Ethernet frame. */
  fragment: boolean;
}

async function shardsIn(name: string, count: number): Promise<Seen[]> {
  const source = await openCapture(join(CAPTURES, name));
  const decoder = new FrameDecoder();
  const out: Seen[] = [];
  for await (const batch of source.batches()) {
    for (const rec of batch) {
      const shard = shardOf(rec, count);
      const f = decoder.decode(rec);
      const ends = f.ip && f.tcp ? [`${f.ip.src}:${f.tcp.srcPort}`, `${f.ip.dst}:${f.tcp.dstPort}`].sort() : [];
      out.push({
        tuple: ends.join(' '),
        shard,
        tcp: f.tcp !== undefined,
        udp: f.udp !== undefined,
        dns: f.tcp !== undefined && (f.tcp.srcPort === 53 || f.tcp.dstPort === 53),
        fragment: rec.linkType === 1 && rec.data[12] === 0x08 && rec.data[13] === 0 && ((rec.data[20] & 0x3f) | rec.data[21]) !== 0,
      });
    }
  }
  return out;
}

function byTuple(seen: Seen[]): Map<string, Set<number>> {
  const m = new Map<string, Set<number>>();
  for (const s of seen.filter((x) => x.tcp)) {
    if (!m.has(s.tuple)) m.set(s.tuple, new Set());
    m.get(s.tuple)!.add(s.shard);
  }
  return m;
}

describe('shardOf', () => {
  it('gives every frame of a connection, both ways, one shard, and spreads 40 phones over both', async () => {
    const seen = await shardsIn('many-phones.pcap', 2);
    const tuples = byTuple(seen);
    expect(tuples.size).toBeGreaterThan(20);
    for (const shards of tuples.values()) expect(shards.size).toBe(1);
    const owners = [...tuples.values()].map((s) => [...s][0]);
    expect(owners.filter((s) => s === 0).length).toBeGreaterThan(tuples.size / 5);
    expect(owners.filter((s) => s === 1).length).toBeGreaterThan(tuples.size / 5);
    for (const n of [3, 4, 7]) {
      const more = await shardsIn('many-phones.pcap', n);
      for (const s of more.filter((x) => x.tcp)) expect(s.shard).toBeGreaterThanOrEqual(0), expect(s.shard).toBeLessThan(n);
    }
  });

  it('reads through 802.1Q and QinQ tags to the same answer as untagged frames would give', async () => {
    for (const name of ['http-vlan.pcap', 'http-qinq.pcap']) {
      const seen = await shardsIn(name, 2);
      const tcp = seen.filter((s) => s.tcp);
      expect(tcp.length).toBeGreaterThan(0);
      for (const s of tcp) expect(s.shard).not.toBe(UNSHARDED);
      for (const shards of byTuple(seen).values()) expect(shards.size).toBe(1);
    }
  });

  it('keeps DNS over TCP on shard 0 and leaves UDP to shard 0', async () => {
    const seen = await shardsIn('dns-ucupdates-tcp.pcap', 4);
    const dns = seen.filter((s) => s.dns);
    expect(dns.length).toBeGreaterThan(0);
    for (const s of dns) expect(s.shard).toBe(0);
    const dhcp = await shardsIn('dhcp-healthy.pcap', 2);
    const udp = dhcp.filter((s) => s.udp);
    expect(udp.length).toBeGreaterThan(0);
    for (const s of udp) expect(s.shard).toBe(UNSHARDED);
  });

  it('does not claim IPv6, Linux cooked or loopback frames, nor IP fragments', async () => {
    for (const name of ['http-ipv6.pcapng', 'http-sll.pcap', 'http-null.pcap']) {
      const seen = await shardsIn(name, 2);
      expect(seen.some((s) => s.tcp)).toBe(true);
      for (const s of seen.filter((x) => x.tcp)) expect(s.shard).toBe(UNSHARDED);
    }
    const frags = (await shardsIn('udp-fragments.pcap', 2)).filter((s) => s.fragment);
    expect(frags.length).toBeGreaterThan(1);
    for (const s of frags) expect(s.shard).toBe(UNSHARDED);
  });
});
