// The seed corpus: the project's own captures and bodies, and what can be cut
// out of the captures (each direction of each TCP stream, request/response
// pairs, UDP payloads for DNS and DHCP, TLS streams, compressed bodies).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync, deflateSync, deflateRawSync, brotliCompressSync } from 'node:zlib';
import { layoutCapture, packPair } from './mutators.mjs';

const NOT_CAPTURES = /\.(txt|json|sh|md|py|keys|pem|key|crt|p12|pfx|log|csv|xml)$/i;
/** A stream direction kept as a seed is cut to this (the parsers see big bodies elsewhere). */
const MAX_STREAM_SEED = 64 * 1024;

function files(dir, filter) {
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile() && filter(p));
}

function u8(buf) {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/** Records of a capture, decoded without the async reader (the seeds are trusted files). */
function recordsOf(bytes) {
  let b = bytes;
  if (b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = u8(gunzipSync(b));
    } catch {
      return [];
    }
  }
  const lay = layoutCapture(b);
  if (!lay) return [];
  return lay.units
    .filter((u) => u.data !== undefined)
    .map((u, i) => ({
      frame: i + 1,
      timestampNs: BigInt(i) * 1_000_000n,
      linkType: lay.linkType,
      origLen: u.len,
      data: b.slice(u.data, u.data + u.len),
    }));
}

export function loadCorpus(root, m) {
  const c = { capture: [], http: [], pair: [], xml: [], compressed: [], dns: [], dhcp: [], tls: [], uri: [] };
  const captureFiles = [
    ...files(join(root, 'captures'), (p) => /\.pcap/.test(p) && !NOT_CAPTURES.test(p)),
    ...files(join(root, 'captures', 'derived'), (p) => !NOT_CAPTURES.test(p) && !/\.sh$|README/.test(p)),
  ];
  for (const p of captureFiles) c.capture.push({ name: p.slice(root.length), bytes: u8(readFileSync(p)) });

  // Streams, UDP payloads and bodies cut out of the captures.
  const seen = new Set();
  const add = (kind, name, bytes) => {
    if (!bytes.length) return;
    const key = `${kind}:${Buffer.from(bytes.subarray(0, 256)).toString('base64')}:${bytes.length}`;
    if (seen.has(key)) return;
    seen.add(key);
    c[kind].push({ name, bytes });
  };
  if (m.FrameDecoder && m.TcpReassembler) {
    for (const { name, bytes } of c.capture) {
      const dec = new m.FrameDecoder();
      const ra = new m.TcpReassembler();
      const streams = new Map();
      const take = (events) => {
        for (const e of events) {
          if (e.kind !== 'data') continue;
          const k = `${e.flow.index}`;
          let s = streams.get(k);
          if (!s) streams.set(k, (s = { port: e.flow.server.port, c2s: [], s2c: [], n: { c2s: 0, s2c: 0 } }));
          if (s.n[e.dir] < MAX_STREAM_SEED) {
            s[e.dir].push(e.bytes.slice(0, MAX_STREAM_SEED - s.n[e.dir]));
            s.n[e.dir] += e.bytes.length;
          }
        }
      };
      for (const rec of recordsOf(bytes)) {
        const f = dec.decode(rec);
        if (f.tcp) take(ra.push(f));
        else if (f.udp) {
          const ports = [f.udp.srcPort, f.udp.dstPort];
          if (ports.includes(53)) add('dns', name, f.udp.payload.slice());
          if (ports.includes(67) || ports.includes(68)) add('dhcp', name, f.udp.payload.slice());
        }
      }
      take(ra.flush('eof', 0n));
      for (const [k, s] of streams) {
        const c2s = u8(Buffer.concat(s.c2s));
        const s2c = u8(Buffer.concat(s.s2c));
        if (s.port === 443 || s.port === 8443) {
          add('tls', `${name}#${k}`, c2s);
          add('tls', `${name}#${k}`, s2c);
        } else if (s.port === 53) {
          add('dns', `${name}#${k}`, c2s);
        } else {
          add('http', `${name}#${k}`, c2s);
          add('http', `${name}#${k}`, s2c);
          if (c2s.length || s2c.length) add('pair', `${name}#${k}`, packPair(c2s, s2c));
        }
      }
    }
  }

  // Recorded HTTP transcripts.
  for (const p of files(join(root, 'test', 'http', 'fixtures'), (p) => p.endsWith('.json'))) {
    const doc = JSON.parse(readFileSync(p, 'utf8'));
    const dir = (d) => u8(Buffer.concat(doc.chunks.filter((x) => x.dir === d).map((x) => Buffer.from(x.b64, 'base64'))));
    add('http', p, dir('c2s'));
    add('http', p, dir('s2c'));
    add('pair', p, packPair(dir('c2s'), dir('s2c')));
  }

  // upx bodies: fixtures, then the XML found in the captured streams.
  for (const p of files(join(root, 'test', 'dus', 'fixtures'), (p) => p.endsWith('.xml'))) add('xml', p, u8(readFileSync(p)));
  for (const { name, bytes } of c.http) {
    const s = Buffer.from(bytes).toString('latin1');
    for (const hit of s.matchAll(/<\?xml[\s\S]*?<\/(Request|Response)>/g)) add('xml', name, u8(Buffer.from(hit[0], 'latin1')));
  }

  // Request targets, for export names.
  for (const { name, bytes } of c.http) {
    const s = Buffer.from(bytes.subarray(0, 16384)).toString('latin1');
    for (const hit of s.matchAll(/^[A-Z]+ (\S+) HTTP\/1\.[01]\r?$/gm)) add('uri', name, u8(Buffer.from(hit[1], 'latin1')));
  }
  for (const u of ['/../../etc/passwd', '/C:%5Cx', '/a%00b', '/CON', '/nul.txt', '/%2e%2e', 'http://h/..%5c..%5cwin.ini']) add('uri', 'hostile', u8(Buffer.from(u, 'latin1')));

  // Compressed bodies: the first byte picks the coding (see the content-decoding target).
  for (const { name, bytes } of c.xml.slice(0, 20)) {
    add('compressed', name, u8(Buffer.concat([Buffer.from([0]), gzipSync(bytes)])));
    add('compressed', name, u8(Buffer.concat([Buffer.from([1]), deflateSync(bytes)])));
    add('compressed', name, u8(Buffer.concat([Buffer.from([1]), deflateRawSync(bytes)])));
    add('compressed', name, u8(Buffer.concat([Buffer.from([2]), brotliCompressSync(bytes)])));
  }
  // A small bomb: a megabyte and more of zeros in a few kilobytes.
  add('compressed', 'bomb', u8(Buffer.concat([Buffer.from([0]), gzipSync(Buffer.alloc(4 << 20))])));
  return c;
}
