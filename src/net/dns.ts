// DNS messages (RFC 1035 section 4), over UDP or over TCP with the 2-byte
// length prefix (RFC 1035 section 4.2.2, RFC 7766). A phone that has never had
// a user signed in finds the Device Update Service by resolving
// `ucupdates-r2.<DHCP domain>` (shared/protocol/ucdevice-upx.md section 1), so
// upxray needs the question, the rcode and the answers, including CNAME chains.
//
// Names are decoded with compression pointers (section 4.1.4) under two bounds
// that make a loop impossible: a pointer must point before the start of the
// run of labels it ends (so every jump goes strictly lower), and the name may
// not exceed 255 bytes on the wire (section 2.3.4). Section counts come from
// the header and are never trusted to size anything: each record consumes
// bytes, so the loops end with the message.
import { formatIpv4, formatIpv6 } from './address.js';
import { u16be, u32be } from './bytes.js';
import { addOffset, decodeError, fail, ok, type Decoded, type DecodeError } from './decode-error.js';
import type { FrameSpan } from '../reassembly/stream-event.js';

export const DNS_HEADER_LENGTH = 12;
/** Longest name on the wire, length bytes and the root label included (RFC 1035 section 2.3.4). */
export const DNS_MAX_NAME_LENGTH = 255;
export const DNS_PORT = 53;

export const DNS_TYPE_A = 1;
export const DNS_TYPE_NS = 2;
export const DNS_TYPE_CNAME = 5;
export const DNS_TYPE_SOA = 6;
export const DNS_TYPE_PTR = 12;
export const DNS_TYPE_MX = 15;
export const DNS_TYPE_TXT = 16;
export const DNS_TYPE_AAAA = 28;
export const DNS_TYPE_SRV = 33;
export const DNS_TYPE_DNAME = 39;
export const DNS_TYPE_OPT = 41;
export const DNS_TYPE_ANY = 255;

export const DNS_RCODE_NOERROR = 0;
export const DNS_RCODE_FORMERR = 1;
export const DNS_RCODE_SERVFAIL = 2;
export const DNS_RCODE_NXDOMAIN = 3;
export const DNS_RCODE_NOTIMP = 4;
export const DNS_RCODE_REFUSED = 5;

/** Mnemonics for the record types upxray shows by name. */
export const DNS_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [DNS_TYPE_A, 'A'],
  [DNS_TYPE_NS, 'NS'],
  [DNS_TYPE_CNAME, 'CNAME'],
  [DNS_TYPE_SOA, 'SOA'],
  [DNS_TYPE_PTR, 'PTR'],
  [DNS_TYPE_MX, 'MX'],
  [DNS_TYPE_TXT, 'TXT'],
  [DNS_TYPE_AAAA, 'AAAA'],
  [DNS_TYPE_SRV, 'SRV'],
  [DNS_TYPE_DNAME, 'DNAME'],
  [DNS_TYPE_OPT, 'OPT'],
  [DNS_TYPE_ANY, 'ANY'],
]);

/** Response codes (RFC 1035 section 4.1.1, RFC 6895 section 2.3). */
export const DNS_RCODE_NAMES: ReadonlyMap<number, string> = new Map([
  [DNS_RCODE_NOERROR, 'NOERROR'],
  [DNS_RCODE_FORMERR, 'FORMERR'],
  [DNS_RCODE_SERVFAIL, 'SERVFAIL'],
  [DNS_RCODE_NXDOMAIN, 'NXDOMAIN'],
  [DNS_RCODE_NOTIMP, 'NOTIMP'],
  [DNS_RCODE_REFUSED, 'REFUSED'],
]);

/** `A`, `CNAME`... or `TYPE65280` for the others (RFC 3597 section 5). */
export function dnsTypeName(type: number): string {
  return DNS_TYPE_NAMES.get(type) ?? `TYPE${type}`;
}

/** `NXDOMAIN`... or `RCODE11`. */
export function dnsRcodeName(rcode: number): string {
  return DNS_RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`;
}

/** One entry of the question section. */
export interface DnsQuestion {
  /** Presentation form without the final dot (`ucupdates-r2.demo.local`); '' is the root. */
  name: string;
  type: number;
  class: number;
  /** Offset of the entry in the message. */
  offset: number;
}

/** Resource data, decoded for the types upxray reads; the rest stays raw. */
export type DnsRdata =
  | { kind: 'a'; address: string }
  | { kind: 'aaaa'; address: string }
  | { kind: 'name'; name: string }
  | { kind: 'mx'; preference: number; exchange: string }
  | { kind: 'srv'; priority: number; weight: number; port: number; target: string }
  | { kind: 'soa'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { kind: 'txt'; strings: string[] }
  /** EDNS(0) pseudo-record (RFC 6891 section 6.1.2): class and TTL fields repurposed. */
  | { kind: 'opt'; udpPayloadSize: number; extendedRcode: number; version: number; dnssecOk: boolean }
  /** Undecoded or undecodable data: a view into the message (valid as long as its bytes are). */
  | { kind: 'raw'; bytes: Uint8Array };

/** One resource record of the answer, authority or additional section. */
export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  /** Unsigned seconds. */
  ttl: number;
  rdlength: number;
  data: DnsRdata;
  /** Offset of the record in the message. */
  offset: number;
}

/** A decoded DNS message. */
export interface DnsMessage {
  id: number;
  /** true for a response. */
  qr: boolean;
  opcode: number;
  aa: boolean;
  /** Truncated: a UDP answer too long for the datagram (the client retries over TCP). */
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  /** The header's 4-bit rcode (an OPT record may extend it: see its extendedRcode). */
  rcode: number;
  /** The section counts the header claims. */
  counts: { questions: number; answers: number; authorities: number; additionals: number };
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
  /** Bytes the message took (without the TCP length prefix). */
  length: number;
  /** Anomalies that did not stop decoding (record data of a bad length, trailing bytes...). */
  notes: DecodeError[];
  /** What cut the record sections short; the records before it are kept. */
  stopError?: DecodeError;
}

export interface DnsDecodeOptions {
  /** The payload starts with the 2-byte length prefix of DNS over TCP. @default false */
  tcp?: boolean;
}

// Label bytes as text: letters, digits and most punctuation as they are; a
// dot or backslash inside a label and any other byte escaped as dig does
// (`\.`, `\\`, `\032`), so the text is unambiguous and terminal-safe.
const LABEL_CHAR: readonly string[] = Array.from({ length: 256 }, (_, b) => {
  if (b === 0x2e) return '\\.';
  if (b === 0x5c) return '\\\\';
  if (b > 0x20 && b < 0x7f) return String.fromCharCode(b);
  return '\\' + String(b).padStart(3, '0');
});

/** A name and the offset just past it where it was written (after the first pointer, if any). */
export interface DnsName {
  name: string;
  end: number;
}

/**
 * Decode the domain name at `offset` of `msg` (RFC 1035 sections 3.1 and
 * 4.1.4). Pointers are offsets into `msg`; pass `compression: false` where
 * they are not allowed. Never loops: see the file header.
 */
export function decodeDnsName(msg: Uint8Array, offset: number, opts: { compression?: boolean } = {}): Decoded<DnsName> {
  const compression = opts.compression ?? true;
  let pos = offset;
  // Start of the current run of labels: a pointer must point below it.
  let runStart = offset;
  let end = -1;
  let wire = 1; // the root label's length byte
  let name = '';
  // Each pass either jumps strictly lower or moves forward over a label. A
  // name holds at most 127 labels (255 bytes), so more passes than 256 can only
  // be pointers to pointers: a hostile chain, stopped below.
  for (let pass = 0; pass <= DNS_MAX_NAME_LENGTH; pass++) {
    const len = msg[pos];
    if (pos >= msg.length || len === undefined) {
      return fail(decodeError('dns', 'dns.name-truncated', pos, { required: 1, available: 0, lenSource: 'slice' }));
    }
    if (len === 0) {
      return ok({ name, end: end < 0 ? pos + 1 : end });
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (!compression) {
        return fail(decodeError('dns', 'dns.pointer-not-allowed', pos, { detail: 'a compression pointer where names must be written out' }));
      }
      if (pos + 2 > msg.length) {
        return fail(decodeError('dns', 'dns.name-truncated', pos, { required: 2, available: msg.length - pos, lenSource: 'slice' }));
      }
      const target = ((len & 0x3f) << 8) | msg[pos + 1];
      if (end < 0) end = pos + 2;
      if (target >= runStart) {
        return fail(
          decodeError('dns', 'dns.pointer-loop', pos, {
            detail: `pointer to ${target} does not point before ${runStart}, so it could loop`,
          }),
        );
      }
      pos = target;
      runStart = target;
      continue;
    }
    if (kind !== 0) {
      // 0x40 (extended label, RFC 6891 section 5) and 0x80 (reserved).
      return fail(decodeError('dns', 'dns.bad-label-type', pos, { detail: `label type 0x${kind.toString(16)}` }));
    }
    wire += 1 + len;
    if (wire > DNS_MAX_NAME_LENGTH) {
      return fail(
        decodeError('dns', 'dns.name-too-long', pos, { required: wire, available: DNS_MAX_NAME_LENGTH, detail: 'a name longer than 255 bytes' }),
      );
    }
    if (pos + 1 + len > msg.length) {
      return fail(
        decodeError('dns', 'dns.name-truncated', pos, { required: 1 + len, available: msg.length - pos, lenSource: 'dns.label-length' }),
      );
    }
    if (name.length > 0) name += '.';
    for (let i = pos + 1; i <= pos + len; i++) name += LABEL_CHAR[msg[i]];
    pos += 1 + len;
  }
  return fail(decodeError('dns', 'dns.too-many-pointers', offset, { detail: 'a name made of more than 128 pointers' }));
}

/**
 * Decode one DNS message. Over TCP (`opts.tcp`) the payload starts with the
 * length prefix and must hold the whole message; error offsets then count the
 * prefix. Header and question problems fail the message; a problem in the
 * record sections returns what came before it with `stopError` set.
 */
export function decodeDns(payload: Uint8Array, opts: DnsDecodeOptions = {}): Decoded<DnsMessage> {
  if (!opts.tcp) return decodeDnsMessage(payload);
  const len = u16be(payload, 0);
  if (len === undefined) {
    return fail(decodeError('dns', 'dns.tcp-length-truncated', 0, { required: 2, available: payload.length, lenSource: 'slice' }));
  }
  if (payload.length < 2 + len) {
    return fail(
      decodeError('dns', 'dns.truncated', 2, { required: len, available: payload.length - 2, lenSource: 'dns.tcp-length' }),
    );
  }
  const r = decodeDnsMessage(payload.subarray(2, 2 + len));
  if (!r.ok) return fail(addOffset(r.error, 2));
  const m = r.value;
  m.notes = m.notes.map((n) => addOffset(n, 2));
  if (m.stopError) m.stopError = addOffset(m.stopError, 2);
  if (payload.length > 2 + len) {
    m.notes.push(decodeError('dns', 'dns.tcp-trailing-bytes', 2 + len, { available: payload.length - 2 - len }));
  }
  return ok(m);
}

function decodeDnsMessage(msg: Uint8Array): Decoded<DnsMessage> {
  if (msg.length < DNS_HEADER_LENGTH) {
    return fail(
      decodeError('dns', 'dns.header-too-short', 0, { required: DNS_HEADER_LENGTH, available: msg.length, lenSource: 'slice' }),
    );
  }
  const f1 = msg[2];
  const f2 = msg[3];
  const counts = {
    questions: (msg[4] << 8) | msg[5],
    answers: (msg[6] << 8) | msg[7],
    authorities: (msg[8] << 8) | msg[9],
    additionals: (msg[10] << 8) | msg[11],
  };
  const m: DnsMessage = {
    id: (msg[0] << 8) | msg[1],
    qr: (f1 & 0x80) !== 0,
    opcode: (f1 >> 3) & 0x0f,
    aa: (f1 & 0x04) !== 0,
    tc: (f1 & 0x02) !== 0,
    rd: (f1 & 0x01) !== 0,
    ra: (f2 & 0x80) !== 0,
    ad: (f2 & 0x20) !== 0,
    cd: (f2 & 0x10) !== 0,
    rcode: f2 & 0x0f,
    counts,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
    length: DNS_HEADER_LENGTH,
    notes: [],
  };
  let pos = DNS_HEADER_LENGTH;
  for (let i = 0; i < counts.questions; i++) {
    const n = decodeDnsName(msg, pos);
    if (!n.ok) return fail(n.error);
    const type = u16be(msg, n.value.end);
    const cls = u16be(msg, n.value.end + 2);
    if (type === undefined || cls === undefined) {
      return fail(
        decodeError('dns', 'dns.question-truncated', n.value.end, {
          required: 4,
          available: Math.max(0, msg.length - n.value.end),
          lenSource: 'slice',
        }),
      );
    }
    m.questions.push({ name: n.value.name, type, class: cls, offset: pos });
    pos = n.value.end + 4;
  }
  const sections: Array<[DnsRecord[], number]> = [
    [m.answers, counts.answers],
    [m.authorities, counts.authorities],
    [m.additionals, counts.additionals],
  ];
  for (const [list, count] of sections) {
    for (let i = 0; i < count; i++) {
      const r = decodeRecord(msg, pos, m.notes);
      if (!r.ok) {
        m.stopError = r.error;
        m.length = pos;
        return ok(m);
      }
      list.push(r.value.record);
      pos = r.value.end;
    }
  }
  m.length = pos;
  if (pos < msg.length) {
    m.notes.push(decodeError('dns', 'dns.trailing-bytes', pos, { available: msg.length - pos }));
  }
  return ok(m);
}

function decodeRecord(msg: Uint8Array, pos: number, notes: DecodeError[]): Decoded<{ record: DnsRecord; end: number }> {
  const n = decodeDnsName(msg, pos);
  if (!n.ok) return n;
  const at = n.value.end;
  const type = u16be(msg, at);
  const cls = u16be(msg, at + 2);
  const ttl = u32be(msg, at + 4);
  const rdlength = u16be(msg, at + 8);
  if (type === undefined || cls === undefined || ttl === undefined || rdlength === undefined) {
    return fail(
      decodeError('dns', 'dns.record-truncated', at, { required: 10, available: Math.max(0, msg.length - at), lenSource: 'slice' }),
    );
  }
  const rdStart = at + 10;
  if (rdStart + rdlength > msg.length) {
    return fail(
      decodeError('dns', 'dns.rdata-truncated', rdStart, { required: rdlength, available: msg.length - rdStart, lenSource: 'dns.rdlength' }),
    );
  }
  const data = decodeRdata(msg, type, cls, ttl, rdStart, rdlength, notes);
  return ok({ record: { name: n.value.name, type, class: cls, ttl, rdlength, data, offset: pos }, end: rdStart + rdlength });
}

/** A name inside RDATA: it may point back into the message but must end within the RDATA. */
function rdataName(msg: Uint8Array, at: number, rdEnd: number): DnsName | undefined {
  const n = decodeDnsName(msg, at);
  return n.ok && n.value.end <= rdEnd ? n.value : undefined;
}

function decodeRdata(
  msg: Uint8Array,
  type: number,
  cls: number,
  ttl: number,
  start: number,
  len: number,
  notes: DecodeError[],
): DnsRdata {
  const end = start + len;
  const raw: DnsRdata = { kind: 'raw', bytes: msg.subarray(start, end) };
  const bad = (): DnsRdata => {
    notes.push(decodeError('dns', 'dns.bad-rdata', start, { available: len, detail: `${dnsTypeName(type)} data does not decode` }));
    return raw;
  };
  switch (type) {
    case DNS_TYPE_A:
      return len === 4 ? { kind: 'a', address: formatIpv4(msg, start) } : bad();
    case DNS_TYPE_AAAA:
      return len === 16 ? { kind: 'aaaa', address: formatIpv6(msg, start) } : bad();
    case DNS_TYPE_CNAME:
    case DNS_TYPE_NS:
    case DNS_TYPE_PTR:
    case DNS_TYPE_DNAME: {
      const n = rdataName(msg, start, end);
      return n ? { kind: 'name', name: n.name } : bad();
    }
    case DNS_TYPE_MX: {
      const n = len > 2 ? rdataName(msg, start + 2, end) : undefined;
      return n ? { kind: 'mx', preference: (msg[start] << 8) | msg[start + 1], exchange: n.name } : bad();
    }
    case DNS_TYPE_SRV: {
      // RFC 2782: priority, weight, port, then the target (not compressed by the
      // spec, but senders do, and reading a pointer costs nothing).
      const n = len > 6 ? rdataName(msg, start + 6, end) : undefined;
      if (!n) return bad();
      return {
        kind: 'srv',
        priority: (msg[start] << 8) | msg[start + 1],
        weight: (msg[start + 2] << 8) | msg[start + 3],
        port: (msg[start + 4] << 8) | msg[start + 5],
        target: n.name,
      };
    }
    case DNS_TYPE_SOA: {
      const mname = rdataName(msg, start, end);
      const rname = mname ? rdataName(msg, mname.end, end) : undefined;
      if (!mname || !rname || rname.end + 20 !== end) return bad();
      const at = rname.end;
      return {
        kind: 'soa',
        mname: mname.name,
        rname: rname.name,
        serial: u32be(msg, at) ?? 0,
        refresh: u32be(msg, at + 4) ?? 0,
        retry: u32be(msg, at + 8) ?? 0,
        expire: u32be(msg, at + 12) ?? 0,
        minimum: u32be(msg, at + 16) ?? 0,
      };
    }
    case DNS_TYPE_TXT: {
      const strings: string[] = [];
      for (let p = start; p < end; ) {
        const l = msg[p];
        if (p + 1 + l > end) return bad();
        let s = '';
        for (let i = p + 1; i <= p + l; i++) s += LABEL_CHAR[msg[i]] === '\\.' ? '.' : LABEL_CHAR[msg[i]];
        strings.push(s);
        p += 1 + l;
      }
      return { kind: 'txt', strings };
    }
    case DNS_TYPE_OPT:
      return {
        kind: 'opt',
        udpPayloadSize: cls,
        extendedRcode: ttl >>> 24,
        version: (ttl >>> 16) & 0xff,
        dnssecOk: (ttl & 0x8000) !== 0,
      };
    default:
      return raw;
  }
}

/** What the TCP stream parser hands back. */
export type DnsTcpEvent =
  /** A complete message; offset is its length prefix's position in the stream, frame the frame that completed it. */
  | { kind: 'message'; message: DnsMessage; offset: number; frames: number[]; frame: number; timestampNs: bigint }
  /** A message that could not be decoded or was lost; `resumable` false once the parser has lost the framing. */
  | { kind: 'error'; error: DecodeError; resumable: boolean };

/** The largest message with its prefix: what the parser may hold. */
const MAX_TCP_MESSAGE = 2 + 0xffff;

/**
 * Splits one direction of a DNS-over-TCP connection into messages by their
 * length prefixes (RFC 1035 section 4.2.2), whatever pieces the bytes arrive
 * in. Holds at most one message (64 KiB + 2). A gap inside a message whose
 * length is known costs that message only; a gap over a length prefix loses the
 * framing and the parser stops.
 */
export class DnsTcpStream {
  private buf = new Uint8Array(0);
  private filled = 0;
  /** Stream offset of buf[0] (the current message's prefix). */
  private start = -1;
  /** Bytes still to drop of a message a gap cut. */
  private skip = 0;
  private stopped = false;
  private spans: FrameSpan[] = [];

  /** Feed in-order bytes (copied as needed) and the spans that say which frames carried them. */
  push(bytes: Uint8Array, spans: readonly FrameSpan[] = []): DnsTcpEvent[] {
    const out: DnsTcpEvent[] = [];
    if (this.stopped) return out;
    if (this.start < 0) this.start = spans.length > 0 ? spans[0].streamOffset : 0;
    for (const s of spans) this.spans.push(s);
    let p = 0;
    while (p < bytes.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, bytes.length - p);
        this.skip -= n;
        this.start += n;
        p += n;
        continue;
      }
      // Take the prefix first, then exactly the message it announces.
      const want = this.filled < 2 ? 2 : 2 + ((this.buf[0] << 8) | this.buf[1]);
      const n = Math.min(want - this.filled, bytes.length - p);
      this.reserve(want);
      this.buf.set(bytes.subarray(p, p + n), this.filled);
      this.filled += n;
      p += n;
      if (this.filled >= 2) {
        // An empty message (prefix 0) completes with its prefix and fails to decode.
        const total = 2 + ((this.buf[0] << 8) | this.buf[1]);
        if (this.filled === total) out.push(this.complete(total));
      }
    }
    this.trimSpans();
    return out;
  }

  /** `length` bytes of the stream will never arrive. */
  gap(length: number): DnsTcpEvent[] {
    if (this.stopped || length <= 0) return [];
    if (this.start < 0) this.start = 0;
    const at = this.start + this.filled + this.skip;
    if (this.skip > 0) {
      // Already dropping a lost message: the gap may end inside it or beyond.
      if (length <= this.skip) {
        this.skip -= length;
        this.start += length;
        return [];
      }
      return this.lose(at, length);
    }
    if (this.filled >= 2) {
      const total = 2 + ((this.buf[0] << 8) | this.buf[1]);
      const rest = total - this.filled;
      if (length > rest) return this.lose(at, length);
      const lostAt = this.start;
      this.skip = rest - length;
      this.start += this.filled + length;
      this.filled = 0;
      this.trimSpans();
      return [
        {
          kind: 'error',
          error: decodeError('dns', 'dns.tcp-gap', lostAt, { required: total, detail: 'a message lost to a gap in the stream' }),
          resumable: true,
        },
      ];
    }
    return this.lose(at, length);
  }

  /** The direction ended: a message still incomplete is reported. */
  end(): DnsTcpEvent[] {
    if (this.stopped || (this.filled === 0 && this.skip === 0)) return [];
    const required = this.filled >= 2 ? 2 + ((this.buf[0] << 8) | this.buf[1]) : 2;
    const e = decodeError('dns', 'dns.tcp-incomplete', this.start, { required, available: this.filled, lenSource: 'dns.tcp-length' });
    this.filled = 0;
    this.skip = 0;
    this.stopped = true;
    this.spans = [];
    return [{ kind: 'error', error: e, resumable: false }];
  }

  private lose(at: number, length: number): DnsTcpEvent[] {
    this.stopped = true;
    this.filled = 0;
    this.spans = [];
    this.buf = new Uint8Array(0);
    return [
      {
        kind: 'error',
        error: decodeError('dns', 'dns.tcp-desync', at, {
          available: length,
          detail: 'a gap covers a length prefix: message boundaries are lost',
        }),
        resumable: false,
      },
    ];
  }

  private reserve(n: number): void {
    if (this.buf.length >= n) return;
    const b = new Uint8Array(Math.min(MAX_TCP_MESSAGE, Math.max(n, this.buf.length * 2, 512)));
    b.set(this.buf.subarray(0, this.filled));
    this.buf = b;
  }

  private complete(total: number): DnsTcpEvent {
    // The message keeps views into its bytes (raw RDATA), so it gets its own copy.
    const bytes = this.buf.slice(0, total);
    const offset = this.start;
    const frames: number[] = [];
    let frame = 0;
    let timestampNs = 0n;
    for (const s of this.spans) {
      if (s.streamOffset < offset + total && s.streamOffset + s.length > offset) {
        if (frames[frames.length - 1] !== s.frame) frames.push(s.frame);
        frame = s.frame;
        timestampNs = s.timestampNs;
      }
    }
    this.start += total;
    this.filled = 0;
    const r = decodeDns(bytes, { tcp: true });
    if (!r.ok) return { kind: 'error', error: { ...addOffset(r.error, offset), ...(frame ? { frame } : {}) }, resumable: true };
    return { kind: 'message', message: r.value, offset, frames, frame, timestampNs };
  }

  private trimSpans(): void {
    // Keep only spans that reach the bytes not yet consumed.
    let i = 0;
    while (i < this.spans.length && this.spans[i].streamOffset + this.spans[i].length <= this.start) i++;
    if (i > 0) this.spans = this.spans.slice(i);
  }
}
