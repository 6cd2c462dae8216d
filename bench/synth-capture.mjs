// Packet synthesizer for the benchmark: a classic pcap (microsecond, Ethernet)
// of what a server's switch port carries during a mass update of the Device
// Update Service. Several hundred phones check in (POST of a ~610-byte
// canonical XML body, 200 with the canonical response), some of them then
// download firmware (2-5 MB over 1448-byte segments) on the same keep-alive
// connection; clients ACK every few segments, and now and then a server
// segment is sent twice (a retransmission). Connections overlap in time.
//
// The mix per GB is the issue's: about 800,000 frames and 5,400 exchanges.
// Everything comes from one seeded PRNG, so the same size gives the same bytes.
// IPv4 header and TCP checksums are correct.
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { encodeUpxRequest, encodeUpxResponse } from '../dist/dus/upx-encode.js';

const MSS = 1448;
const SERVER_IP = [10, 20, 0, 10];
const SERVER_MAC = [0x00, 0x15, 0x5d, 0x0a, 0x00, 0x10];
const PHONES = 640;
/** Sessions open at once. */
const CONCURRENT = 24;
/** Share of sessions that download firmware after checking in. */
const DOWNLOAD_SHARE = 0.075;
/** Share of the server's data segments that are sent again. */
const RETRANSMIT_SHARE = 1 / 1500;
/** A client ACKs every this many server segments. */
const ACK_EVERY = 6;
const OUT_CHUNK = 4 * 1024 * 1024;

/** mulberry32: small, fast, and the same everywhere. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const enc = new TextEncoder();
const MODELS = [
  { vendor: 'LG-Nortel', model: 'IP8540', revision: 'A' },
  { vendor: 'Polycom', model: 'CX600', revision: 'B' },
  { vendor: 'Aastra', model: '6725ip', revision: 'A' },
];
const LOCALES = ['ENU', 'DEU', 'FRA', 'JPN'];
const OLD = '3.5.6907.0';
const NEW = '3.5.6907.37';

function makePhones(rand) {
  const out = [];
  for (let i = 0; i < PHONES; i++) {
    const m = MODELS[i % MODELS.length];
    const mac = [0x00, 0x21, 0x63, (i >> 8) & 0xff, i & 0xff, Math.floor(rand() * 256)];
    out.push({
      ...m,
      locale: LOCALES[Math.floor(rand() * LOCALES.length)],
      mac,
      macText: mac.map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase(),
      serial: `C185H${String(100000 + i * 7).padStart(6, '0')}`,
      ip: [10, 20, 1 + (i >> 8), i & 0xff || 1],
      ipId: Math.floor(rand() * 65536),
      port: 49152 + Math.floor(rand() * 8000),
    });
  }
  return out;
}

function fileUrl(p, name) {
  return `/DeviceUpdateFiles_Int/UCPhone/${p.vendor}/${p.model}/${p.revision}/${p.locale}/${NEW}/CPE/${name}`;
}

function checkInRequest(p) {
  const body = enc.encode(
    encodeUpxRequest({
      deviceType: 'UCPhone',
      macAddress: p.macText,
      serialNumber: p.serial,
      vendor: p.vendor,
      model: p.model,
      revision: p.revision,
      locale: p.locale,
      files: [
        { fileName: 'CPE.nbt', version: OLD, timeStamp: '16-12-2008 04:43:58' },
        { fileName: 'CPE.cat', version: OLD, timeStamp: '16-12-2008 04:43:58' },
      ],
    }),
  );
  const head =
    'POST /RequestHandler/ucdevice.upx HTTP/1.1\r\nContent-Type: text/xml\r\nUser-Agent: Microsoft UCPhone Device\r\n' +
    `Host: ocs.bench.local\r\nContent-Length: ${body.length}\r\nConnection: Keep-Alive\r\nCache-Control: no-cache\r\n\r\n`;
  return concat(enc.encode(head), body);
}

function checkInResponse(p, date, offer) {
  const body = enc.encode(
    encodeUpxResponse({
      serverVersion: '3.5.6907.0',
      serviceVersion: '3.5.6907.0',
      updatesServerInternalUrl: 'https://ocs.bench.local/RequestHandler/ucdevice.upx',
      updatesServerExternalUrl: 'https://ext.bench.local/RequestHandlerExt/ucdevice.upx',
      downloads: offer ? 1 : 0,
      files: offer
        ? [{ fileName: 'CPE.nbt', version: NEW, timeStamp: '02-03-2009 11:20:05', url: `http://ocs.bench.local${fileUrl(p, 'CPE.nbt')}` }]
        : undefined,
    }),
  );
  const head =
    'HTTP/1.1 200 OK\r\nCache-Control: private\r\nContent-Type: text/xml; charset=utf-8\r\nServer: Microsoft-IIS/7.0\r\n' +
    `X-Powered-By: ASP.NET\r\nX-AspNet-Version: 2.0.50727\r\nDate: ${date}\r\nContent-Length: ${body.length}\r\n\r\n`;
  return concat(enc.encode(head), body);
}

function downloadRequest(p) {
  return enc.encode(
    `GET ${fileUrl(p, 'CPE.nbt')} HTTP/1.1\r\nUser-Agent: Microsoft UCPhone Device\r\nHost: ocs.bench.local\r\n` +
      'Connection: Keep-Alive\r\nCache-Control: no-cache\r\n\r\n',
  );
}

function downloadHead(length, date) {
  return enc.encode(
    `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nLast-Modified: Mon, 02 Mar 2009 11:20:05 GMT\r\n` +
      `Accept-Ranges: bytes\r\nETag: "80e3c1d4a59bc91:0"\r\nServer: Microsoft-IIS/7.0\r\nX-Powered-By: ASP.NET\r\n` +
      `Date: ${date}\r\nContent-Length: ${length}\r\n\r\n`,
  );
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * One phone's connection as a generator of packets. A packet is
 * [fromClient, flags, payload, isData] with payload a Uint8Array (maybe empty).
 * The state of sequence numbers lives here.
 */
function* session(p, port, download, rand, pool, dateOf, counters) {
  const c = { seq: Math.floor(rand() * 2 ** 32) >>> 0 };
  const s = { seq: Math.floor(rand() * 2 ** 32) >>> 0 };
  const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;
  const pkt = (fromClient, flags, payload = EMPTY, retransmit = false) => {
    const me = fromClient ? c : s;
    const peer = fromClient ? s : c;
    const seq = retransmit ? retransmit.seq : me.seq;
    const out = { fromClient, flags, seq, ack: peer.seq, payload, port };
    if (!retransmit) me.seq = (me.seq + payload.length + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
    return out;
  };
  // Server data of any length, in MSS segments, with the client's ACKs and the odd retransmission.
  function* serverData(bytes) {
    let sinceAck = 0;
    for (let at = 0; at < bytes.length; at += MSS) {
      const seg = bytes.subarray(at, Math.min(at + MSS, bytes.length));
      const last = at + MSS >= bytes.length;
      const seq = s.seq;
      yield pkt(false, last ? ACK | PSH : ACK, seg);
      if (rand() < RETRANSMIT_SHARE) {
        counters.retransmissions++;
        yield pkt(false, ACK, seg, { seq });
      }
      if (++sinceAck >= ACK_EVERY || last) {
        sinceAck = 0;
        yield pkt(true, ACK);
      }
    }
  }
  yield pkt(true, SYN);
  yield pkt(false, SYN | ACK);
  yield pkt(true, ACK);
  const checkIns = download ? 1 : rand() < 0.5 ? 1 : 2;
  for (let i = 0; i < checkIns; i++) {
    yield pkt(true, ACK | PSH, checkInRequest(p));
    yield* serverData(checkInResponse(p, dateOf(), download));
    counters.exchanges++;
  }
  if (download) {
    yield pkt(true, ACK | PSH, downloadRequest(p));
    const length = download;
    const start = Math.floor(rand() * (pool.length - length));
    const head = downloadHead(length, dateOf());
    yield* serverData(head);
    yield* serverData(pool.subarray(start, start + length));
    counters.exchanges++;
    counters.downloads++;
  }
  yield pkt(true, ACK | FIN);
  yield pkt(false, ACK | FIN);
  yield pkt(true, ACK);
}
const EMPTY = new Uint8Array(0);

/**
 * Write a capture of about `targetBytes` bytes to `path` (through a temporary
 * name, renamed at the end). Returns what it wrote. `downloadShare` 0 makes
 * a capture of check-ins only (bench/run.mjs --mix checkins), which weighs
 * what each exchange costs rather than each byte.
 */
export function synthesize(path, targetBytes, seed = 20090306, downloadShare = DOWNLOAD_SHARE) {
  const rand = prng(seed);
  const phones = makePhones(rand);
  const pool = new Uint8Array(6_000_000);
  const poolRand = prng(seed ^ 0x5eed);
  const pool32 = new Uint32Array(pool.buffer);
  for (let i = 0; i < pool32.length; i++) pool32[i] = (poolRand() * 4294967296) >>> 0;

  const tmp = `${path}.part`;
  const fd = openSync(tmp, 'w');
  let out = Buffer.alloc(OUT_CHUNK);
  let used = 0;
  let written = 0;
  const flush = () => {
    writeSync(fd, out, 0, used);
    written += used;
    used = 0;
  };
  // Global header: microsecond magic, version 2.4, snap length 262144, Ethernet.
  const gh = Buffer.alloc(24);
  gh.writeUInt32LE(0xa1b2c3d4, 0);
  gh.writeUInt16LE(2, 4);
  gh.writeUInt16LE(4, 6);
  gh.writeUInt32LE(262144, 16);
  gh.writeUInt32LE(1, 20);
  gh.copy(out, 0);
  used = 24;

  const counters = { frames: 0, exchanges: 0, downloads: 0, retransmissions: 0, sessions: 0 };
  let nowUs = 1236359439n * 1_000_000n; // 2009-03-06T17:10:39Z, as the sample captures
  const dateOf = () => new Date(Number(nowUs / 1000n)).toUTCString();
  const active = [];
  let estimate = 0;
  const open = () => {
    const p = phones[Math.floor(rand() * phones.length)];
    // Each connection of a phone takes its next ephemeral port.
    p.port = p.port >= 65000 ? 49152 : p.port + 1;
    const download = rand() < downloadShare ? 2_000_000 + Math.floor(rand() * 3_000_000) : 0;
    active.push({ p, it: session(p, p.port, download, rand, pool, dateOf, counters) });
    counters.sessions++;
    // What the session will write, near enough (headers, ACKs, a check-in or two).
    estimate += download * 1.06 + 4000;
  };
  while (active.length < CONCURRENT) open();
  while (active.length > 0) {
    const i = Math.floor(rand() * active.length);
    const { p, it } = active[i];
    const r = it.next();
    if (r.done) {
      active.splice(i, 1);
      if (written + used + estimate < targetBytes) open();
      continue;
    }
    nowUs += BigInt(20 + Math.floor(rand() * 180));
    if (used + 16 + 1600 > out.length) flush();
    used += writePacket(out, used, p, r.value, nowUs);
    counters.frames++;
    estimate -= r.value.payload.length + 60;
  }
  flush();
  closeSync(fd);
  renameSync(tmp, path);
  return { bytes: written, ...counters };
}

/** One record (pcap header + Ethernet + IPv4 + TCP + payload) at `o`; returns its length. */
function writePacket(out, o, p, k, nowUs) {
  const { fromClient, flags, seq, ack, payload, port } = k;
  const syn = (flags & 0x02) !== 0;
  const tcpLen = syn ? 24 : 20;
  const ipLen = 20 + tcpLen + payload.length;
  const frameLen = 14 + ipLen;
  out.writeUInt32LE(Number(nowUs / 1_000_000n), o);
  out.writeUInt32LE(Number(nowUs % 1_000_000n), o + 4);
  out.writeUInt32LE(frameLen, o + 8);
  out.writeUInt32LE(frameLen, o + 12);
  let e = o + 16;
  const [srcMac, dstMac] = fromClient ? [p.mac, SERVER_MAC] : [SERVER_MAC, p.mac];
  for (let i = 0; i < 6; i++) {
    out[e + i] = dstMac[i];
    out[e + 6 + i] = srcMac[i];
  }
  out[e + 12] = 0x08;
  out[e + 13] = 0x00;
  const ip = e + 14;
  const [src, dst] = fromClient ? [p.ip, SERVER_IP] : [SERVER_IP, p.ip];
  out[ip] = 0x45;
  out[ip + 1] = 0;
  out.writeUInt16BE(ipLen, ip + 2);
  p.ipId = (p.ipId + 1) & 0xffff;
  out.writeUInt16BE(fromClient ? p.ipId : (p.ipId * 7) & 0xffff, ip + 4);
  out.writeUInt16BE(0x4000, ip + 6); // don't fragment
  out[ip + 8] = fromClient ? 128 : 64;
  out[ip + 9] = 6;
  out.writeUInt16BE(0, ip + 10);
  for (let i = 0; i < 4; i++) {
    out[ip + 12 + i] = src[i];
    out[ip + 16 + i] = dst[i];
  }
  out.writeUInt16BE(checksum(out, ip, 20, 0), ip + 10);
  const t = ip + 20;
  out.writeUInt16BE(fromClient ? port : 80, t);
  out.writeUInt16BE(fromClient ? 80 : port, t + 2);
  out.writeUInt32BE(seq >>> 0, t + 4);
  out.writeUInt32BE(flags & 0x10 ? ack >>> 0 : 0, t + 8);
  out[t + 12] = (tcpLen / 4) << 4;
  out[t + 13] = flags;
  out.writeUInt16BE(fromClient ? 64240 : 65535, t + 14);
  out.writeUInt16BE(0, t + 16);
  out.writeUInt16BE(0, t + 18);
  if (syn) {
    out[t + 20] = 2; // MSS option
    out[t + 21] = 4;
    out.writeUInt16BE(MSS, t + 22);
  }
  out.set(payload, t + tcpLen);
  // Pseudo-header (RFC 793 section 3.1): addresses, protocol, TCP length.
  let pseudo = 6 + tcpLen + payload.length;
  for (let i = 0; i < 4; i += 2) pseudo += ((src[i] << 8) | src[i + 1]) + ((dst[i] << 8) | dst[i + 1]);
  out.writeUInt16BE(checksum(out, t, tcpLen + payload.length, pseudo), t + 16);
  return 16 + frameLen;
}

/** The Internet checksum (RFC 1071) of out[at, at+len) plus a starting sum. */
function checksum(buf, at, len, sum) {
  const end = at + (len & ~1);
  for (let i = at; i < end; i += 2) sum += (buf[i] << 8) | buf[i + 1];
  if (len & 1) sum += buf[at + len - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
