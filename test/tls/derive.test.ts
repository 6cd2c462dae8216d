// Key derivation against published vectors: the TLS 1.2 PRF vector (SHA-256,
// "test label", 100 bytes) that OpenSSL's TLS1-PRF also gives, a TLS 1.0/1.1
// PRF value computed with `openssl kdf ... -kdfopt digest:MD5-SHA1 TLS1-PRF`
// (odd-length secret, so the halves overlap), and the handshake key and IV of
// RFC 8448 section 3 (simple 1-RTT handshake).
import { describe, expect, it } from 'vitest';
import {
  finishedVerifyData,
  handshakeHash,
  hkdfExpandLabel,
  masterSecret,
  prf,
  tls13FinishedVerifyData,
  tls13NextSecret,
  tls13TrafficKeys,
  TLS10,
  TLS12,
} from '../../src/tls/derive.js';

const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/[\s:]/g, ''), 'hex'));
const hx = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('TLS PRF', () => {
  it('TLS 1.2 P_SHA256 gives the published 100-byte vector', () => {
    const out = prf(TLS12, 'sha256', h('9bbe436ba940f017b17652849a71db35'), 'test label', h('a0ba9f936cda311827a6f796ffd5198c'), 100);
    expect(hx(out)).toBe(
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
    );
  });

  it('TLS 1.0/1.1 PRF XORs P_MD5 and P_SHA1 over overlapping halves of an odd-length secret (matches OpenSSL)', () => {
    const out = prf(TLS10, 'sha256', h('0102030405060708090a0b0c0d0e0f1011'), 'test label', h('a0ba9f936cda311827a6f796ffd5198c'), 64);
    expect(hx(out)).toBe(
      'f96994cf16db57ee5af560084e1b9fa2e1bffde1858bf529381315f67d71d3ef413428a3edebf81e734fa15cc890008d7c0a6f23a62333ca17d39f16ac7e39e3',
    );
  });

  it('master secret and Finished use the PRF with their RFC 5246 labels and seeds', () => {
    const pm = new Uint8Array(48).fill(3);
    const cr = new Uint8Array(32).fill(1);
    const sr = new Uint8Array(32).fill(2);
    const ms = masterSecret(TLS12, 'sha256', pm, cr, sr);
    expect(hx(ms)).toBe(hx(prf(TLS12, 'sha256', pm, 'master secret', new Uint8Array([...cr, ...sr]), 48)));
    const hash = handshakeHash(TLS12, 'sha256', [h('0100000100'), h('0200000100')]);
    expect(finishedVerifyData(TLS12, 'sha256', ms, 'client', hash)).toEqual(prf(TLS12, 'sha256', ms, 'client finished', hash, 12));
    // Before TLS 1.2 the handshake hash is MD5 || SHA-1: 36 bytes.
    expect(handshakeHash(TLS10, 'sha256', [h('01')]).length).toBe(36);
  });
});

describe('TLS 1.3 HKDF-Expand-Label (RFC 8448 section 3)', () => {
  const serverHs = h('b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38');

  it('derives the server handshake write key and IV of the trace', () => {
    const k = tls13TrafficKeys('sha256', serverHs, 16);
    expect(hx(k.key)).toBe('3fce516009c21727d0f2e4e86ee403bc');
    expect(hx(k.iv)).toBe('5d313eb2671276ee13000b30');
  });

  it('builds the HkdfLabel with the "tls13 " prefix and the context', () => {
    // Same secret, a context: differs from the empty-context value.
    const a = hkdfExpandLabel('sha256', serverHs, 'key', new Uint8Array(0), 16);
    const b = hkdfExpandLabel('sha256', serverHs, 'key', new Uint8Array([1]), 16);
    expect(hx(a)).not.toBe(hx(b));
  });

  it('Finished key and KeyUpdate secret come from the base secret', () => {
    const th = new Uint8Array(32).fill(9);
    expect(tls13FinishedVerifyData('sha256', serverHs, th).length).toBe(32);
    expect(hx(tls13NextSecret('sha256', serverHs))).toBe(hx(hkdfExpandLabel('sha256', serverHs, 'traffic upd', new Uint8Array(0), 32)));
  });
});
