// DHCP decoder: the real leases of captures/dhcp-*.pcap (dnsmasq serving,
// ISC dhclient asking as MS-UC-Client) against tshark's answer in the
// .tshark.txt beside each, the MS-UC-Client sub-options of option 43, every
// truncation of every real message, and hand-built overload, split options
// (RFC 3396) and option 120 encodings.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import type { Decoded } from '../../src/net/decode-error.js';
import {
  decodeDhcp,
  decodeNameList,
  decodeSubOptions,
  DHCP_ACK,
  DHCP_DISCOVER,
  DHCP_OFFER,
  DHCP_REQUEST,
  type DhcpMessage,
} from '../../src/net/dhcp.js';
import { FrameDecoder } from '../../src/net/frame-decoder.js';
import type { DecodedFrame } from '../../src/net/packet.js';

const CAPTURES = ['dhcp-healthy', 'dhcp-missing-options'];
const path = (name: string) => fileURLToPath(new URL(`../../captures/${name}`, import.meta.url));

async function frames(name: string): Promise<DecodedFrame[]> {
  const src = await openCapture(path(`${name}.pcap`));
  const dec = new FrameDecoder();
  const out: DecodedFrame[] = [];
  for await (const batch of src.batches()) for (const rec of batch) out.push(dec.decode({ ...rec, data: rec.data.slice() }));
  return out;
}

/**
 * `tshark -e frame.number -e dhcp.hw.mac_addr -e dhcp.option.dhcp -e dhcp.option.vendor_class_id
 * -e dhcp.option.type -e dhcp.option.domain_name_server -e dhcp.option.domain_name
 * -e dhcp.option.sip_server.name -e dhcp.option.vendor.value`.
 */
function oracle(name: string): string[][] {
  return readFileSync(path(`${name}.tshark.txt`), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

function mustDecode(r: Decoded<DhcpMessage>): DhcpMessage {
  if (!r.ok) throw new Error(`expected a message, got ${r.error.code}`);
  return r.value;
}

const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : '');

/** The oracle's columns from a decoded message (tshark lists the End option as type 0 in this field). */
function row(frame: number, m: DhcpMessage): string[] {
  const sip = m.sipServers?.kind === 'names' ? m.sipServers.names.join(',') : '';
  return [
    String(frame),
    m.chaddr,
    String(m.messageType ?? ''),
    m.vendorClass ?? '',
    [...m.options.map((o) => o.code), 0].join(','),
    (m.dnsServers ?? []).join(','),
    m.domainName ?? '',
    sip,
    hex(m.vendorSpecific?.raw),
  ];
}

/** A BOOTP fixed part (236 bytes) for a client MAC, then the cookie and `options`. */
function message(op: number, options: number[], { cookie = true, sname = [] as number[], file = [] as number[] } = {}): Uint8Array {
  const b = new Uint8Array(240 + options.length);
  b.set([op, 1, 6, 0, 0xde, 0xad, 0xbe, 0xef], 0);
  b.set([0x00, 0x21, 0x63, 0x0f, 0x20, 0x7b], 28);
  b.set(sname, 44);
  b.set(file, 108);
  if (cookie) b.set([99, 130, 83, 99], 236);
  b.set(options, 240);
  return b;
}

const text = (s: string) => [...Buffer.from(s, 'latin1')];

describe('decodeDhcp on real captures', () => {
  it.each(CAPTURES)('%s: every DHCP frame matches tshark', async (name) => {
    const got: string[][] = [];
    for (const f of await frames(name)) {
      const m = mustDecode(decodeDhcp(f.payload));
      expect(m.notes).toEqual([]);
      expect(m.stopError).toBeUndefined();
      got.push(row(f.frame, m));
    }
    expect(got).toEqual(oracle(name));
  });

  it('dhcp-healthy: the phone asks as MS-UC-Client for 43, 120, 6, 15 and 119 and gets them, with the five UC sub-options', async () => {
    const [discover, offer, request, ack] = (await frames('dhcp-healthy')).map((f) => mustDecode(decodeDhcp(f.payload)));
    expect([discover, offer, request, ack].map((m) => m.messageType)).toEqual([DHCP_DISCOVER, DHCP_OFFER, DHCP_REQUEST, DHCP_ACK]);
    expect(discover).toMatchObject({ op: 1, chaddr: '00:21:63:0f:20:7b', vendorClass: 'MS-UC-Client', hostname: 'LG-IP8540', magicCookie: true });
    expect(discover.parameterRequestList).toEqual(expect.arrayContaining([1, 3, 6, 15, 43, 119, 120]));
    expect(request.requestedIp).toBe(offer.yiaddr);
    for (const m of [offer, ack]) {
      expect(m).toMatchObject({
        op: 2,
        serverId: '10.99.7.1',
        subnetMask: '255.255.255.0',
        routers: ['10.99.7.1'],
        dnsServers: ['10.99.7.1'],
        domainName: 'demo.local',
        domainSearch: ['demo.local'],
        sipServers: { kind: 'names', names: ['ocspool.demo.local'] },
        leaseSeconds: 3600,
      });
      expect(m.yiaddr).toMatch(/^10\.99\.7\.1[0-4]\d$|^10\.99\.7\.150$/);
      // dnsmasq writes the sub-options last to first.
      expect(m.vendorSpecific?.ucClient).toEqual({
        ucIdentifier: 'MS-UC-Client',
        urlScheme: 'https',
        webServerFqdn: 'ocspool.demo.local',
        webServerPort: '443',
        certProvPath: '/CertProv/CertProvisioningService.svc',
        codes: [5, 4, 3, 2, 1],
      });
    }
  });

  it('dhcp-missing-options: the replies carry 6 and 15 but neither 43 nor 120', async () => {
    const [, offer, , ack] = (await frames('dhcp-missing-options')).map((f) => mustDecode(decodeDhcp(f.payload)));
    for (const m of [offer, ack]) {
      expect(m.options.map((o) => o.code)).not.toContain(43);
      expect(m.options.map((o) => o.code)).not.toContain(120);
      expect([m.vendorSpecific, m.sipServers, m.dnsServers, m.domainName]).toEqual([undefined, undefined, ['10.99.7.1'], 'demo.local']);
    }
  });
});

describe('decodeDhcp never throws', () => {
  it('every truncation and one-byte corruption of every real message gives a value or a dhcp.* error', async () => {
    let checked = 0;
    for (const name of CAPTURES) {
      for (const f of await frames(name)) {
        const p = f.payload;
        // Where the End option sits: bytes after it are padding, and a cut there loses nothing.
        const last = mustDecode(decodeDhcp(p)).options.at(-1)!;
        const endAt = last.offset + 2 + last.data.length;
        expect(p[endAt]).toBe(255);
        for (let len = 0; len <= p.length; len++) {
          const r = decodeDhcp(p.subarray(0, len), { vendorClass: 'MS-UC-Client' });
          if (len < 236) expect(r).toMatchObject({ ok: false, error: { code: 'dhcp.too-short', available: len } });
          else {
            expect(r.ok).toBe(true);
            if (r.ok && len <= endAt && len >= 240) {
              // Cut inside an option, or at an option boundary before End.
              const why = r.value.stopError ?? r.value.notes.find((n) => n.code === 'dhcp.no-end-option');
              expect(why?.code).toMatch(/^dhcp\.(option-truncated|no-end-option)$/);
            } else if (r.ok && len > endAt) {
              expect(r.value.options).toHaveLength(mustDecode(decodeDhcp(p)).options.length);
            }
          }
          checked++;
        }
        for (let i = 236; i < p.length; i++) {
          for (const v of [0x00, 0x01, 0x34, 0x78, 0xff]) {
            const c = Uint8Array.from(p);
            c[i] = v;
            const r = decodeDhcp(c);
            expect(r.ok).toBe(true);
            if (r.ok) for (const n of [...r.value.notes, ...(r.value.stopError ? [r.value.stopError] : [])]) expect(n.code).toMatch(/^dhcp\./);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });
});

describe('options', () => {
  it('reads options overloaded into file and sname, after the options field (RFC 2131 section 4.1)', () => {
    const m = mustDecode(
      decodeDhcp(
        message(2, [53, 1, 5, 52, 1, 3, 255], {
          file: [15, 10, ...text('demo.local'), 255],
          sname: [6, 4, 10, 99, 7, 1, 255],
        }),
      ),
    );
    expect(m.options.map((o) => [o.code, o.area])).toEqual([
      [53, 'options'],
      [52, 'options'],
      [15, 'file'],
      [6, 'sname'],
    ]);
    expect([m.domainName, m.dnsServers, m.file, m.sname]).toEqual(['demo.local', ['10.99.7.1'], undefined, undefined]);
  });

  it('joins a long option split over instances (RFC 3396) and decodes names with pointers into the option', () => {
    // Option 120, encoding 0: "ocspool.demo.local" then "ocs2" + pointer to "demo.local" (offset 8 of the name list).
    const names = [7, ...text('ocspool'), 4, ...text('demo'), 5, ...text('local'), 0, 4, ...text('ocs2'), 0xc0, 8];
    const data = [0, ...names];
    const m = mustDecode(decodeDhcp(message(2, [120, 10, ...data.slice(0, 10), 120, data.length - 10, ...data.slice(10), 255])));
    expect(m.options.filter((o) => o.code === 120)).toHaveLength(2);
    expect(m.sipServers).toEqual({ kind: 'names', names: ['ocspool.demo.local', 'ocs2.demo.local'] });
    expect(decodeNameList(Uint8Array.from([3, 0x61, 0x62, 0x63, 0, 0xc0, 5]))).toMatchObject({ ok: false, error: { code: 'dns.pointer-loop' } });
  });

  it('reads option 120 as addresses with encoding 1, and notes an unknown encoding', () => {
    const addrs = mustDecode(decodeDhcp(message(2, [120, 9, 1, 10, 99, 7, 1, 10, 99, 7, 2, 255])));
    expect(addrs.sipServers).toEqual({ kind: 'addresses', addresses: ['10.99.7.1', '10.99.7.2'] });
    const odd = mustDecode(decodeDhcp(message(2, [120, 3, 7, 1, 2, 255])));
    expect(odd.sipServers).toEqual({ kind: 'raw', encoding: 7, raw: Uint8Array.from([1, 2]) });
    expect(odd.notes).toMatchObject([{ code: 'dhcp.bad-option', offset: 240, detail: 'option 120: unknown encoding 7' }]);
    const badLen = mustDecode(decodeDhcp(message(2, [6, 5, 10, 99, 7, 1, 9, 255])));
    expect([badLen.dnsServers, badLen.notes[0]?.code]).toEqual([undefined, 'dhcp.bad-option']);
  });

  it('reads option 43 as MS-UC-Client data by the vendor class or by sub-option 1, and leaves other vendors raw', () => {
    const subs = [1, 12, ...text('MS-UC-Client'), 2, 5, ...text('https'), 4, 3, ...text('443')];
    const bySub = mustDecode(decodeDhcp(message(2, [43, subs.length, ...subs, 255])));
    expect(bySub.vendorSpecific?.ucClient).toEqual({ ucIdentifier: 'MS-UC-Client', urlScheme: 'https', webServerPort: '443', codes: [1, 2, 4] });
    // Without sub-option 1, only the client's vendor class says how to read it.
    const noId = [3, 3, ...text('ocs'), 255];
    expect(mustDecode(decodeDhcp(message(2, [43, noId.length, ...noId, 255]))).vendorSpecific?.ucClient).toBeUndefined();
    const told = mustDecode(decodeDhcp(message(2, [43, noId.length, ...noId, 255]), { vendorClass: 'MS-UC-Client' }));
    expect(told.vendorSpecific).toMatchObject({ subOptions: [{ code: 3 }], ucClient: { webServerFqdn: 'ocs', codes: [3] } });
    // Not code-length-value: raw only, and for MS-UC-Client a note.
    const junk = mustDecode(decodeDhcp(message(1, [60, 12, ...text('MS-UC-Client'), 43, 2, 9, 9, 255])));
    expect(junk.vendorSpecific).toEqual({ raw: Uint8Array.from([9, 9]) });
    expect(junk.notes).toMatchObject([{ code: 'dhcp.bad-option' }]);
    expect(decodeSubOptions(Uint8Array.from([0, 1, 1, 7, 255, 9]))).toEqual([{ code: 1, data: Uint8Array.from([7]) }]);
  });

  it('treats a message without the magic cookie as plain BOOTP, and notes a missing End', () => {
    const bootp = mustDecode(decodeDhcp(message(2, [1, 2, 3], { cookie: false, sname: text('srv'), file: text('boot.img') })));
    expect(bootp).toMatchObject({ magicCookie: false, options: [], sname: 'srv', file: 'boot.img' });
    expect(bootp.notes).toMatchObject([{ code: 'dhcp.no-magic-cookie', offset: 236 }]);
    const noEnd = mustDecode(decodeDhcp(message(2, [53, 1, 2])));
    expect([noEnd.messageType, noEnd.notes.map((n) => n.code)]).toEqual([DHCP_OFFER, ['dhcp.no-end-option']]);
    const cut = mustDecode(decodeDhcp(message(2, [53, 1, 2, 15, 200, 0x61])));
    expect(cut.stopError).toMatchObject({ code: 'dhcp.option-truncated', offset: 243, required: 200, available: 1 });
    expect(cut.messageType).toBe(DHCP_OFFER);
  });
});
