// Discovery facts and the DNS/DHCP rules on the real captures: each capture
// read with openCapture + FrameDecoder (+ TcpReassembler for DNS over TCP),
// facts collected, then ucupdatesFindings and dhcpFindings must raise exactly
// the expected findings, and none on the healthy captures.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { ucupdatesFindings, dhcpFindings } from '../../src/diagnose/rules/discovery.js';
import {
  DiscoveryCollector,
  DnsTcpTracker,
  ucupdatesName,
  type DhcpClientFact,
  type DhcpReplyFact,
  type DiscoveryFacts,
  type DnsLookupFact,
} from '../../src/dus/discovery.js';
import { decodeDns } from '../../src/net/dns.js';
import { FrameDecoder } from '../../src/net/frame-decoder.js';
import { TcpReassembler } from '../../src/reassembly/tcp-reassembler.js';

const path = (name: string) => fileURLToPath(new URL(`../../captures/${name}.pcap`, import.meta.url));

/** Facts of one or more captures, read as the pipeline reads them (data valid for one trip only). */
async function factsOf(...names: string[]): Promise<DiscoveryFacts> {
  const c = new DiscoveryCollector();
  for (const name of names) {
    const src = await openCapture(path(name));
    const dec = new FrameDecoder();
    const tcp = new TcpReassembler();
    const dns = new DnsTcpTracker(c);
    for await (const batch of src.batches()) {
      for (const rec of batch) {
        const f = dec.decode(rec);
        if (f.udp) c.udpFrame(f);
        else if (f.tcp) for (const e of tcp.push(f)) dns.accept(e);
      }
    }
    for (const e of tcp.flush('eof', 0n)) dns.accept(e);
  }
  return c.facts();
}

const codes = (f: { code: string }[]) => f.map((x) => x.code);

describe('discovery facts from the captures', () => {
  it('dns-ucupdates-a: three lookups, the A answered, the AAAA empty', async () => {
    const { lookups } = await factsOf('dns-ucupdates-a');
    expect(lookups.map((l) => [l.name, l.kind, l.domain, l.qtype, l.queryFrames, l.response?.frame, l.response?.rcode, l.response?.answers])).toEqual([
      ['ucupdates-r2.demo.local', 'ucupdates-r2', 'demo.local', 1, [1], 2, 0, [{ name: 'ucupdates-r2.demo.local', type: 1, ttl: 300, value: '10.99.7.10' }]],
      ['ucupdates-r2.demo.local', 'ucupdates-r2', 'demo.local', 28, [3], 4, 0, []],
      ['ucupdates.demo.local', 'ucupdates', 'demo.local', 1, [5], 6, 0, [{ name: 'ucupdates.demo.local', type: 1, ttl: 300, value: '10.99.7.10' }]],
    ]);
    expect(lookups[0]).toMatchObject({
      client: { ip: '10.99.7.2', mac: '00:21:63:0f:20:7b' },
      server: { ip: '10.99.7.1', port: 53 },
      transport: 'udp',
    });
  });

  it('dns-ucupdates-nxdomain: only the ucupdates lookup is kept', async () => {
    const { lookups } = await factsOf('dns-ucupdates-nxdomain');
    expect(lookups.map((l) => [l.name, l.queryFrames, l.response?.frame, l.response?.rcode])).toEqual([['ucupdates-r2.demo.local', [3], 4, 3]]);
  });

  it('dns-ucupdates-noanswer: the query and its retry, neither answered', async () => {
    const { lookups } = await factsOf('dns-ucupdates-noanswer');
    // dig retries from a new socket: a second lookup with the same id from another port.
    expect(lookups.map((l) => [l.id, l.queryFrames, l.response])).toEqual([
      [lookups[0].id, [1], undefined],
      [lookups[0].id, [2], undefined],
    ]);
    expect(lookups[0].client.port).not.toBe(lookups[1].client.port);
  });

  it('dns-ucupdates-tcp: both lookups over one connection, responses in the frames that completed them', async () => {
    const { lookups } = await factsOf('dns-ucupdates-tcp');
    expect(lookups.map((l) => [l.transport, l.name, l.queryFrames, l.response?.frame, l.response?.answers.map((a) => a.value)])).toEqual([
      ['tcp', 'ucupdates-r2.demo.local', [4], 6, ['10.99.7.10']],
      ['tcp', 'ucupdates.demo.local', [8], 9, ['10.99.7.10']],
    ]);
  });

  it('dhcp-healthy: one client, vendor class MS-UC-Client, OFFER and ACK with every option and the UC sub-options', async () => {
    const { dhcpClients } = await factsOf('dhcp-healthy');
    expect(dhcpClients).toHaveLength(1);
    const c = dhcpClients[0];
    expect(c).toMatchObject({ mac: '00:21:63:0f:20:7b', vendorClasses: ['MS-UC-Client'], hostname: 'LG-IP8540', requestFrames: [1, 3] });
    expect(c.requestedOptions).toEqual(expect.arrayContaining([6, 15, 43, 119, 120]));
    expect(c.replies.map((r) => [r.frame, r.messageType, r.serverIp, r.domainName, r.dnsServers, r.sipServers, r.domainSearch])).toEqual([
      [2, 2, '10.99.7.1', 'demo.local', ['10.99.7.1'], { names: ['ocspool.demo.local'] }, ['demo.local']],
      [4, 5, '10.99.7.1', 'demo.local', ['10.99.7.1'], { names: ['ocspool.demo.local'] }, ['demo.local']],
    ]);
    expect(c.replies[1].vendorSpecific?.subOptions?.map((s) => [s.code, s.text])).toEqual([
      [5, '/CertProv/CertProvisioningService.svc'],
      [4, '443'],
      [3, 'ocspool.demo.local'],
      [2, 'https'],
      [1, 'MS-UC-Client'],
    ]);
    expect(c.replies[1].optionCodes).toEqual(expect.arrayContaining([6, 15, 43, 120]));
  });

  it('keeps no more lookups than asked, and counts the rest', async () => {
    const c = new DiscoveryCollector({ maxLookups: 1 });
    const src = await openCapture(path('dns-ucupdates-a'));
    const dec = new FrameDecoder();
    for await (const batch of src.batches()) for (const rec of batch) c.udpFrame(dec.decode(rec));
    // The first query and its response fill the one slot; the next two queries are dropped.
    expect([c.facts().lookups.length, c.facts().dropped]).toEqual([1, 4]);
  });

  it('joins a retransmission from the same socket to its lookup; a response without its query stands alone', async () => {
    const frames: Array<{ frame: number; payload: Uint8Array; src: string; dst: string; sport: number; dport: number }> = [];
    const dec = new FrameDecoder();
    const src = await openCapture(path('dns-ucupdates-a'));
    for await (const batch of src.batches()) {
      for (const rec of batch) {
        const f = dec.decode(rec);
        frames.push({ frame: f.frame, payload: f.payload.slice(), src: f.ip!.src, dst: f.ip!.dst, sport: f.udp!.srcPort, dport: f.udp!.dstPort });
      }
    }
    const c = new DiscoveryCollector();
    const pkt = (x: (typeof frames)[number], frame: number) => ({
      frame,
      timestampNs: 0n,
      transport: 'udp' as const,
      src: { ip: x.src, port: x.sport },
      dst: { ip: x.dst, port: x.dport },
    });
    const msg = (x: (typeof frames)[number]) => {
      const r = decodeDns(x.payload);
      if (!r.ok) throw new Error(r.error.code);
      return r.value;
    };
    // Query 1 twice (frames 1 and 10), its response; then only the response of query 3.
    c.dns(pkt(frames[0], 1), msg(frames[0]));
    c.dns(pkt(frames[0], 10), msg(frames[0]));
    c.dns(pkt(frames[1], 11), msg(frames[1]));
    c.dns(pkt(frames[3], 12), msg(frames[3]));
    expect(c.facts().lookups.map((l) => [l.qtype, l.queryFrames, l.response?.frame])).toEqual([
      [1, [1, 10], 11],
      [28, [], 12],
    ]);
  });

  it('recognises the two ucupdates names only with a domain after them', () => {
    expect(ucupdatesName('UCUPDATES-R2.Demo.Local')).toEqual({ kind: 'ucupdates-r2', domain: 'demo.local' });
    expect(ucupdatesName('ucupdates.contoso.com')).toEqual({ kind: 'ucupdates', domain: 'contoso.com' });
    expect([ucupdatesName('ucupdates-r2.'), ucupdatesName('ucupdates-r2'), ucupdatesName('xucupdates.demo.local')]).toEqual([undefined, undefined, undefined]);
  });
});

describe('rules on the captures', () => {
  it.each(['dns-ucupdates-a', 'dns-ucupdates-tcp', 'dhcp-healthy'])('%s (healthy): no finding', async (name) => {
    const facts = await factsOf(name);
    expect([...ucupdatesFindings(facts), ...dhcpFindings(facts)]).toEqual([]);
  });

  it('dns-ucupdates-cname: ucupdates-cname with the query and response frames', async () => {
    const f = [...ucupdatesFindings(await factsOf('dns-ucupdates-cname'))];
    expect(f).toEqual([
      {
        code: 'ucupdates-cname',
        severity: 'error',
        phone: { ip: '10.99.7.2' },
        message: expect.stringContaining('ucupdates-r2.demo.local, asked by 10.99.7.2, is a CNAME for ocspool.demo.local (frames 1, 2)'),
        remedy: expect.stringContaining('create an A record of that name for 10.99.7.10'),
        evidence: { frames: [1, 2] },
      },
    ]);
  });

  it.each([
    ['dns-ucupdates-nxdomain', [3, 4], 'NXDOMAIN in frame 4'],
    ['dns-ucupdates-servfail', [1, 2], 'SERVFAIL in frame 2'],
    ['dns-ucupdates-noanswer', [1, 2], 'no response to the queries in frames 1, 2'],
  ])('%s: ucupdates-unresolved', async (name, frames, why) => {
    const f = ucupdatesFindings(await factsOf(name));
    expect(f).toMatchObject([{ code: 'ucupdates-unresolved', severity: 'error', phone: { ip: '10.99.7.2' }, evidence: { frames } }]);
    expect(f[0].message).toBe(`ucupdates-r2.demo.local, asked by 10.99.7.2, got no address: ${why}.`);
    expect(f[0].remedy).toMatch(/^Create an A record ucupdates-r2\.demo\.local/);
  });

  it('dhcp-missing-options: dhcp-options-missing for 43 and 120 on the OFFER and the ACK', async () => {
    const facts = await factsOf('dhcp-missing-options');
    const f = dhcpFindings(facts);
    const ack = facts.dhcpClients[0].replies[1];
    expect(f).toEqual([
      {
        code: 'dhcp-options-missing',
        severity: 'warning',
        phone: { mac: '0021630F207B', ip: ack.yiaddr },
        message:
          'DHCP OFFER in frame 2 from 10.99.7.1, ACK in frame 4 from 10.99.7.1 to 00:21:63:0f:20:7b (vendor class MS-UC-Client) lacks option 43 (UC provisioning data for MS-UC-Client), 120 (SIP server).',
        remedy: expect.stringMatching(/^On the DHCP server for the phones' scope, add option 43, 120; option 43 goes in a vendor class MS-UC-Client/),
        evidence: { frames: [2, 4] },
      },
    ]);
    expect(ucupdatesFindings(facts)).toEqual([]);
  });

  it('names the phone by the MAC DHCP gave its address to, when both are in the facts', async () => {
    const dhcp = await factsOf('dhcp-missing-options');
    const ip = dhcp.dhcpClients[0].replies[1].yiaddr;
    const dns = await factsOf('dns-ucupdates-cname');
    const lookups = dns.lookups.map((l) => ({ ...l, client: { ...l.client, ip } }));
    const f = ucupdatesFindings({ ...dns, lookups, dhcpClients: dhcp.dhcpClients });
    expect(f.map((x) => x.phone)).toEqual([{ mac: '0021630F207B', ip }]);
  });
});

/** A reply with the given option codes (and what the rule reads of them). */
function reply(frame: number, codes: number[], extra: Partial<DhcpReplyFact> = {}): DhcpReplyFact {
  return {
    frame,
    messageType: 5,
    xid: 1,
    serverIp: '10.0.0.1',
    yiaddr: '10.0.0.50',
    optionCodes: codes,
    ...(codes.includes(120) ? { sipServers: { names: ['pool.contoso.com'] } } : {}),
    ...extra,
  };
}

function client(vendorClasses: string[], replies: DhcpReplyFact[], mac = '00:04:f2:00:00:01'): DhcpClientFact {
  return { mac, vendorClasses, requestedOptions: [], requestFrames: [1], replies };
}

function lookup(over: Partial<DnsLookupFact> & { response?: DnsLookupFact['response'] }): DnsLookupFact {
  return {
    client: { ip: '10.0.0.50', port: 5000 },
    server: { ip: '10.0.0.1', port: 53 },
    transport: 'udp',
    id: 1,
    name: 'ucupdates-r2.contoso.com',
    kind: 'ucupdates-r2',
    domain: 'contoso.com',
    qtype: 1,
    queryFrames: [1],
    ...over,
  };
}

const facts = (lookups: DnsLookupFact[], dhcpClients: DhcpClientFact[] = []): DiscoveryFacts => ({ lookups, dhcpClients, dropped: 0 });
const A = (name = 'ucupdates-r2.contoso.com') => ({ name, type: 1, ttl: 60, value: '10.0.0.9' });

describe('ucupdatesFindings', () => {
  it('does not flag a name that resolved on a retry, nor a truncated answer, nor an empty AAAA', () => {
    const f = ucupdatesFindings(
      facts([
        lookup({ id: 1, queryFrames: [1], response: { frame: 2, rcode: 2, tc: false, aa: false, answers: [] } }),
        lookup({ id: 2, queryFrames: [3], response: { frame: 4, rcode: 0, tc: false, aa: true, answers: [A()] } }),
        lookup({ id: 3, qtype: 28, name: 'ucupdates.contoso.com', queryFrames: [5], response: { frame: 6, rcode: 0, tc: false, aa: true, answers: [] } }),
        lookup({ id: 4, name: 'UCUPDATES.contoso.com', queryFrames: [7], response: { frame: 8, rcode: 0, tc: true, aa: false, answers: [] } }),
      ]),
    );
    expect(f).toEqual([]);
  });

  it('calls an A query answered NOERROR with no A unresolved, once per client and name, case aside', () => {
    const f = ucupdatesFindings(
      facts([
        lookup({ queryFrames: [1], response: { frame: 2, rcode: 0, tc: false, aa: true, answers: [] } }),
        lookup({ name: 'UCUPDATES-R2.contoso.com', id: 9, queryFrames: [5] }),
        lookup({ client: { ip: '10.0.0.51', port: 5000 }, queryFrames: [7] }),
      ]),
    );
    expect(f.map((x) => [x.code, x.phone.ip, x.evidence.frames, x.message])).toEqual([
      ['ucupdates-unresolved', '10.0.0.50', [1, 2, 5], 'ucupdates-r2.contoso.com, asked by 10.0.0.50, got no address: an answer with no A record in frame 2; no response to the query in frame 5.'],
      ['ucupdates-unresolved', '10.0.0.51', [7], 'ucupdates-r2.contoso.com, asked by 10.0.0.51, got no address: no response to the query in frame 7.'],
    ]);
  });

  it('calls a CNAME a CNAME even when the chain ends in an address, and each name on its own', () => {
    const cname = { name: 'ucupdates.contoso.com', type: 5, ttl: 60, value: 'ucupdates-r2.contoso.com' };
    const f = ucupdatesFindings(
      facts([
        lookup({ name: 'ucupdates.contoso.com', kind: 'ucupdates', response: { frame: 2, rcode: 0, tc: false, aa: true, answers: [cname, A()] } }),
        lookup({ queryFrames: [3], response: { frame: 4, rcode: 0, tc: false, aa: true, answers: [A()] } }),
      ]),
    );
    expect(f.map((x) => [x.code, x.evidence.frames])).toEqual([['ucupdates-cname', [1, 2]]]);
    expect(f[0].message).toContain('ucupdates.contoso.com, asked by 10.0.0.50, is a CNAME for ucupdates-r2.contoso.com');
  });
});

describe('dhcpFindings', () => {
  it('ignores clients that are not phones unless their MAC is known to be one', () => {
    const pc = client(['MSFT 5.0'], [reply(2, [1, 3])]);
    expect(dhcpFindings(facts([], [pc]))).toEqual([]);
    const f = dhcpFindings(facts([], [pc]), { phoneMacs: ['00-04-F2-00-00-01'] });
    // Not an MS-UC-Client request: option 43 is not asked of the server.
    expect(f.map((x) => [x.code, x.phone, x.message])).toEqual([
      [
        'dhcp-options-missing',
        { mac: '0004F2000001', ip: '10.0.0.50' },
        'DHCP ACK in frame 2 from 10.0.0.1 to 00:04:f2:00:00:01 lacks option 120 (SIP server), 6 (DNS servers), 15 (domain name).',
      ],
    ]);
  });

  it('lists the UC sub-options a present option 43 lacks, and a 43 of another vendor', () => {
    const partial = reply(2, [6, 15, 43, 120], { vendorSpecific: { hex: '', ucClient: { ucIdentifier: 'MS-UC-Client', codes: [1, 2, 4] } } });
    const other = reply(4, [6, 15, 43, 120], { vendorSpecific: { hex: '0101' } });
    const f = dhcpFindings(facts([], [client(['MS-UC-Client'], [partial, other])]));
    expect(f).toHaveLength(1);
    expect(f[0].message).toBe(
      'DHCP ACK in frame 2 from 10.0.0.1, ACK in frame 4 from 10.0.0.1 to 00:04:f2:00:00:01 (vendor class MS-UC-Client) lacks option 43 sub-options 3 web server FQDN, 5 certificate provisioning path, 43 with MS-UC-Client data (sub-option 1 is not MS-UC-Client).',
    );
    expect(f[0].evidence.frames).toEqual([2, 4]);
  });

  it('counts an undecodable option 120 as missing, and a complete reply as fine', () => {
    const uc = { hex: '', ucClient: { ucIdentifier: 'MS-UC-Client', codes: [1, 2, 3, 4, 5] } };
    const good = reply(2, [6, 15, 43, 120], { vendorSpecific: uc });
    const bad120 = reply(4, [6, 15, 43, 120], { vendorSpecific: uc, sipServers: { undecodable: true } });
    expect(dhcpFindings(facts([], [client(['MS-UC-Client'], [good])]))).toEqual([]);
    expect(dhcpFindings(facts([], [client(['CPE-OCPHONE'], [good, bad120])])).map((x) => [x.message, x.evidence.frames])).toEqual([
      ['DHCP ACK in frame 4 from 10.0.0.1 to 00:04:f2:00:00:01 lacks option 120 (SIP server, not decodable).', [4]],
    ]);
  });
});
