// Cipher suites and record decryption. The suite table names each suite as
// IANA does and says how its keys are made (key exchange), which bulk cipher
// and which MAC it uses, and which hash its PRF takes.
//
// Record protection (RFC 5246 6.2.3, RFC 8446 5.2):
// - stream (RC4): MAC-then-encrypt, one keystream per direction for the session;
// - CBC: MAC-then-encrypt with TLS padding; TLS 1.0 chains the IV from the last
//   ciphertext block of the previous record (RFC 2246 6.2.3.2), TLS 1.1+ sends
//   an explicit IV per record; encrypt-then-MAC (RFC 7366) MACs the IV and
//   ciphertext instead;
// - AEAD in TLS 1.2: AES-GCM with a 4-byte implicit salt and an 8-byte explicit
//   nonce (RFC 5288), ChaCha20-Poly1305 with the sequence number XORed into
//   the IV (RFC 7905); TLS 1.3: the same XOR, the record header as AAD and the
//   real content type inside the plaintext.
// Every MAC and tag is checked: a failure is reported, never passed on.
import { createDecipheriv, createHmac } from 'node:crypto';
import { bytesEqual, concatBytes, TLS11, TLS13, type HashName } from './derive.js';

export type KeyExchange = 'rsa' | 'dhe' | 'ecdhe' | 'tls13';
export type BulkCipher = 'rc4-128' | '3des-ede-cbc' | 'aes-128-cbc' | 'aes-256-cbc' | 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

export interface CipherSuite {
  id: number;
  /** IANA name: TLS_RSA_WITH_AES_128_CBC_SHA. */
  name: string;
  kx: KeyExchange;
  cipher: BulkCipher;
  /** HMAC hash of non-AEAD suites; null for AEAD. */
  mac: HashName | null;
  /** Hash of the TLS 1.2 PRF (and of the TLS 1.3 HKDF). */
  prfHash: HashName;
}

const S: Array<[number, string, KeyExchange, BulkCipher, HashName | null, HashName]> = [
  [0x0004, 'TLS_RSA_WITH_RC4_128_MD5', 'rsa', 'rc4-128', 'md5', 'sha256'],
  [0x0005, 'TLS_RSA_WITH_RC4_128_SHA', 'rsa', 'rc4-128', 'sha1', 'sha256'],
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'rsa', '3des-ede-cbc', 'sha1', 'sha256'],
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA', 'rsa', 'aes-128-cbc', 'sha1', 'sha256'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA', 'rsa', 'aes-256-cbc', 'sha1', 'sha256'],
  [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256', 'rsa', 'aes-128-cbc', 'sha256', 'sha256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256', 'rsa', 'aes-256-cbc', 'sha256', 'sha256'],
  [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'rsa', 'aes-128-gcm', null, 'sha256'],
  [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'rsa', 'aes-256-gcm', null, 'sha384'],
  [0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA', 'dhe', '3des-ede-cbc', 'sha1', 'sha256'],
  [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'dhe', 'aes-128-cbc', 'sha1', 'sha256'],
  [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 'dhe', 'aes-256-cbc', 'sha1', 'sha256'],
  [0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 'dhe', 'aes-128-cbc', 'sha256', 'sha256'],
  [0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 'dhe', 'aes-256-cbc', 'sha256', 'sha256'],
  [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'dhe', 'aes-128-gcm', null, 'sha256'],
  [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'dhe', 'aes-256-gcm', null, 'sha384'],
  [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'dhe', 'chacha20-poly1305', null, 'sha256'],
  [0xc007, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', 'ecdhe', 'rc4-128', 'sha1', 'sha256'],
  [0xc008, 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA', 'ecdhe', '3des-ede-cbc', 'sha1', 'sha256'],
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'ecdhe', 'aes-128-cbc', 'sha1', 'sha256'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ecdhe', 'aes-256-cbc', 'sha1', 'sha256'],
  [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'ecdhe', 'rc4-128', 'sha1', 'sha256'],
  [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'ecdhe', '3des-ede-cbc', 'sha1', 'sha256'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ecdhe', 'aes-128-cbc', 'sha1', 'sha256'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ecdhe', 'aes-256-cbc', 'sha1', 'sha256'],
  [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'ecdhe', 'aes-128-cbc', 'sha256', 'sha256'],
  [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'ecdhe', 'aes-256-cbc', 'sha384', 'sha384'],
  [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ecdhe', 'aes-128-cbc', 'sha256', 'sha256'],
  [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'ecdhe', 'aes-256-cbc', 'sha384', 'sha384'],
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ecdhe', 'aes-128-gcm', null, 'sha256'],
  [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ecdhe', 'aes-256-gcm', null, 'sha384'],
  [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ecdhe', 'aes-128-gcm', null, 'sha256'],
  [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ecdhe', 'aes-256-gcm', null, 'sha384'],
  [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ecdhe', 'chacha20-poly1305', null, 'sha256'],
  [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ecdhe', 'chacha20-poly1305', null, 'sha256'],
  [0x1301, 'TLS_AES_128_GCM_SHA256', 'tls13', 'aes-128-gcm', null, 'sha256'],
  [0x1302, 'TLS_AES_256_GCM_SHA384', 'tls13', 'aes-256-gcm', null, 'sha384'],
  [0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'tls13', 'chacha20-poly1305', null, 'sha256'],
];

/** Supported suites by IANA number. */
export const CIPHER_SUITES: ReadonlyMap<number, CipherSuite> = new Map(
  S.map(([id, name, kx, cipher, mac, prfHash]) => [id, { id, name, kx, cipher, mac, prfHash }]),
);

/** A printable name for any suite number, known or not. */
export function suiteName(id: number): string {
  return CIPHER_SUITES.get(id)?.name ?? `0x${id.toString(16).padStart(4, '0')}`;
}

export function keyLength(c: BulkCipher): number {
  switch (c) {
    case 'rc4-128':
    case 'aes-128-cbc':
    case 'aes-128-gcm':
      return 16;
    case '3des-ede-cbc':
      return 24;
    default:
      return 32;
  }
}

export function blockSize(c: BulkCipher): number {
  return c === '3des-ede-cbc' ? 8 : c === 'aes-128-cbc' || c === 'aes-256-cbc' ? 16 : 0;
}

export function isAead(c: BulkCipher): boolean {
  return c === 'aes-128-gcm' || c === 'aes-256-gcm' || c === 'chacha20-poly1305';
}

/** Length of the implicit IV taken from the key block (RFC 5246 6.3, RFC 5288 3, RFC 7905 2). */
export function fixedIvLength(c: BulkCipher): number {
  if (c === 'aes-128-gcm' || c === 'aes-256-gcm') return 4;
  if (c === 'chacha20-poly1305') return 12;
  return blockSize(c);
}

export function macLength(h: HashName | null): number {
  return h === null ? 0 : h === 'md5' ? 16 : h === 'sha1' ? 20 : h === 'sha256' ? 32 : 48;
}

/** RC4, by hand: Node 20's OpenSSL 3 only has it in the legacy provider. */
export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;
  constructor(key: Uint8Array) {
    for (let k = 0; k < 256; k++) this.s[k] = k;
    let j = 0;
    for (let k = 0; k < 256; k++) {
      j = (j + this.s[k] + key[k % key.length]) & 0xff;
      const t = this.s[k];
      this.s[k] = this.s[j];
      this.s[j] = t;
    }
  }
  /** XORs the keystream into a copy of `data`. */
  process(data: Uint8Array): Uint8Array {
    const out = new Uint8Array(data.length);
    const s = this.s;
    let i = this.i;
    let j = this.j;
    for (let k = 0; k < data.length; k++) {
      i = (i + 1) & 0xff;
      j = (j + s[i]) & 0xff;
      const t = s[i];
      s[i] = s[j];
      s[j] = t;
      out[k] = data[k] ^ s[(s[i] + s[j]) & 0xff];
    }
    this.i = i;
    this.j = j;
    return out;
  }
}

/** One direction's write keys. */
export interface DirectionKeys {
  macKey: Uint8Array;
  key: Uint8Array;
  iv: Uint8Array;
}

export type Unprotected =
  | { ok: true; type: number; plaintext: Uint8Array }
  | { ok: false; code: 'tls.bad-record-mac' | 'tls.bad-padding' | 'tls.bad-record-length' | 'tls.decrypt-error' | 'tls.iv-lost'; detail: string };

function seqBytes(seq: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, seq);
  return b;
}

function u16(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

function nodeName(c: BulkCipher): string {
  return c === '3des-ede-cbc' ? 'des-ede3-cbc' : c;
}

/** Removes one direction's record protection, record by record, in order. */
export class RecordDecryptor {
  /** Sequence number of the next record (RFC 5246 6.1). */
  seq = 0n;
  private rc4: Rc4 | null = null;
  /** TLS 1.0 CBC: the IV of the next record is the last ciphertext block of this one. */
  private chainIv: Uint8Array | null = null;
  /**
   * TLS 1.0 CBC after a lost record whose last block was not captured: the next
   * record's IV is unknown. Under encrypt-then-MAC nothing else would notice
   * (the MAC covers the ciphertext), so that record is refused outright.
   */
  private ivLost = false;

  constructor(
    readonly suite: CipherSuite,
    readonly version: number,
    private keys: DirectionKeys,
    readonly encryptThenMac = false,
  ) {
    this.reset(keys);
  }

  /** New keys (TLS 1.3 KeyUpdate or handshake to application switch): the sequence restarts. */
  reset(keys: DirectionKeys): void {
    this.keys = keys;
    this.seq = 0n;
    this.rc4 = this.suite.cipher === 'rc4-128' ? new Rc4(keys.key) : null;
    this.chainIv = this.version < TLS11 && blockSize(this.suite.cipher) > 0 ? keys.iv.slice() : null;
    this.ivLost = false;
  }

  /**
   * A record of this direction was lost (its fragment length is known): keep
   * the stream state in step. `tail` is the record's last cipher block, if captured.
   */
  skipLost(fragmentLength: number, tail?: Uint8Array): void {
    this.seq++;
    if (this.rc4) this.rc4.process(new Uint8Array(fragmentLength));
    if (this.chainIv) {
      // TLS 1.0: the next IV is this record's last cipher block (before the MAC under encrypt-then-MAC).
      const bs = blockSize(this.suite.cipher);
      const ml = this.encryptThenMac ? macLength(this.suite.mac) : 0;
      this.ivLost = !(tail && tail.length >= bs + ml);
      this.chainIv = this.ivLost ? new Uint8Array(bs) : (tail as Uint8Array).slice(tail!.length - ml - bs, tail!.length - ml);
    }
  }

  /**
   * Plaintext length of a lost record. AEAD and stream ciphers know it from
   * the fragment length; CBC needs its padding length, which the last cipher
   * block gives when the capture holds the last two blocks (`tail`).
   */
  lostLength(fragmentLength: number, tail: Uint8Array): { length: number; exact: boolean } {
    const est = plaintextLength(this.suite, this.version, fragmentLength);
    const bs = blockSize(this.suite.cipher);
    if (est.exact || bs === 0) return est;
    const ml = macLength(this.suite.mac);
    const etm = this.encryptThenMac ? ml : 0;
    if (tail.length < 2 * bs + etm || fragmentLength < 2 * bs + etm) return est;
    const last = tail.subarray(tail.length - etm - bs, tail.length - etm);
    const prev = tail.subarray(tail.length - etm - 2 * bs, tail.length - etm - bs);
    try {
      const d = createDecipheriv(this.suite.cipher === '3des-ede-cbc' ? 'des-ede3-cbc' : this.suite.cipher, this.keys.key, prev);
      d.setAutoPadding(false);
      const p = new Uint8Array(d.update(last));
      const pad = p[bs - 1];
      const iv = this.version >= TLS11 ? bs : 0;
      const length = fragmentLength - iv - ml - 1 - pad;
      return length >= 0 ? { length, exact: true } : est;
    } catch {
      return est;
    }
  }

  /** True when this cipher can carry on after records were lost without their headers. */
  get canResync(): boolean {
    return this.rc4 === null;
  }

  /** Decrypts and checks the next record; the sequence number advances either way. */
  decrypt(type: number, recordVersion: number, fragment: Uint8Array): Unprotected {
    return this.decryptGuessing(type, recordVersion, fragment, 0);
  }

  /**
   * After records were lost unseen, the sequence number is unknown: try the
   * next `ahead` + 1 values and keep the one whose MAC or tag checks (a stream
   * cipher cannot do this: see canResync). On failure the sequence advances by one.
   */
  decryptGuessing(type: number, recordVersion: number, fragment: Uint8Array, ahead: number): Unprotected & { skipped?: number } {
    const ivBefore = this.chainIv;
    if (this.ivLost && ivBefore) {
      // Keep the chain going from this record, but do not pretend to have read it.
      const bs = blockSize(this.suite.cipher);
      const ml = this.encryptThenMac ? macLength(this.suite.mac) : 0;
      this.ivLost = false;
      this.seq += 1n;
      if (fragment.length >= bs + ml) this.chainIv = fragment.slice(fragment.length - ml - bs, fragment.length - ml);
      return { ok: false, code: 'tls.iv-lost', detail: 'the CBC IV of this record (the last block of a lost record) was not captured' };
    }
    let first: Unprotected | undefined;
    for (let k = 0; k <= ahead; k++) {
      this.chainIv = ivBefore;
      const r = this.open(type, recordVersion, fragment, this.seq + BigInt(k));
      if (r.ok) {
        this.seq += BigInt(k) + 1n;
        return k > 0 ? { ...r, skipped: k } : r;
      }
      first ??= r;
    }
    this.seq += 1n;
    return first as Unprotected;
  }

  private open(type: number, recordVersion: number, fragment: Uint8Array, seq: bigint): Unprotected {
    const c = this.suite.cipher;
    try {
      if (this.version >= TLS13) return this.openTls13(fragment, seq);
      if (isAead(c)) return this.openAead12(type, recordVersion, fragment, seq);
      if (c === 'rc4-128') return this.openStream(type, recordVersion, fragment, seq);
      return this.encryptThenMac ? this.openCbcEtm(type, recordVersion, fragment, seq) : this.openCbc(type, recordVersion, fragment, seq);
    } catch (e) {
      // Node's decipher throws on a bad tag or bad lengths: that is a verdict on the bytes.
      return { ok: false, code: 'tls.decrypt-error', detail: e instanceof Error ? e.message : String(e) };
    }
  }

  private macOf(seq: bigint, type: number, version: number, content: Uint8Array): Uint8Array {
    const h = createHmac(this.suite.mac as string, this.keys.macKey);
    h.update(seqBytes(seq));
    h.update(Uint8Array.of(type, version >> 8, version & 0xff));
    h.update(u16(content.length));
    h.update(content);
    return new Uint8Array(h.digest());
  }

  private openStream(type: number, version: number, fragment: Uint8Array, seq: bigint): Unprotected {
    const ml = macLength(this.suite.mac);
    const plain = (this.rc4 as Rc4).process(fragment);
    if (plain.length < ml) return { ok: false, code: 'tls.bad-record-length', detail: `record of ${plain.length} bytes is shorter than its MAC` };
    const content = plain.subarray(0, plain.length - ml);
    if (!bytesEqual(this.macOf(seq, type, version, content), plain.subarray(plain.length - ml)))
      return { ok: false, code: 'tls.bad-record-mac', detail: 'record MAC does not match' };
    return { ok: true, type, plaintext: content };
  }

  private cbcDecrypt(iv: Uint8Array, ct: Uint8Array): Uint8Array {
    const d = createDecipheriv(nodeName(this.suite.cipher), this.keys.key, iv);
    d.setAutoPadding(false);
    return new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
  }

  private openCbc(type: number, version: number, fragment: Uint8Array, seq: bigint): Unprotected {
    const bs = blockSize(this.suite.cipher);
    const ml = macLength(this.suite.mac);
    const explicit = this.chainIv === null;
    const ctStart = explicit ? bs : 0;
    const ct = fragment.subarray(ctStart);
    if (ct.length === 0 || ct.length % bs !== 0 || ct.length < ml + 1)
      return { ok: false, code: 'tls.bad-record-length', detail: `CBC record of ${fragment.length} bytes does not fit the cipher's blocks` };
    const iv = explicit ? fragment.subarray(0, bs) : (this.chainIv as Uint8Array);
    const plain = this.cbcDecrypt(iv, ct);
    if (!explicit) this.chainIv = ct.slice(ct.length - bs);
    const pad = plain[plain.length - 1];
    if (pad + 1 + ml > plain.length) return { ok: false, code: 'tls.bad-padding', detail: `padding length ${pad} exceeds the record` };
    for (let k = plain.length - 1 - pad; k < plain.length; k++)
      if (plain[k] !== pad) return { ok: false, code: 'tls.bad-padding', detail: 'padding bytes differ from the padding length' };
    const contentEnd = plain.length - 1 - pad - ml;
    const content = plain.subarray(0, contentEnd);
    if (!bytesEqual(this.macOf(seq, type, version, content), plain.subarray(contentEnd, contentEnd + ml)))
      return { ok: false, code: 'tls.bad-record-mac', detail: 'record MAC does not match' };
    return { ok: true, type, plaintext: content };
  }

  /** RFC 7366: MAC over the IV and ciphertext, checked before decrypting. */
  private openCbcEtm(type: number, version: number, fragment: Uint8Array, seq: bigint): Unprotected {
    const bs = blockSize(this.suite.cipher);
    const ml = macLength(this.suite.mac);
    const explicit = this.chainIv === null;
    if (fragment.length < ml + bs + (explicit ? bs : 0) || (fragment.length - ml) % bs !== 0)
      return { ok: false, code: 'tls.bad-record-length', detail: `encrypt-then-MAC record of ${fragment.length} bytes does not fit` };
    const body = fragment.subarray(0, fragment.length - ml);
    if (!bytesEqual(this.macOf(seq, type, version, body), fragment.subarray(fragment.length - ml)))
      return { ok: false, code: 'tls.bad-record-mac', detail: 'record MAC does not match' };
    const iv = explicit ? body.subarray(0, bs) : (this.chainIv as Uint8Array);
    const ct = explicit ? body.subarray(bs) : body;
    const plain = this.cbcDecrypt(iv, ct);
    if (!explicit) this.chainIv = ct.slice(ct.length - bs);
    const pad = plain[plain.length - 1];
    if (pad + 1 > plain.length) return { ok: false, code: 'tls.bad-padding', detail: `padding length ${pad} exceeds the record` };
    for (let k = plain.length - 1 - pad; k < plain.length; k++)
      if (plain[k] !== pad) return { ok: false, code: 'tls.bad-padding', detail: 'padding bytes differ from the padding length' };
    return { ok: true, type, plaintext: plain.subarray(0, plain.length - 1 - pad) };
  }

  private aeadOpen(nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array, tag: Uint8Array): Uint8Array {
    const d = createDecipheriv(this.suite.cipher as 'aes-128-gcm', this.keys.key, nonce, { authTagLength: 16 });
    d.setAAD(aad, { plaintextLength: ct.length });
    d.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
  }

  private xorNonce(seq: bigint): Uint8Array {
    const n = this.keys.iv.slice();
    const s = seqBytes(seq);
    for (let k = 0; k < 8; k++) n[n.length - 8 + k] ^= s[k];
    return n;
  }

  private openAead12(type: number, version: number, fragment: Uint8Array, seq: bigint): Unprotected {
    const gcm = this.suite.cipher !== 'chacha20-poly1305';
    const explicitLen = gcm ? 8 : 0;
    if (fragment.length < explicitLen + 16) return { ok: false, code: 'tls.bad-record-length', detail: `AEAD record of ${fragment.length} bytes is too short` };
    const nonce = gcm ? concatBytes(this.keys.iv, fragment.subarray(0, 8)) : this.xorNonce(seq);
    const ct = fragment.subarray(explicitLen, fragment.length - 16);
    const aad = concatBytes(seqBytes(seq), Uint8Array.of(type, version >> 8, version & 0xff), u16(ct.length));
    return { ok: true, type, plaintext: this.aeadOpen(nonce, aad, ct, fragment.subarray(fragment.length - 16)) };
  }

  /** RFC 8446 5.2: the record header is the AAD; the real type is the last nonzero byte. */
  private openTls13(fragment: Uint8Array, seq: bigint): Unprotected {
    if (fragment.length < 17) return { ok: false, code: 'tls.bad-record-length', detail: `TLS 1.3 record of ${fragment.length} bytes is too short` };
    const aad = Uint8Array.of(23, 3, 3, fragment.length >> 8, fragment.length & 0xff);
    const inner = this.aeadOpen(this.xorNonce(seq), aad, fragment.subarray(0, fragment.length - 16), fragment.subarray(fragment.length - 16));
    let end = inner.length;
    while (end > 0 && inner[end - 1] === 0) end--;
    if (end === 0) return { ok: false, code: 'tls.bad-record-length', detail: 'TLS 1.3 inner plaintext has no content type' };
    return { ok: true, type: inner[end - 1], plaintext: inner.subarray(0, end - 1) };
  }
}

/** Plaintext length of a record whose fragment was lost, as exactly as the cipher allows. */
export function plaintextLength(suite: CipherSuite, version: number, fragmentLength: number): { length: number; exact: boolean } {
  const c = suite.cipher;
  if (version >= TLS13) return { length: Math.max(0, fragmentLength - 17), exact: false }; // padding and type byte unknown
  if (c === 'chacha20-poly1305') return { length: Math.max(0, fragmentLength - 16), exact: true };
  if (isAead(c)) return { length: Math.max(0, fragmentLength - 24), exact: true };
  const ml = macLength(suite.mac);
  if (c === 'rc4-128') return { length: Math.max(0, fragmentLength - ml), exact: true };
  const bs = blockSize(c);
  const iv = version >= TLS11 ? bs : 0;
  // CBC: at least one padding-length byte; the padding itself is unknown.
  return { length: Math.max(0, fragmentLength - iv - ml - 1), exact: false };
}
