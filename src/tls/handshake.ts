// TLS handshake messages (RFC 5246 section 7.4, RFC 8446 section 4): the
// assembler joins messages that span records (and splits records holding
// several), and the parsers read the few fields decryption needs. Every parser
// is bounded by its body and returns null on malformed input; none throws.
import { X509Certificate } from 'node:crypto';
import { tlsError, type TlsError } from './record.js';

export const HS_HELLO_REQUEST = 0;
export const HS_CLIENT_HELLO = 1;
export const HS_SERVER_HELLO = 2;
export const HS_NEW_SESSION_TICKET = 4;
export const HS_END_OF_EARLY_DATA = 5;
export const HS_ENCRYPTED_EXTENSIONS = 8;
export const HS_CERTIFICATE = 11;
export const HS_SERVER_KEY_EXCHANGE = 12;
export const HS_CERTIFICATE_REQUEST = 13;
export const HS_SERVER_HELLO_DONE = 14;
export const HS_CERTIFICATE_VERIFY = 15;
export const HS_CLIENT_KEY_EXCHANGE = 16;
export const HS_FINISHED = 20;
export const HS_KEY_UPDATE = 24;
/** The synthetic message that stands for ClientHello1 after a HelloRetryRequest (RFC 8446 4.4.1). */
export const HS_MESSAGE_HASH = 254;

export const EXT_SERVER_NAME = 0x0000;
export const EXT_ENCRYPT_THEN_MAC = 0x0016;
export const EXT_EXTENDED_MASTER_SECRET = 0x0017;
export const EXT_SESSION_TICKET = 0x0023;
export const EXT_PRE_SHARED_KEY = 0x0029;
export const EXT_EARLY_DATA = 0x002a;
export const EXT_SUPPORTED_VERSIONS = 0x002b;
export const EXT_KEY_SHARE = 0x0033;

/** Largest handshake message kept: certificate chains are the big ones. */
export const MAX_HANDSHAKE_MESSAGE = 256 * 1024;

/** One handshake message; `raw` is header and body, as hashed into the transcript. */
export interface HandshakeMessage {
  type: number;
  body: Uint8Array;
  raw: Uint8Array;
}

/** Joins handshake fragments into whole messages (RFC 5246 6.2.1: messages may span records). */
/**
 * A copy, also of a Buffer (whose own slice() is a view): a fragment may be a
 * view into the capture reader's buffer, which is reused for later reads.
 */
function copyOf(a: Uint8Array, from: number, to?: number): Uint8Array {
  return Uint8Array.prototype.slice.call(a, from, to);
}

export class HandshakeAssembler {
  private buf: Uint8Array = new Uint8Array(0);
  private broken = false;

  /** Fragment of a handshake record (plaintext). Returns the messages it completes. */
  push(fragment: Uint8Array): { messages: HandshakeMessage[]; error?: TlsError } {
    const messages: HandshakeMessage[] = [];
    if (this.broken) return { messages };
    let data = this.buf.length ? concat(this.buf, fragment) : fragment;
    let i = 0;
    while (data.length - i >= 4) {
      const len = (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3];
      if (len > MAX_HANDSHAKE_MESSAGE) {
        this.broken = true;
        this.buf = new Uint8Array(0);
        return { messages, error: tlsError('tls.handshake-too-long', 0, `handshake message type ${data[i]} claims ${len} bytes`) };
      }
      if (data.length - i < 4 + len) break;
      const raw = copyOf(data, i, i + 4 + len);
      messages.push({ type: raw[0], body: raw.subarray(4), raw });
      i += 4 + len;
    }
    this.buf = copyOf(data, i);
    data = this.buf;
    return { messages };
  }

  /** Bytes of an unfinished message held. */
  get pending(): number {
    return this.buf.length;
  }
}

export interface Extension {
  type: number;
  data: Uint8Array;
}

export interface ClientHello {
  /** legacy_version. */
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuites: number[];
  extensions: Extension[];
  /** supported_versions, when sent (TLS 1.3 clients). */
  supportedVersions: number[];
  extendedMasterSecret: boolean;
  encryptThenMac: boolean;
  /** The session_ticket extension's content: empty when asking for one, the ticket when resuming. Undefined when absent. */
  sessionTicket?: Uint8Array;
  /** Groups of the key_share entries (TLS 1.3). */
  keyShareGroups: number[];
  serverName?: string;
  /** TLS 1.3: the client offers 0-RTT data (early_data extension). */
  earlyData: boolean;
}

export interface ServerHello {
  /** legacy_version. */
  legacyVersion: number;
  /** The negotiated version: supported_versions when present, else legacy_version. */
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  compression: number;
  extensions: Extension[];
  extendedMasterSecret: boolean;
  encryptThenMac: boolean;
  /** The server sent an empty session_ticket extension: it will issue a ticket. */
  willIssueTicket: boolean;
  /** TLS 1.3: a pre_shared_key was accepted (resumption). */
  pskAccepted: boolean;
  /** This ServerHello is a HelloRetryRequest (RFC 8446 4.1.3). */
  helloRetry: boolean;
}

/** SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest. */
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

/**
 * An SSL 2.0-format ClientHello (RFC 5246 appendix E.2), from msg_type on: the
 * cipher specs are 3 bytes (TLS suites have a zero first byte) and the
 * challenge, right-aligned and zero-padded to 32 bytes, is the client random.
 */
export function parseSsl2ClientHello(body: Uint8Array): ClientHello | null {
  const c = new Cursor(body);
  if (c.u8() !== HS_CLIENT_HELLO) return null;
  const version = c.u16();
  const csLen = c.u16();
  const sidLen = c.u16();
  const chalLen = c.u16();
  const specs = c.bytes(csLen);
  const sessionId = c.bytes(sidLen);
  const challenge = c.bytes(chalLen);
  if (version === undefined || !specs || !sessionId || !challenge) return null;
  if (specs.length % 3 !== 0 || challenge.length < 16 || challenge.length > 32 || sessionId.length > 32) return null;
  const cipherSuites: number[] = [];
  for (let i = 0; i + 2 < specs.length; i += 3) if (specs[i] === 0) cipherSuites.push((specs[i + 1] << 8) | specs[i + 2]);
  const random = new Uint8Array(32);
  random.set(challenge, 32 - challenge.length);
  return {
    version,
    random,
    sessionId: sessionId.slice(),
    cipherSuites,
    extensions: [],
    supportedVersions: [],
    extendedMasterSecret: false,
    encryptThenMac: false,
    keyShareGroups: [],
    earlyData: false,
  };
}

/** Bounded cursor over one message body. */
class Cursor {
  i = 0;
  constructor(readonly b: Uint8Array) {}
  u8(): number | undefined {
    return this.i + 1 <= this.b.length ? this.b[this.i++] : undefined;
  }
  u16(): number | undefined {
    if (this.i + 2 > this.b.length) return undefined;
    const v = (this.b[this.i] << 8) | this.b[this.i + 1];
    this.i += 2;
    return v;
  }
  u24(): number | undefined {
    if (this.i + 3 > this.b.length) return undefined;
    const v = (this.b[this.i] << 16) | (this.b[this.i + 1] << 8) | this.b[this.i + 2];
    this.i += 3;
    return v;
  }
  bytes(n: number | undefined): Uint8Array | undefined {
    if (n === undefined || this.i + n > this.b.length) return undefined;
    const v = this.b.subarray(this.i, this.i + n);
    this.i += n;
    return v;
  }
  get left(): number {
    return this.b.length - this.i;
  }
}

function readExtensions(c: Cursor): Extension[] | undefined {
  if (c.left === 0) return []; // extensions are optional before TLS 1.3
  const block = c.bytes(c.u16());
  if (!block) return undefined;
  const e = new Cursor(block);
  const out: Extension[] = [];
  while (e.left > 0) {
    const type = e.u16();
    const data = e.bytes(e.u16());
    if (type === undefined || !data) return undefined;
    out.push({ type, data });
  }
  return out;
}

function ext(list: Extension[], type: number): Uint8Array | undefined {
  return list.find((x) => x.type === type)?.data;
}

export function parseClientHello(body: Uint8Array): ClientHello | null {
  const c = new Cursor(body);
  const version = c.u16();
  const random = c.bytes(32);
  const sessionId = c.bytes(c.u8());
  const suitesBytes = c.bytes(c.u16());
  const compression = c.bytes(c.u8());
  if (version === undefined || !random || !sessionId || !suitesBytes || !compression || sessionId.length > 32) return null;
  const extensions = readExtensions(c);
  if (!extensions) return null;
  const cipherSuites: number[] = [];
  for (let i = 0; i + 1 < suitesBytes.length; i += 2) cipherSuites.push((suitesBytes[i] << 8) | suitesBytes[i + 1]);
  const supportedVersions: number[] = [];
  const sv = ext(extensions, EXT_SUPPORTED_VERSIONS);
  if (sv && sv.length >= 1) {
    for (let i = 1; i + 1 < sv.length && i < 1 + sv[0]; i += 2) supportedVersions.push((sv[i] << 8) | sv[i + 1]);
  }
  const keyShareGroups: number[] = [];
  const ks = ext(extensions, EXT_KEY_SHARE);
  if (ks) {
    const k = new Cursor(ks);
    const list = k.bytes(k.u16());
    if (list) {
      const l = new Cursor(list);
      while (l.left > 0) {
        const g = l.u16();
        if (g === undefined || !l.bytes(l.u16())) break;
        keyShareGroups.push(g);
      }
    }
  }
  let serverName: string | undefined;
  const sni = ext(extensions, EXT_SERVER_NAME);
  if (sni) {
    const s = new Cursor(sni);
    const list = s.bytes(s.u16());
    if (list) {
      const l = new Cursor(list);
      if (l.u8() === 0) {
        const name = l.bytes(l.u16());
        if (name) serverName = Buffer.from(name).toString('latin1');
      }
    }
  }
  return {
    version,
    random: random.slice(),
    sessionId: sessionId.slice(),
    cipherSuites,
    extensions,
    supportedVersions,
    extendedMasterSecret: ext(extensions, EXT_EXTENDED_MASTER_SECRET) !== undefined,
    encryptThenMac: ext(extensions, EXT_ENCRYPT_THEN_MAC) !== undefined,
    sessionTicket: ext(extensions, EXT_SESSION_TICKET)?.slice(),
    keyShareGroups,
    serverName,
    earlyData: ext(extensions, EXT_EARLY_DATA) !== undefined,
  };
}

export function parseServerHello(body: Uint8Array): ServerHello | null {
  const c = new Cursor(body);
  const legacyVersion = c.u16();
  const random = c.bytes(32);
  const sessionId = c.bytes(c.u8());
  const cipherSuite = c.u16();
  const compression = c.u8();
  if (legacyVersion === undefined || !random || !sessionId || cipherSuite === undefined || compression === undefined || sessionId.length > 32) return null;
  const extensions = readExtensions(c);
  if (!extensions) return null;
  const sv = ext(extensions, EXT_SUPPORTED_VERSIONS);
  const version = sv && sv.length === 2 ? (sv[0] << 8) | sv[1] : legacyVersion;
  return {
    legacyVersion,
    version,
    random: random.slice(),
    sessionId: sessionId.slice(),
    cipherSuite,
    compression,
    extensions,
    extendedMasterSecret: ext(extensions, EXT_EXTENDED_MASTER_SECRET) !== undefined,
    encryptThenMac: ext(extensions, EXT_ENCRYPT_THEN_MAC) !== undefined,
    willIssueTicket: ext(extensions, EXT_SESSION_TICKET) !== undefined,
    pskAccepted: ext(extensions, EXT_PRE_SHARED_KEY) !== undefined,
    helloRetry: Buffer.compare(Buffer.from(random), HRR_RANDOM) === 0,
  };
}

/** The DER certificates of a Certificate message, leaf first. `tls13` selects the RFC 8446 4.4.2 layout. */
export function parseCertificateList(body: Uint8Array, tls13: boolean): Uint8Array[] | null {
  const c = new Cursor(body);
  if (tls13 && !c.bytes(c.u8())) return null; // certificate_request_context
  const list = c.bytes(c.u24());
  if (!list) return null;
  const l = new Cursor(list);
  const out: Uint8Array[] = [];
  while (l.left > 0) {
    const der = l.bytes(l.u24());
    if (!der) return null;
    out.push(der);
    if (tls13 && !l.bytes(l.u16())) return null; // per-certificate extensions
  }
  return out;
}

/** The RSA modulus of a certificate's public key (big-endian, no leading zeros), or null when it is not RSA or not readable. */
export function certificateRsaModulus(der: Uint8Array): Uint8Array | null {
  try {
    const jwk = new X509Certificate(Buffer.from(der)).publicKey.export({ format: 'jwk' });
    if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string') return null;
    return stripZeros(new Uint8Array(Buffer.from(jwk.n, 'base64url')));
  } catch {
    return null; // not a certificate OpenSSL can read: a fact, not a crash
  }
}

export function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/**
 * The encrypted pre-master secret of an RSA ClientKeyExchange. TLS 1.0 and later
 * prefix it with a 2-byte length (RFC 5246 7.4.7.1); SSL 3.0 and a few old
 * stacks do not, so the bare form is accepted when the prefix does not fit.
 */
export function parseRsaClientKeyExchange(body: Uint8Array): Uint8Array | null {
  if (body.length >= 2) {
    const n = (body[0] << 8) | body[1];
    if (n === body.length - 2 && n > 0) return body.subarray(2);
  }
  return body.length > 0 ? body : null;
}

/** A TLS 1.2 NewSessionTicket (RFC 5077 3.3): the ticket the client may later offer. */
export function parseNewSessionTicket12(body: Uint8Array): Uint8Array | null {
  const c = new Cursor(body);
  if (c.bytes(4) === undefined) return null;
  const ticket = c.bytes(c.u16());
  return ticket ? ticket.slice() : null;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const r = new Uint8Array(a.length + b.length);
  r.set(a);
  r.set(b, a.length);
  return r;
}
