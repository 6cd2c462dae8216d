// Key derivation. TLS 1.0/1.1 PRF: P_MD5 of the first half of the secret XOR
// P_SHA1 of the second half (RFC 2246 section 5). TLS 1.2 PRF: P_hash with the
// suite's hash, SHA-256 unless the suite says SHA-384 (RFC 5246 section 5).
// Master secret from the pre-master secret (RFC 5246 8.1), or the extended
// master secret from the session hash (RFC 7627 section 4); key block
// (RFC 5246 6.3); Finished verify_data (RFC 5246 7.4.9). TLS 1.3:
// HKDF-Expand-Label (RFC 8446 7.1) for traffic keys and IVs (7.3) and the
// Finished key (4.4.4).
import { createHash, createHmac } from 'node:crypto';

export type HashName = 'md5' | 'sha1' | 'sha256' | 'sha384';

/** TLS protocol versions as on the wire. */
export const SSL3 = 0x0300;
export const TLS10 = 0x0301;
export const TLS11 = 0x0302;
export const TLS12 = 0x0303;
export const TLS13 = 0x0304;

const enc = new TextEncoder();

function hmac(hash: HashName, key: Uint8Array, ...data: Uint8Array[]): Uint8Array {
  const h = createHmac(hash, key);
  for (const d of data) h.update(d);
  return new Uint8Array(h.digest());
}

export function digest(hash: HashName, ...data: Uint8Array[]): Uint8Array {
  const h = createHash(hash);
  for (const d of data) h.update(d);
  return new Uint8Array(h.digest());
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const r = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    r.set(p, o);
    o += p.length;
  }
  return r;
}

/** P_hash (RFC 5246 section 5): HMAC chained until `length` bytes. */
export function pHash(hash: HashName, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let a = seed;
  let o = 0;
  while (o < length) {
    a = hmac(hash, secret, a);
    const block = hmac(hash, secret, a, seed);
    out.set(block.subarray(0, Math.min(block.length, length - o)), o);
    o += block.length;
  }
  return out;
}

/** The PRF of `version` (TLS 1.0/1.1: MD5 XOR SHA-1; 1.2: P_<prfHash>). */
export function prf(version: number, prfHash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const labelSeed = concatBytes(enc.encode(label), seed);
  if (version >= TLS12) return pHash(prfHash, secret, labelSeed, length);
  // RFC 2246 5: the halves overlap by one byte when the secret's length is odd.
  const half = Math.ceil(secret.length / 2);
  const s1 = secret.subarray(0, half);
  const s2 = secret.subarray(secret.length - half);
  const md5 = pHash('md5', s1, labelSeed, length);
  const sha = pHash('sha1', s2, labelSeed, length);
  for (let i = 0; i < length; i++) md5[i] ^= sha[i];
  return md5;
}

export function masterSecret(version: number, prfHash: HashName, premaster: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Uint8Array {
  return prf(version, prfHash, premaster, 'master secret', concatBytes(clientRandom, serverRandom), 48);
}

/** RFC 7627 4: the master secret bound to the handshake up to ClientKeyExchange. */
export function extendedMasterSecret(version: number, prfHash: HashName, premaster: Uint8Array, sessionHash: Uint8Array): Uint8Array {
  return prf(version, prfHash, premaster, 'extended master secret', sessionHash, 48);
}

/** RFC 5246 6.3: note the seed order, server random first. */
export function keyBlock(version: number, prfHash: HashName, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, length: number): Uint8Array {
  return prf(version, prfHash, master, 'key expansion', concatBytes(serverRandom, clientRandom), length);
}

/** Hash of the handshake messages as the Finished message and the session hash use it: MD5||SHA-1 before TLS 1.2. */
export function handshakeHash(version: number, prfHash: HashName, messages: readonly Uint8Array[]): Uint8Array {
  if (version >= TLS12) return digest(prfHash, ...messages);
  return concatBytes(digest('md5', ...messages), digest('sha1', ...messages));
}

/** verify_data of a Finished message (12 bytes). `sender` is 'client' or 'server'. */
export function finishedVerifyData(version: number, prfHash: HashName, master: Uint8Array, sender: 'client' | 'server', hsHash: Uint8Array): Uint8Array {
  return prf(version, prfHash, master, `${sender} finished`, hsHash, 12);
}

/** HKDF-Expand (RFC 5869 2.3). */
export function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  let o = 0;
  for (let i = 1; o < length; i++) {
    t = hmac(hash, prk, t, info, Uint8Array.of(i));
    out.set(t.subarray(0, Math.min(t.length, length - o)), o);
    o += t.length;
  }
  return out;
}

/** HKDF-Expand-Label (RFC 8446 7.1): the label gets the "tls13 " prefix. */
export function hkdfExpandLabel(hash: HashName, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const full = enc.encode(`tls13 ${label}`);
  const info = concatBytes(Uint8Array.of(length >> 8, length & 0xff, full.length), full, Uint8Array.of(context.length), context);
  return hkdfExpand(hash, secret, info, length);
}

export interface TrafficKeys {
  key: Uint8Array;
  iv: Uint8Array;
}

/** RFC 8446 7.3: the write key and IV of one traffic secret. */
export function tls13TrafficKeys(hash: HashName, secret: Uint8Array, keyLength: number): TrafficKeys {
  return {
    key: hkdfExpandLabel(hash, secret, 'key', new Uint8Array(0), keyLength),
    iv: hkdfExpandLabel(hash, secret, 'iv', new Uint8Array(0), 12),
  };
}

/** RFC 8446 7.2: the next traffic secret after a KeyUpdate. */
export function tls13NextSecret(hash: HashName, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, 'traffic upd', new Uint8Array(0), hashLength(hash));
}

/** RFC 8446 4.4.4: verify_data = HMAC(finished_key, transcript hash). */
export function tls13FinishedVerifyData(hash: HashName, baseSecret: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  const finishedKey = hkdfExpandLabel(hash, baseSecret, 'finished', new Uint8Array(0), hashLength(hash));
  return hmac(hash, finishedKey, transcriptHash);
}

export function hashLength(hash: HashName): number {
  return hash === 'md5' ? 16 : hash === 'sha1' ? 20 : hash === 'sha256' ? 32 : 48;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}
