// DNS decoder: the real lookups of captures/dns-*.pcap (dnsmasq, unbound and
// dig) against tshark's answer in the .tshark.txt beside each, every
// truncation and corruption of every real message, compression loops, names
// over 255 bytes, and the TCP splitter at every split point.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import type { Decoded } from '../../src/net/decode-error.js';
import {
  decodeDns,
  decodeDnsName,
  DnsTcpStream,
  dnsRcodeName,
  dnsTypeName,
  type DnsMessage,
  type DnsTcpEvent,
} from '../../src/net/dns.js';
import { FrameDecoder } from '../../src/net/frame-decoder.js';
import type { DecodedFrame } from '../../src/net/packet.js';
import { TcpReassembler } from '../../src/reassembly/tcp-reassembler.js';
import type { FrameSpan, StreamEvent } from '../../src/reassembly/stream-event.js';
import { concat } from './helpers.js';

const CAPTURES = ['dns-ucupdates-a', 'dns-ucupdates-cname', 'dns-ucupdates-nxdomain', 'dns-ucupdates-servfail', 'dns-ucupdates-noanswer'];
const path = (name: string) => fileURLToPath(new URL(`../../captures/${name}`, import.meta.url));

/** Decoded frames of a capture, each with its own copy of the bytes. */
async function frames(name: string): Promise<DecodedFrame[]> {
  const src = await openCapture(path(`${name}.pcap`));
  const dec = new FrameDecoder();
  const out: DecodedFrame[] = [];
  for await (const batch of src.batches()) for (const rec of batch) out.push(dec.decode({ ...rec, data: rec.data.slice() }));
  return out;
}

/** TCP stream events of a capture, data copied. */
async function streamEvents(name: string): Promise<StreamEvent[]> {
  const r = new TcpReassembler();
  const out: StreamEvent[] = [];
  for (const f of await frames(name)) for (const e of r.push(f)) out.push(e.kind === 'data' ? { ...e, bytes: e.bytes.slice() } : e);
  out.push(...r.flush('eof', 0n));
  return out;
}

interface OracleRow {
  frame: number;
  name: string;
  types: string;
  a: string;
  cname: string;
  rcode: string;
}

/** `tshark -e frame.number -e dns.qry.name -e dns.resp.type -e dns.a -e dns.cname -e dns.flags.rcode`. */
function oracle(name: string): OracleRow[] {
  return readFileSync(path(`${name}.tshark.txt`), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [frame, qname, types, a, cname, rcode] = l.split('\t');
      return { frame: Number(frame), name: qname, types, a, cname, rcode };
    });
}

/** The same columns from a decoded message. */
function row(frame: number, m: DnsMessage): OracleRow {
  return {
    frame,
    name: m.questions.map((q) => q.name).join(','),
    types: m.answers.map((r) => r.type).join(','),
    a: m.answers.flatMap((r) => (r.data.kind === 'a' ? [r.data.address] : [])).join(','),
    cname: m.answers.flatMap((r) => (r.type === 5 && r.data.kind === 'name' ? [r.data.name] : [])).join(','),
    rcode: m.qr ? String(m.rcode) : '',
  };
}

function mustDecode(r: Decoded<DnsMessage>): DnsMessage {
  if (!r.ok) throw new Error(`expected a message, got ${r.error.code}`);
  return r.value;
}

/** Feed a stream in the given pieces, spans split with them. */
function feed(s: DnsTcpStream, bytes: Uint8Array, cuts: number[], frameOf: (offset: number) => number): DnsTcpEvent[] {
  const out: DnsTcpEvent[] = [];
  let at = 0;
  for (const end of [...cuts, bytes.length]) {
    if (end <= at) continue;
    const span: FrameSpan = { frame: frameOf(at), timestampNs: BigInt(at), streamOffset: at, length: end - at };
    out.push(...s.push(bytes.subarray(at, end), [span]));
    at = end;
  }
  return out;
}

/** A DNS header with the given counts. */
function header(id: number, flags: number, qd: number, an = 0, ns = 0, ar = 0): number[] {
  return [id >> 8, id & 255, flags >> 8, flags & 255, 0, qd, 0, an, 0, ns, 0, ar];
}

/** Wire form of a name from labels. */
function labels(...parts: string[]): number[] {
  return [...parts.flatMap((p) => [p.length, ...Buffer.from(p, 'latin1')]), 0];
}

describe('decodeDns on real captures', () => {
  it.each(CAPTURES)('%s: every DNS frame matches tshark', async (name) => {
    const got: OracleRow[] = [];
    for (const f of await frames(name)) {
      if (f.udp?.srcPort !== 53 && f.udp?.dstPort !== 53) continue;
      const m = mustDecode(decodeDns(f.payload));
      expect(m.notes).toEqual([]);
      expect(m.stopError).toBeUndefined();
      expect(m.length).toBe(f.payload.length);
      got.push(row(f.frame, m));
    }
    expect(got).toEqual(oracle(name));
  });

  it('follows a pointer into a CNAME target to name the A record after it', async () => {
    const f = (await frames('dns-ucupdates-cname'))[1];
    const m = mustDecode(decodeDns(f.payload));
    // dnsmasq writes the A record's owner as a pointer into the CNAME's data (offset 0x35).
    const rdStart = m.answers[0].offset + 2 + 10;
    expect([rdStart, ...f.payload.subarray(m.answers[1].offset, m.answers[1].offset + 2)]).toEqual([0x35, 0xc0, 0x35]);
    expect(m.answers.map((r) => [r.name, dnsTypeName(r.type), r.ttl, r.data])).toEqual([
      ['ucupdates-r2.demo.local', 'CNAME', 300, { kind: 'name', name: 'ocspool.demo.local' }],
      ['ocspool.demo.local', 'A', 300, { kind: 'a', address: '10.99.7.10' }],
    ]);
    expect(m).toMatchObject({ qr: true, aa: true, rd: true, ra: true, tc: false, opcode: 0, rcode: 0 });
  });

  it('names the rcodes of the failing lookups', async () => {
    const nx = mustDecode(decodeDns((await frames('dns-ucupdates-nxdomain'))[3].payload));
    const sf = mustDecode(decodeDns((await frames('dns-ucupdates-servfail'))[1].payload));
    expect([dnsRcodeName(nx.rcode), nx.answers.length, dnsRcodeName(sf.rcode)]).toEqual(['NXDOMAIN', 0, 'SERVFAIL']);
    expect(dnsRcodeName(11)).toBe('RCODE11');
    expect(dnsTypeName(65280)).toBe('TYPE65280');
  });

  it('dns-ucupdates-tcp: the length-prefixed messages match tshark, in the frames tshark shows them', async () => {
    const got: OracleRow[] = [];
    const streams = new Map<string, DnsTcpStream>();
    for (const e of await streamEvents('dns-ucupdates-tcp')) {
      if (e.kind !== 'data') continue;
      const s = streams.get(e.dir) ?? new DnsTcpStream();
      streams.set(e.dir, s);
      for (const ev of s.push(e.bytes, e.spans)) {
        expect(ev.kind).toBe('message');
        if (ev.kind === 'message') got.push(row(ev.frame, ev.message));
      }
    }
    expect(got.sort((a, b) => a.frame - b.frame)).toEqual(oracle('dns-ucupdates-tcp'));
  });

  it('decodes one TCP payload with its prefix, and counts the prefix in error offsets', async () => {
    const f = (await frames('dns-ucupdates-tcp'))[3];
    const m = mustDecode(decodeDns(f.payload, { tcp: true }));
    expect([m.questions[0].name, m.length + 2]).toEqual(['ucupdates-r2.demo.local', f.payload.length]);
    // The same bytes read as UDP: the prefix becomes the id, and the rest no longer fits.
    const cut = decodeDns(f.payload.subarray(0, 20), { tcp: true });
    expect(cut).toMatchObject({ ok: false, error: { code: 'dns.truncated', offset: 2, required: f.payload.length - 2, available: 18 } });
    const bad = Uint8Array.from(f.payload);
    bad[2 + 12] = 0x80; // first label length byte: a reserved label type
    expect(decodeDns(bad, { tcp: true })).toMatchObject({ ok: false, error: { code: 'dns.bad-label-type', offset: 14 } });
    const extra = mustDecode(decodeDns(concat(f.payload, [1, 2]), { tcp: true }));
    expect(extra.notes).toMatchObject([{ code: 'dns.tcp-trailing-bytes', offset: f.payload.length, available: 2 }]);
  });
});

describe('decodeDns never throws', () => {
  it('every truncation and every one-byte corruption of every real message gives a value or a dns.* error', async () => {
    let checked = 0;
    for (const name of [...CAPTURES, 'dns-ucupdates-tcp']) {
      for (const f of await frames(name)) {
        const tcp = f.tcp !== undefined;
        if (f.payload.length === 0 || (f.udp?.srcPort !== 53 && f.udp?.dstPort !== 53 && !tcp)) continue;
        const p = f.payload;
        for (let len = 0; len <= p.length; len++) {
          const r = decodeDns(p.subarray(0, len), { tcp });
          if (!r.ok) {
            expect(r.error.code).toMatch(/^dns\.[a-z-]+$/);
            expect(r.error.offset).toBeLessThanOrEqual(len);
          } else if (len < p.length && !tcp) {
            // A cut message decodes only as far as its bytes go.
            expect(r.value.stopError ?? r.value.notes[0]).toBeDefined();
          }
          checked++;
        }
        for (let i = 0; i < p.length; i++) {
          for (const v of [0x00, 0x3f, 0x40, 0xc0, 0xff]) {
            const c = Uint8Array.from(p);
            c[i] = v;
            const r = decodeDns(c, { tcp });
            expect(r.ok || /^dns\./.test(r.error.code)).toBe(true);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('keeps the question and rcode of a response whose answers are cut, with stopError', async () => {
    const p = (await frames('dns-ucupdates-cname'))[1].payload;
    const m = mustDecode(decodeDns(p.subarray(0, p.length - 3)));
    expect([m.questions[0].name, m.answers.length, m.stopError?.code]).toEqual(['ucupdates-r2.demo.local', 1, 'dns.rdata-truncated']);
  });
});

describe('decodeDnsName', () => {
  it('stops a pointer to itself, a ping-pong between two names and a forward pointer', () => {
    // Question name at 12 is a pointer to 12.
    const self = decodeDns(Uint8Array.from([...header(1, 0x0100, 1), 0xc0, 0x0c, 0, 1, 0, 1]));
    expect(self).toMatchObject({ ok: false, error: { code: 'dns.pointer-loop', offset: 12 } });
    // "a" at 12 then a pointer to 16, where a pointer goes back to 12: a cycle 12 -> 16 -> 12.
    const cycle = Uint8Array.from([...header(1, 0x0100, 1), 1, 0x61, 0xc0, 0x10, 0xc0, 0x0c, 0, 1, 0, 1]);
    expect(decodeDnsName(cycle, 12)).toMatchObject({ ok: false, error: { code: 'dns.pointer-loop', offset: 14 } });
    expect(decodeDnsName(cycle, 16)).toMatchObject({ ok: false, error: { code: 'dns.pointer-loop' } });
    // A pointer into the header before the name is allowed, but reading it as a name still ends.
    const intoHeader = Uint8Array.from([0, 0, 0, 0, 0xc0, 0x00]);
    expect(decodeDnsName(intoHeader, 4)).toMatchObject({ ok: true, value: { name: '', end: 6 } });
    // Nested pointers going strictly down are fine: "c" at 19 -> "b" at 15 -> "a" at 12.
    const chain = Uint8Array.from([...header(0, 0, 0), 1, 0x61, 0, 1, 0x62, 0xc0, 0x0c, 1, 0x63, 0xc0, 0x0f]);
    expect(decodeDnsName(chain, 19)).toMatchObject({ ok: true, value: { name: 'c.b.a', end: 23 } });
  });

  it('stops a long chain of pointers to pointers, each going lower', () => {
    // A root label at 0, then 300 pointers, each to the one before it: legal steps, absurd length.
    const b = new Uint8Array(2 + 600);
    for (let i = 1; i <= 300; i++) b.set([0xc0 | ((2 * i - 2) >> 8), (2 * i - 2) & 255], 2 * i);
    expect(decodeDnsName(b, 600)).toMatchObject({ ok: false, error: { code: 'dns.too-many-pointers', offset: 600 } });
    // A shorter chain ending in the root is a name.
    const c = Uint8Array.from([0, 0, 0xc0, 0, 0xc0, 2, 0xc0, 4]);
    expect(decodeDnsName(c, 6)).toMatchObject({ ok: true, value: { name: '', end: 8 } });
  });

  it('takes a name of 255 bytes and refuses one longer, also when pointers build it', () => {
    const l63 = 'x'.repeat(63);
    const max = Uint8Array.from(labels(l63, l63, l63, 'y'.repeat(61)));
    expect(max.length).toBe(255);
    expect(decodeDnsName(max, 0)).toMatchObject({ ok: true, value: { end: 255 } });
    const long = Uint8Array.from(labels(l63, l63, l63, 'y'.repeat(62)));
    expect(decodeDnsName(long, 0)).toMatchObject({ ok: false, error: { code: 'dns.name-too-long', required: 256 } });
    // 3 x 63 labels at 0, then at 193 four more 63-byte labels and a pointer to 0: 449 bytes in all.
    const viaPointer = Uint8Array.from([...labels(l63, l63, l63), ...labels(l63).slice(0, -1), 0xc0, 0x00]);
    expect(decodeDnsName(viaPointer, 193)).toMatchObject({ ok: false, error: { code: 'dns.name-too-long' } });
  });

  it('escapes dots, backslashes and unprintable bytes inside labels', () => {
    const n = Uint8Array.from([5, 0x61, 0x2e, 0x5c, 0x00, 0x1b, 2, 0xff, 0x41, 0]);
    expect(decodeDnsName(n, 0)).toMatchObject({ ok: true, value: { name: 'a\\.\\\\\\000\\027.\\255A' } });
    expect(decodeDnsName(Uint8Array.from([0xc0, 0]), 0, { compression: false })).toMatchObject({
      ok: false,
      error: { code: 'dns.pointer-not-allowed' },
    });
  });
});

describe('resource data', () => {
  it('decodes AAAA, SRV, MX, TXT, SOA and OPT, and keeps unknown types raw', () => {
    const q = labels('ucupdates-r2', 'demo', 'local'); // at 12
    const rr = (type: number, rdata: number[], cls = 1, ttl = [0, 0, 1, 0]) => [0xc0, 0x0c, 0, type, cls >> 8, cls & 255, ...ttl, rdata.length >> 8, rdata.length & 255, ...rdata];
    const aaaa = [0xfd, 0, 0, 0x99, ...new Array(11).fill(0), 2];
    const srv = [0, 10, 0, 60, 0x01, 0xbb, ...labels('ocspool'), ];
    srv.splice(srv.length - 1, 1, 0xc0, 0x19); // target "ocspool" + pointer to "demo.local"
    const soa = [...labels('ns'), ...labels('admin'), 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5];
    const msg = Uint8Array.from([
      ...header(7, 0x8580, 1, 5, 1, 1),
      ...q,
      0, 1, 0, 1,
      ...rr(28, aaaa),
      ...rr(33, srv),
      ...rr(15, [0, 5, 0xc0, 0x0c]),
      ...rr(16, [2, 0x68, 0x69, 0, 3, 0x61, 0x2e, 0x62]),
      ...rr(99, [1, 2, 3]),
      ...rr(6, soa),
      0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0,
    ]);
    const m = mustDecode(decodeDns(msg));
    expect(m.notes).toEqual([]);
    expect(m.answers.map((r) => r.data)).toEqual([
      { kind: 'aaaa', address: 'fd00:99::2' },
      { kind: 'srv', priority: 10, weight: 60, port: 443, target: 'ocspool.demo.local' },
      { kind: 'mx', preference: 5, exchange: 'ucupdates-r2.demo.local' },
      { kind: 'txt', strings: ['hi', '', 'a.b'] },
      { kind: 'raw', bytes: Uint8Array.from([1, 2, 3]) },
    ]);
    expect(m.authorities[0].data).toEqual({ kind: 'soa', mname: 'ns', rname: 'admin', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 });
    expect(m.additionals[0]).toMatchObject({ name: '', type: 41, data: { kind: 'opt', udpPayloadSize: 1232, extendedRcode: 0, version: 0, dnssecOk: true } });
    expect(m).toMatchObject({ id: 7, qr: true, aa: true, rd: true, ra: true, counts: { questions: 1, answers: 5, authorities: 1, additionals: 1 } });
  });

  it('notes record data of the wrong size and keeps it raw', () => {
    const msg = Uint8Array.from([...header(1, 0x8180, 0, 1), 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 3, 10, 99, 7]);
    const m = mustDecode(decodeDns(msg));
    expect(m.answers[0].data).toEqual({ kind: 'raw', bytes: Uint8Array.from([10, 99, 7]) });
    expect(m.notes).toMatchObject([{ code: 'dns.bad-rdata', offset: 23 }]);
  });

  it('does not trust the counts: 65535 claimed questions in a short message end with an error', () => {
    const msg = Uint8Array.from([0, 1, 1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...labels('a'), 0, 1, 0, 1]);
    expect(decodeDns(msg)).toMatchObject({ ok: false, error: { code: 'dns.name-truncated', offset: 19 } });
  });
});

describe('DnsTcpStream', () => {
  async function clientStream(): Promise<Uint8Array> {
    const parts = (await streamEvents('dns-ucupdates-tcp')).flatMap((e) => (e.kind === 'data' && e.dir === 'c2s' ? [e.bytes] : []));
    return concat(...parts);
  }

  it('gives the same two messages, in the frames that completed them, at every split point', async () => {
    const bytes = await clientStream();
    const first = 2 + ((bytes[0] << 8) | bytes[1]);
    const frameOf = (at: number) => 100 + at;
    for (let cut = 0; cut <= bytes.length; cut++) {
      const s = new DnsTcpStream();
      const ev = feed(s, bytes, [cut], frameOf);
      expect(ev.map((e) => e.kind === 'message' && [e.offset, e.message.questions[0].name, e.message.id])).toEqual([
        [0, 'ucupdates-r2.demo.local', expect.any(Number)],
        [first, 'ucupdates.demo.local', expect.any(Number)],
      ]);
      // The frame that carried each message's last byte completes it.
      const ends = [first - 1, bytes.length - 1].map((last) => frameOf(last < cut ? 0 : cut));
      expect(ev.map((e) => e.kind === 'message' && e.frame)).toEqual(ends);
      expect(s.end()).toEqual([]);
    }
    // One byte at a time.
    const s = new DnsTcpStream();
    const ev = feed(s, bytes, Array.from({ length: bytes.length }, (_, i) => i), (at) => at + 1);
    expect(ev.map((e) => e.kind === 'message' && e.frames.length)).toEqual([first, bytes.length - first]);
  });

  it('survives a gap inside a message of known length, and stops at a gap over a prefix', async () => {
    const bytes = await clientStream();
    const first = 2 + ((bytes[0] << 8) | bytes[1]);
    const s = new DnsTcpStream();
    expect(s.push(bytes.subarray(0, 10))).toEqual([]);
    expect(s.gap(first - 10 - 5)).toMatchObject([{ kind: 'error', resumable: true, error: { code: 'dns.tcp-gap', offset: 0 } }]);
    expect(s.push(bytes.subarray(first - 5))).toMatchObject([{ kind: 'message', offset: first, message: { questions: [{ name: 'ucupdates.demo.local' }] } }]);

    const t = new DnsTcpStream();
    t.push(bytes.subarray(0, first));
    expect(t.gap(3)).toMatchObject([{ kind: 'error', resumable: false, error: { code: 'dns.tcp-desync', offset: first } }]);
    expect(t.push(bytes.subarray(first + 3))).toEqual([]);
    expect(t.end()).toEqual([]);
  });

  it('reports a message cut by the end, an empty message, and holds no more than one message', () => {
    const s = new DnsTcpStream();
    expect(s.push(Uint8Array.from([0, 0]))).toMatchObject([{ kind: 'error', resumable: true, error: { code: 'dns.header-too-short', offset: 2 } }]);
    expect(s.push(Uint8Array.from([0xff, 0xff, 1, 2, 3]))).toEqual([]);
    expect(s.end()).toMatchObject([{ kind: 'error', error: { code: 'dns.tcp-incomplete', offset: 2, required: 65537, available: 5 } }]);
    expect(s.push(Uint8Array.from([0, 12]))).toEqual([]);
  });
});
