// Mutators: generic byte edits (flip, set, insert, delete, duplicate, truncate,
// splice) plus cheap structure-aware edits that aim at the fields decoders
// trust most: capture file and record headers, link/IP/TCP headers and TCP
// options (lengths above all), record order, HTTP heads and chunk sizes, and
// XML. Every mutator is (rng, bytes, donor) => Uint8Array and never throws.
import { gzipSync } from 'node:zlib';

/** No mutated input grows past this (keeps one case's memory and time sane). */
export const MAX_INPUT = 4 * 1024 * 1024;

const U8 = [0, 1, 0x7f, 0x80, 0xfe, 0xff];
const U16 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x5dc, 0x600, 0x7fff, 0x8000, 0xfffe, 0xffff];
const U32 = [0, 1, 0x7f, 0xff, 0xffff, 0x10000, 0x3ffff, 0x40000, 0x40001, 0x1000000, 0x1000004, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff];

function bytes(x) {
  return x instanceof Uint8Array ? x : new Uint8Array(x);
}

function concat(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(Math.min(n, MAX_INPUT));
  let o = 0;
  for (const p of parts) {
    if (o >= out.length) break;
    const take = Math.min(p.length, out.length - o);
    out.set(p.subarray(0, take), o);
    o += take;
  }
  return out;
}

const ascii = (s) => new Uint8Array(Buffer.from(s, 'latin1'));

function put16(b, o, v, le) {
  if (o < 0 || o + 2 > b.length) return;
  if (le) { b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff; }
  else { b[o] = (v >>> 8) & 0xff; b[o + 1] = v & 0xff; }
}
function put32(b, o, v, le) {
  if (o < 0 || o + 4 > b.length) return;
  Buffer.from(b.buffer, b.byteOffset, b.length)[le ? 'writeUInt32LE' : 'writeUInt32BE'](v >>> 0, o);
}
function get16(b, o, le) {
  return le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
}
function get32(b, o, le) {
  if (o + 4 > b.length) return 0;
  return Buffer.from(b.buffer, b.byteOffset, b.length)[le ? 'readUInt32LE' : 'readUInt32BE'](o);
}

// --- generic ------------------------------------------------------------------

export function byteMutate(r, input, donor) {
  let b = bytes(input);
  switch (r.int(10)) {
    case 0: { // flip bits
      if (!b.length) return b;
      b = b.slice();
      for (let k = r.small(8); k > 0; k--) { const i = r.int(b.length); b[i] ^= 1 << r.int(8); }
      return b;
    }
    case 1: { // set interesting bytes
      if (!b.length) return b;
      b = b.slice();
      for (let k = r.small(4); k > 0; k--) b[r.int(b.length)] = r.chance(0.5) ? r.pick(U8) : r.int(256);
      return b;
    }
    case 2: { // interesting 16/32-bit value, either byte order
      if (b.length < 4) return b;
      b = b.slice();
      const o = r.int(b.length - 3);
      if (r.chance(0.5)) put16(b, o, r.pick(U16), r.chance(0.5));
      else put32(b, o, r.pick(U32), r.chance(0.5));
      return b;
    }
    case 3: { // insert random bytes
      const at = r.int(b.length + 1);
      const ins = new Uint8Array(r.small(64)).map(() => r.int(256));
      return concat([b.subarray(0, at), ins, b.subarray(at)]);
    }
    case 4: { // delete a range
      if (!b.length) return b;
      const at = r.int(b.length);
      const n = r.small(Math.max(1, b.length - at));
      return concat([b.subarray(0, at), b.subarray(at + n)]);
    }
    case 5: { // duplicate a range
      if (!b.length) return b;
      const at = r.int(b.length);
      const n = r.small(Math.min(4096, b.length - at));
      return concat([b.subarray(0, at + n), b.subarray(at, at + n), b.subarray(at + n)]);
    }
    case 6: // truncate
      return b.subarray(0, r.int(b.length + 1));
    case 7: { // splice a piece of the donor in
      if (!donor || !donor.length) return b;
      const at = r.int(b.length + 1);
      const from = r.int(donor.length);
      const n = r.small(Math.min(8192, donor.length - from));
      const cut = r.chance(0.5) ? r.small(Math.max(1, b.length - at)) : 0;
      return concat([b.subarray(0, at), donor.subarray(from, from + n), b.subarray(at + cut)]);
    }
    case 8: { // overwrite a run with one byte
      if (!b.length) return b;
      b = b.slice();
      const at = r.int(b.length);
      b.fill(r.pick(U8), at, Math.min(b.length, at + r.small(256)));
      return b;
    }
    default: { // swap two ranges' bytes
      if (b.length < 4) return b;
      b = b.slice();
      const n = r.small(Math.floor(b.length / 2));
      const i = r.int(b.length - n + 1);
      const j = r.int(b.length - n + 1);
      const tmp = b.slice(i, i + n);
      b.copyWithin(i, j, j + n);
      b.set(tmp, j);
      return b;
    }
  }
}

// --- captures -------------------------------------------------------------------

/**
 * Where things are in a pcap or pcapng file: the file header, then units
 * (pcap records, pcapng blocks) with the packet data inside each, and the
 * link type. Walks only what is plausible; stops at the first oddity.
 */
export function layoutCapture(b) {
  if (b.length < 24) return null;
  const m = get32(b, 0, false);
  const pcap = { 0xa1b2c3d4: false, 0xa1b23c4d: false, 0xd4c3b2a1: true, 0x4d3cb2a1: true }[m];
  if (pcap !== undefined) {
    const le = pcap;
    const units = [];
    let p = 24;
    while (p + 16 <= b.length && units.length < 100000) {
      const incl = get32(b, p + 8, le);
      if (p + 16 + incl > b.length) break;
      units.push({ start: p, end: p + 16 + incl, data: p + 16, len: incl, lenAt: [p + 8, p + 12] });
      p += 16 + incl;
    }
    return { format: 'pcap', le, headerEnd: 24, linkType: get32(b, 20, le), units };
  }
  if (m === 0x0a0d0d0a) {
    const le = get32(b, 8, true) === 0x1a2b3c4d;
    const units = [];
    let linkType = 1;
    let p = 0;
    let headerEnd = 0;
    while (p + 12 <= b.length && units.length < 100000) {
      const type = get32(b, p, le);
      const len = get32(b, p + 4, le);
      if (len < 12 || len % 4 || p + len > b.length) break;
      if (type === 1) linkType = get16(b, p + 8, le);
      if (type === 6 && len >= 32) {
        const cap = get32(b, p + 20, le);
        units.push({ start: p, end: p + len, data: p + 28, len: Math.min(cap, len - 32), lenAt: [p + 20, p + 24], blockLenAt: [p + 4, p + len - 4] });
      } else if (type === 0x0a0d0d0a || type === 1) {
        headerEnd = p + len;
        units.push({ start: p, end: p + len, header: true, blockLenAt: [p + 4, p + len - 4] });
      } else units.push({ start: p, end: p + len, blockLenAt: [p + 4, p + len - 4] });
      p += len;
    }
    return { format: 'pcapng', le, headerEnd, linkType, units };
  }
  return null;
}

/** Offsets of the link, IP and TCP/UDP headers inside one packet's data. */
export function layoutPacket(b, start, len, linkType) {
  const end = Math.min(b.length, start + len);
  const L = { link: start, ip: -1, l4: -1, proto: -1, payload: -1, end };
  let p = start;
  let et = -1;
  if (linkType === 1) {
    if (p + 14 > end) return L;
    et = (b[p + 12] << 8) | b[p + 13];
    p += 14;
    while ((et === 0x8100 || et === 0x88a8 || et === 0x9100) && p + 4 <= end) {
      et = (b[p + 2] << 8) | b[p + 3];
      p += 4;
    }
  } else if (linkType === 113) {
    if (p + 16 > end) return L;
    et = (b[p + 14] << 8) | b[p + 15];
    p += 16;
  } else if (linkType === 0 || linkType === 108) {
    p += 4;
    et = p < end && (b[p] >> 4) === 6 ? 0x86dd : 0x0800;
  } else if (linkType === 101 || linkType === 228 || linkType === 229) {
    et = p < end && (b[p] >> 4) === 6 ? 0x86dd : 0x0800;
  } else return L;
  if (p >= end) return L;
  L.ip = p;
  if (et === 0x0800) {
    const ihl = (b[p] & 15) * 4;
    L.proto = b[p + 9];
    p += Math.max(20, ihl);
  } else if (et === 0x86dd) {
    L.proto = b[p + 6];
    p += 40;
  } else return L;
  if (p >= end) return L;
  L.l4 = p;
  if (L.proto === 6 && p + 13 < end) L.payload = p + Math.max(20, (b[p + 12] >> 4) * 4);
  else if (L.proto === 17) L.payload = p + 8;
  return L;
}

const TCP_OPTIONS = [
  [2, 4, 0x05, 0xb4], [3, 3, 14], [4, 2], [5, 10, 0, 0, 0, 1, 0, 0, 0, 2], [8, 10, 0, 0, 0, 1, 0, 0, 0, 0],
  [2, 0], [2, 1], [5, 255], [8, 2], [1], [0], [99, 40], [3, 3, 255],
];

/** One field-level edit inside a packet's headers. */
function packetFieldEdit(r, b, L) {
  const layers = [];
  if (L.ip >= 0) layers.push('ip');
  if (L.l4 >= 0) layers.push('l4');
  if (L.ip > L.link) layers.push('link');
  if (L.payload >= 0 && L.payload < L.end) layers.push('payload');
  if (!layers.length) return;
  const which = r.pick(layers);
  if (which === 'link') {
    const o = L.link + r.int(L.ip - L.link);
    if (r.chance(0.5) && L.ip - 2 >= L.link) put16(b, L.ip - 2, r.pick([0x0800, 0x86dd, 0x8100, 0x88a8, 0x0806, 0x0000, 0x05dc, 0xffff]), false);
    else b[o] = r.int(256);
  } else if (which === 'ip') {
    const p = L.ip;
    const v6 = (b[p] >> 4) === 6;
    if (!v6) {
      switch (r.int(6)) {
        case 0: b[p] = (4 << 4) | r.pick([0, 4, 5, 6, 15]); break; // IHL
        case 1: put16(b, p + 2, r.pick([0, 19, 20, 40, 576, 1500, 0xffff, L.end - p, L.end - p + 1, L.end - p - 1]), false); break; // total length
        case 2: put16(b, p + 6, (r.pick([0, 0x2000, 0x4000, 0x6000]) | r.pick([0, 1, 2, 0x1fff, r.int(0x2000)])) & 0xffff, false); break; // flags + fragment offset
        case 3: b[p + 9] = r.pick([6, 17, 1, 0, 44, 41, 255]); break; // protocol
        case 4: put16(b, p + 4, r.pick([0, 1, r.int(0x10000)]), false); break; // id
        default: b[p] = r.int(256);
      }
    } else {
      switch (r.int(3)) {
        case 0: put16(b, p + 4, r.pick([0, 8, 20, 0xffff, L.end - p - 40, L.end - p - 39]), false); break; // payload length
        case 1: b[p + 6] = r.pick([0, 43, 44, 60, 6, 17, 59, 51, 50]); break; // next header
        default: b[p + r.int(40)] = r.int(256);
      }
    }
  } else if (which === 'l4') {
    const p = L.l4;
    if (L.proto === 6) {
      switch (r.int(7)) {
        case 0: b[p + 12] = (r.pick([0, 4, 5, 6, 8, 15]) << 4) | (b[p + 12] & 15); break; // data offset
        case 1: b[p + 13] = r.pick([0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x01, 0x03, 0x07, 0xff, 0x00, r.int(256)]); break; // flags
        case 2: put32(b, p + 4, r.chance(0.5) ? r.u32() : (get32(b, p + 4, false) + r.pick([-1, 1, -1460, 1460, 0x7fffffff, 0x80000000])) >>> 0, false); break; // seq
        case 3: put32(b, p + 8, r.chance(0.5) ? r.u32() : (get32(b, p + 8, false) + r.pick([-1, 1, 100000])) >>> 0, false); break; // ack
        case 4: { // TCP options, lengths above all
          const optEnd = Math.min(L.end, p + Math.max(20, (b[p + 12] >> 4) * 4));
          if (optEnd > p + 20) {
            const opt = r.pick(TCP_OPTIONS);
            const at = p + 20 + r.int(optEnd - p - 20);
            for (let k = 0; k < opt.length && at + k < optEnd; k++) b[at + k] = opt[k];
          } else b[p + 12] = (r.pick([6, 8, 15]) << 4) | (b[p + 12] & 15);
          break;
        }
        case 5: put16(b, p + r.pick([0, 2]), r.pick([80, 443, 53, 67, 68, 8080, 0, 65535]), false); break; // ports
        default: b[p + r.int(20)] = r.int(256);
      }
    } else {
      if (r.chance(0.5)) put16(b, p + 4, r.pick([0, 7, 8, 9, 0xffff, L.end - p, L.end - p + 1]), false); // UDP length
      else put16(b, p + r.pick([0, 2]), r.pick([53, 67, 68, 443, 80]), false);
    }
  } else {
    // Payload bytes in place (lengths stay valid): text-aware when it looks like HTTP.
    const n = L.end - L.payload;
    const seg = b.subarray(L.payload, L.end);
    const edited = httpMutate(r, seg, null);
    seg.set(edited.subarray(0, n));
  }
}

/** Rebuild a capture with its units rearranged (drop, duplicate, swap, move). */
function reorderUnits(r, b, lay) {
  const us = lay.units.filter((u) => !u.header && u.start >= lay.headerEnd);
  if (!us.length) return b;
  const list = us.map((u) => b.subarray(u.start, u.end));
  const i = r.int(list.length);
  switch (r.int(5)) {
    case 0: list.splice(i, 1); break;
    case 1: for (let k = r.small(3); k > 0; k--) list.splice(i, 0, list[i]); break;
    case 2: { const j = r.int(list.length); [list[i], list[j]] = [list[j], list[i]]; break; }
    case 3: { const [u] = list.splice(i, 1); list.splice(r.int(list.length + 1), 0, u); break; }
    default: { // many copies: floods of tiny segments, retransmission storms
      const copies = r.small(200);
      for (let k = 0; k < copies; k++) list.splice(i, 0, list[i]);
    }
  }
  return concat([b.subarray(0, us[0].start), ...list]);
}

/** Replace one pcap record's packet data with `data`, fixing incl_len, orig_len and the IP lengths. */
function resizePcapRecord(r, b, lay, u, edit) {
  const data = b.slice(u.data, u.end);
  const L = layoutPacket(data, 0, data.length, lay.linkType);
  if (L.payload < 0 || L.payload > data.length) return b;
  const payload = edit(data.subarray(L.payload));
  const nd = concat([data.subarray(0, L.payload), payload]);
  if (L.ip >= 0 && r.chance(0.8)) {
    if ((nd[L.ip] >> 4) === 4) put16(nd, L.ip + 2, Math.min(0xffff, nd.length - L.ip), false);
    else if ((nd[L.ip] >> 4) === 6) put16(nd, L.ip + 4, Math.min(0xffff, nd.length - L.ip - 40), false);
  }
  const hdr = b.slice(u.start, u.data);
  put32(hdr, 8, nd.length, lay.le);
  put32(hdr, 12, nd.length, lay.le);
  return concat([b.subarray(0, u.start), hdr, nd, b.subarray(u.end)]);
}

export function captureMutate(r, input, donor) {
  let b = bytes(input).slice();
  const lay = layoutCapture(b);
  if (!lay || !lay.units.length || r.chance(0.12)) return byteMutate(r, b, donor);
  const pkts = lay.units.filter((u) => u.data !== undefined);
  switch (r.int(8)) {
    case 0: { // file header fields
      if (lay.format === 'pcap') {
        const o = r.pick([4, 6, 16, 20]);
        if (o < 8) put16(b, o, r.pick([0, 1, 2, 4, 0xffff]), lay.le);
        else put32(b, o, r.pick([0, 1, 14, 65535, 262144, 262145, 0xffffffff, 101, 113, 0, 108, 228, 276, 147]), lay.le);
      } else {
        const hdr = lay.units.filter((u) => u.header);
        const u = hdr.length ? r.pick(hdr) : lay.units[0];
        const o = u.start + 8 + r.int(Math.max(1, u.end - u.start - 12));
        if (r.chance(0.5)) put16(b, o, r.pick(U16), lay.le);
        else b[o] = r.int(256);
      }
      return b;
    }
    case 1: { // record / block length fields
      const u = r.pick(lay.units);
      if (u.blockLenAt && r.chance(0.6)) put32(b, r.pick(u.blockLenAt), r.pick(U32), lay.le);
      else if (u.lenAt) put32(b, r.pick(u.lenAt), r.chance(0.5) ? r.pick(U32) : u.len + r.pick([-1, 1, -4, 4, 100]), lay.le);
      else put32(b, u.start + 4, r.pick(U32), lay.le);
      return b;
    }
    case 2:
    case 3:
    case 4: { // link / IP / TCP / UDP header fields, or payload bytes in place
      if (!pkts.length) return byteMutate(r, b, donor);
      for (let k = r.small(3); k > 0; k--) {
        const u = r.pick(pkts);
        packetFieldEdit(r, b, layoutPacket(b, u.data, u.len, lay.linkType));
      }
      return b;
    }
    case 5: // record order: drop, duplicate, swap, move, flood
      return reorderUnits(r, b, lay);
    case 6: { // resize a TCP payload (pcap only), lengths kept consistent
      if (lay.format !== 'pcap' || !pkts.length) return byteMutate(r, b, donor);
      const u = r.pick(pkts);
      return resizePcapRecord(r, b, lay, u, (p) => httpMutate(r, p, donor));
    }
    default: { // gzip the capture, sometimes corrupting or cutting the gzip stream
      let z = new Uint8Array(gzipSync(b));
      if (r.chance(0.3)) z = byteMutate(r, z, null);
      else if (r.chance(0.3)) z = z.subarray(0, r.int(z.length));
      return z;
    }
  }
}

// --- HTTP -------------------------------------------------------------------------

const NUMBERS = [
  '0', '-1', '+1', '1', '00000000000000000000001', '4294967296', '9007199254740993', '18446744073709551615',
  '99999999999999999999999', '1e3', '0x10', ' 5', '5 ', '5, 5', '5,6', '', '1.5', '\x1b[2J',
];
const CHUNK_SIZES = ['ffffffffffffffff', '-1', '0x10', '1;ext=1', '', ' 1', '1 ', '00000000000000000000000001', '7fffffff', '100000000', 'fffffffffffff', 'g', '0', '0;', '1\r\nX'];
const HEADERS = [
  'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: chunked, identity', 'Transfer-Encoding: identity',
  'Content-Length: 0', 'Content-Length: 5', 'Content-Length: 5, 6', 'Content-Length: -1', 'Content-Length: 18446744073709551616',
  'Content-Encoding: gzip', 'Content-Encoding: deflate', 'Content-Encoding: br', 'Content-Encoding: gzip, gzip',
  'Connection: close', 'Connection: Upgrade', 'Upgrade: websocket', 'Expect: 100-continue', 'Host: a', 'Host: b',
  ' folded continuation', '\tfolded', 'X-Esc: \x1b]52;c;SGVsbG8=\x07', 'X-Csi: \x1b[2J\x1b[H', 'Bad Name: x', ':', 'NoColon',
  'Content-Type: text/xml; charset=utf-16', 'Content-Type: application/octet-stream', 'X-Nul: a\x00b',
];
const START_LINES = [
  'GET / HTTP/1.1', 'HEAD / HTTP/1.1', 'CONNECT a:443 HTTP/1.1', 'POST /RequestHandler/ucdevice.upx HTTP/1.1', 'PRI * HTTP/2.0',
  'GET /../../etc/passwd HTTP/1.1', 'GET /C:%5Cx HTTP/1.0', 'GET /\x1b]0;owned\x07 HTTP/1.1', 'GET http://h/x%00y HTTP/1.1',
  'HTTP/1.1 200 OK', 'HTTP/1.1 100 Continue', 'HTTP/1.1 101 Switching Protocols', 'HTTP/1.1 204 No Content', 'HTTP/1.1 304 Not Modified',
  'HTTP/1.0 200 OK', 'HTTP/1.1 999 X', 'HTTP/1.1 2000 X', 'HTTP/1.1 -1 X', 'HTTP/2.0 200 OK', 'HTTP/1.1 200', 'GET / HTTP/1.', 'GET  HTTP/1.1',
];

/** Line boundaries (index of each line start) in a byte stream. */
function lineStarts(b, limit = 4096) {
  const starts = [0];
  for (let i = 0; i < b.length && starts.length < limit; i++) if (b[i] === 0x0a && i + 1 < b.length) starts.push(i + 1);
  return starts;
}

export function httpMutate(r, input, donor) {
  const b = bytes(input);
  if (r.chance(0.2)) return byteMutate(r, b, donor);
  const starts = lineStarts(b);
  const li = r.int(starts.length);
  const ls = starts[li];
  let le = li + 1 < starts.length ? starts[li + 1] : b.length;
  const line = b.subarray(ls, le);
  const eol = ascii(r.chance(0.85) ? '\r\n' : r.pick(['\n', '\r', '\r\r\n', '\n\r']));
  switch (r.int(11)) {
    case 0: // replace the line with a start line
      return concat([b.subarray(0, ls), ascii(r.pick(START_LINES)), eol, b.subarray(le)]);
    case 1: // insert a header line
      return concat([b.subarray(0, le), ascii(r.pick(HEADERS)), eol, b.subarray(le)]);
    case 2: { // replace a number in the line (lengths, statuses, chunk sizes)
      const s = Buffer.from(line).toString('latin1');
      const m = [...s.matchAll(/[0-9a-fA-F]+/g)];
      if (!m.length) return concat([b.subarray(0, ls), ascii(r.pick(CHUNK_SIZES)), eol, b.subarray(ls)]);
      const hit = r.pick(m);
      const rep = r.chance(0.5) ? r.pick(NUMBERS) : r.pick(CHUNK_SIZES);
      return concat([b.subarray(0, ls + hit.index), ascii(rep), b.subarray(ls + hit.index + hit[0].length)]);
    }
    case 3: // duplicate the line
      return concat([b.subarray(0, le), line, b.subarray(ls)]);
    case 4: // delete the line
      return concat([b.subarray(0, ls), b.subarray(le)]);
    case 5: { // line endings: CRLF -> LF, LF -> CR, drop one
      const out = b.slice();
      const s = Buffer.from(out);
      const i = s.indexOf('\r\n', ls);
      if (i < 0) return b;
      return concat([out.subarray(0, i), eol.subarray(0, r.int(eol.length + 1)), out.subarray(i + 2)]);
    }
    case 6: { // a very long line (a header of up to megabytes)
      const n = r.chance(0.9) ? r.small(70000) : r.range(100000, 2 * 1024 * 1024);
      const long = new Uint8Array(n).fill(r.pick([0x61, 0x20, 0x3a, 0x30]));
      return concat([b.subarray(0, le), ascii('X-Long: '), long, eol, b.subarray(le)]);
    }
    case 7: { // escape sequences and controls inside the line
      const at = ls + r.int(Math.max(1, line.length));
      const seq = r.pick(['\x1b]52;c;SGVsbG8=\x07', '\x1b[2J', '\x1b]0;t\x1b\\', '\x00', '\x9b31m', '\u202e', '\x7f', '\x1bc']);
      return concat([b.subarray(0, at), new Uint8Array(Buffer.from(seq, r.chance(0.5) ? 'utf8' : 'latin1')), b.subarray(at)]);
    }
    case 8: { // splice lines from another stream (pipelining, mixed framing)
      if (!donor || !donor.length) return b;
      const ds = lineStarts(donor);
      const from = r.pick(ds);
      const n = r.small(Math.min(4096, donor.length - from));
      return concat([b.subarray(0, le), donor.subarray(from, from + n), b.subarray(le)]);
    }
    case 9: // end the stream early, inside a head or a body
      return b.subarray(0, r.int(b.length + 1));
    default: // append a whole message (pipelining)
      return concat([b, ascii(r.pick(START_LINES) + '\r\n' + r.pick(HEADERS) + '\r\n\r\n'), r.chance(0.5) ? ascii('5\r\nhello\r\n0\r\n\r\n') : new Uint8Array(0)]);
  }
}

/** Exchange inputs: [u32 BE length of c2s][c2s][s2c]. */
export function packPair(c2s, s2c) {
  const h = new Uint8Array(4);
  put32(h, 0, c2s.length, false);
  return concat([h, c2s, s2c]);
}

export function unpackPair(b) {
  if (b.length < 4) return { c2s: b, s2c: new Uint8Array(0) };
  const n = Math.min(get32(b, 0, false), b.length - 4);
  return { c2s: b.subarray(4, 4 + n), s2c: b.subarray(4 + n) };
}

export function pairMutate(r, input, donor) {
  const { c2s, s2c } = unpackPair(bytes(input));
  const d = donor ? unpackPair(donor) : null;
  if (r.chance(0.05)) return byteMutate(r, input, donor);
  if (r.chance(0.5)) return packPair(httpMutate(r, c2s, d?.c2s), s2c);
  return packPair(c2s, httpMutate(r, s2c, d?.s2c));
}

// --- XML --------------------------------------------------------------------------

const XML_BITS = [
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
  '<!DOCTYPE x SYSTEM "file:///etc/passwd">', '<!ENTITY e SYSTEM "http://evil/">', '&c;', '&#0;', '&#x1b;', '&lt;', '&unknown;',
  '<![CDATA[\x1b]52;c;AAAA\x07]]>', '<?xml version="1.0" encoding="utf-16"?>', '<?xml version="1.0" encoding="x-unknown"?>',
  '\x1b[2J', '\x1b]0;owned\x07', '<__proto__>', '<constructor a="1">', '</constructor>', '<a b="1" b="2">', '<!-- -- -->',
  '\ufeff', '\u0000', ']]>', '<', '>', '"', "'", '<File Name="../../etc/passwd" Url="http://x/C:\\x"/>',
  '<File Name="CON.txt"/>', '<File Name="a\x00b.cab"/>',
];

export function xmlMutate(r, input, donor) {
  let b = bytes(input);
  if (r.chance(0.25)) return byteMutate(r, b, donor);
  const s = Buffer.from(b).toString('latin1');
  switch (r.int(7)) {
    case 0: { // insert a hostile fragment at a tag boundary
      const tags = [...s.matchAll(/[<>]/g)];
      const at = tags.length ? r.pick(tags).index + (r.chance(0.5) ? 1 : 0) : r.int(s.length + 1);
      return concat([b.subarray(0, at), new Uint8Array(Buffer.from(r.pick(XML_BITS), 'utf8')), b.subarray(at)]);
    }
    case 1: { // deep nesting
      const depth = r.chance(0.8) ? r.small(200) : r.range(1000, 100000);
      const name = r.pick(['a', 'Files', 'File', 'Request']);
      const open = `<${name}>`.repeat(depth);
      const close = r.chance(0.7) ? `</${name}>`.repeat(depth) : '';
      const at = s.indexOf('>') + 1;
      return concat([b.subarray(0, at), ascii(open), ascii(close), b.subarray(at)]);
    }
    case 2: { // duplicate an element
      const m = [...s.matchAll(/<([A-Za-z]+)[^>]*>[^<]*<\/\1>/g)];
      if (!m.length) return byteMutate(r, b, donor);
      const hit = r.pick(m);
      const el = b.subarray(hit.index, hit.index + hit[0].length);
      const times = r.small(r.chance(0.9) ? 10 : 20000);
      return concat([b.subarray(0, hit.index), ...Array(times).fill(el), b.subarray(hit.index)]);
    }
    case 3: { // change an attribute or text value
      const m = [...s.matchAll(/"([^"]*)"|>([^<]+)</g)];
      if (!m.length) return byteMutate(r, b, donor);
      const hit = r.pick(m);
      const val = r.pick(['', '\x1b]52;c;SGVsbG8=\x07', '../../etc/passwd', 'C:\\x', 'NUL', 'a'.repeat(r.small(100000)), '9'.repeat(400), '-1', '&c;', '\u202e', 'x'.repeat(10)]);
      const q = hit[1] !== undefined ? 1 : 1;
      return concat([b.subarray(0, hit.index + q), new Uint8Array(Buffer.from(val, 'utf8')), b.subarray(hit.index + hit[0].length - q)]);
    }
    case 4: // re-encode as UTF-16 with or without a BOM, or cut mid-character
      {
        const u = Buffer.from(Buffer.from(b).toString('utf8'), 'utf16le');
        const withBom = r.chance(0.5) ? concat([new Uint8Array([0xff, 0xfe]), u]) : u;
        return r.chance(0.3) ? withBom.subarray(0, r.int(withBom.length + 1)) : new Uint8Array(withBom);
      }
    case 5: // cut inside a tag
      return b.subarray(0, r.int(b.length + 1));
    default: { // splice a donor's elements in
      if (!donor) return b;
      return byteMutate(r, b, donor);
    }
  }
}
