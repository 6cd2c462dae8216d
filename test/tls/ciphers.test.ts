// Record protection in isolation: RC4 against RFC 6229, the suite table, and
// the CBC rules (TLS 1.0 chained IV, padding and MAC checks, encrypt-then-MAC)
// on records sealed here with node:crypto the way RFC 5246 6.2.3.2 and RFC 7366
// describe.
import { createCipheriv, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CIPHER_SUITES, RecordDecryptor, Rc4, plaintextLength, suiteName } from '../../src/tls/ciphers.js';
import { TLS10, TLS12 } from '../../src/tls/derive.js';

describe('RC4', () => {
  it('gives the RFC 6229 keystream for the 40-bit key 0102030405', () => {
    const ks = new Rc4(Uint8Array.from([1, 2, 3, 4, 5])).process(new Uint8Array(16));
    expect(Buffer.from(ks).toString('hex')).toBe('b2396305f03dc027ccc3524a0a1118a8');
  });
  it('keeps its state across calls, as one stream per direction', () => {
    const a = new Rc4(Uint8Array.from([1, 2, 3, 4, 5]));
    const first = a.process(new Uint8Array(7));
    const rest = a.process(new Uint8Array(9));
    expect(Buffer.from([...first, ...rest]).toString('hex')).toBe('b2396305f03dc027ccc3524a0a1118a8');
  });
});

describe('suite table', () => {
  it('names every suite the issue lists, with unique IANA names', () => {
    const names = [...CIPHER_SUITES.values()].map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of [
      'TLS_RSA_WITH_RC4_128_MD5',
      'TLS_RSA_WITH_RC4_128_SHA',
      'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
      'TLS_RSA_WITH_AES_128_CBC_SHA',
      'TLS_RSA_WITH_AES_256_CBC_SHA',
      'TLS_RSA_WITH_AES_128_CBC_SHA256',
      'TLS_RSA_WITH_AES_256_CBC_SHA256',
      'TLS_RSA_WITH_AES_128_GCM_SHA256',
      'TLS_RSA_WITH_AES_256_GCM_SHA384',
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
    ])
      expect(names).toContain(n);
    expect(suiteName(0x0a0a)).toBe('0x0a0a');
    expect(CIPHER_SUITES.get(0x009d)?.prfHash).toBe('sha384');
  });
});

const suite = CIPHER_SUITES.get(0x002f)!; // TLS_RSA_WITH_AES_128_CBC_SHA
const key = new Uint8Array(16).fill(0x11);
const macKey = new Uint8Array(20).fill(0x22);
const iv0 = new Uint8Array(16).fill(0x33);

function mac(seq: number, type: number, version: number, data: Uint8Array): Buffer {
  const h = createHmac('sha1', macKey);
  const hdr = Buffer.alloc(13);
  hdr.writeBigUInt64BE(BigInt(seq));
  hdr[8] = type;
  hdr.writeUInt16BE(version, 9);
  hdr.writeUInt16BE(data.length, 11);
  return h.update(hdr).update(data).digest();
}
function cbc(iv: Uint8Array, data: Uint8Array): Buffer {
  const c = createCipheriv('aes-128-cbc', key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}
function pad(data: Uint8Array): Buffer {
  const p = 16 - ((data.length + 1) % 16);
  return Buffer.concat([data, Buffer.alloc(p + 1, p)]);
}
/** MAC-then-encrypt (RFC 5246 6.2.3.2); `explicitIv` for TLS 1.1+. */
function sealMte(seq: number, version: number, text: string, iv: Uint8Array, explicitIv: boolean): Buffer {
  const data = Buffer.from(text);
  const ct = cbc(iv, pad(Buffer.concat([data, mac(seq, 23, version, data)])));
  return explicitIv ? Buffer.concat([iv, ct]) : ct;
}

describe('CBC records', () => {
  it('TLS 1.0 chains the IV: each record starts from the last ciphertext block of the one before', () => {
    const d = new RecordDecryptor(suite, TLS10, { macKey, key, iv: iv0 });
    const r1 = sealMte(0, TLS10, 'first record', iv0, false);
    const r2 = sealMte(1, TLS10, 'second record', r1.subarray(r1.length - 16), false);
    const a = d.decrypt(23, TLS10, r1);
    const b = d.decrypt(23, TLS10, r2);
    expect(a.ok && Buffer.from(a.plaintext).toString()).toBe('first record');
    expect(b.ok && Buffer.from(b.plaintext).toString()).toBe('second record');
  });

  it('TLS 1.2 takes the IV from the record; a bad MAC and bad padding are told apart', () => {
    const d = new RecordDecryptor(suite, TLS12, { macKey, key, iv: iv0 });
    const iv = new Uint8Array(16).fill(9);
    const good = sealMte(0, TLS12, 'hello', iv, true);
    const r = d.decrypt(23, TLS12, good);
    expect(r.ok && Buffer.from(r.plaintext).toString()).toBe('hello');
    const badMac = sealMte(1, TLS12, 'hello', iv, true);
    badMac[20] ^= 1; // first ciphertext block: garbles the data, not the padding
    expect(d.decrypt(23, TLS12, badMac)).toMatchObject({ ok: false, code: 'tls.bad-record-mac' });
    const badPad = Buffer.concat([iv, cbc(iv, Buffer.alloc(48, 0x40))]); // padding length 64 > record
    expect(d.decrypt(23, TLS12, badPad)).toMatchObject({ ok: false, code: 'tls.bad-padding' });
    expect(d.decrypt(23, TLS12, new Uint8Array(17))).toMatchObject({ ok: false, code: 'tls.bad-record-length' });
  });

  it('encrypt-then-MAC checks the MAC over IV and ciphertext before decrypting (RFC 7366)', () => {
    const d = new RecordDecryptor(suite, TLS12, { macKey, key, iv: iv0 }, true);
    const iv = new Uint8Array(16).fill(5);
    const body = Buffer.concat([iv, cbc(iv, pad(Buffer.from('etm data')))]);
    const rec = Buffer.concat([body, mac(0, 23, TLS12, body)]);
    const r = d.decrypt(23, TLS12, rec);
    expect(r.ok && Buffer.from(r.plaintext).toString()).toBe('etm data');
    const tampered = Buffer.from(rec);
    tampered[tampered.length - 1] ^= 1;
    expect(d.decrypt(23, TLS12, tampered)).toMatchObject({ ok: false, code: 'tls.bad-record-mac' });
  });

  it('finds the sequence number after unseen losses by trying the next ones', () => {
    const d = new RecordDecryptor(suite, TLS12, { macKey, key, iv: iv0 });
    const rec = sealMte(5, TLS12, 'after loss', new Uint8Array(16).fill(1), true);
    const r = d.decryptGuessing(23, TLS12, rec, 10);
    expect(r).toMatchObject({ ok: true, skipped: 5 });
    expect(d.seq).toBe(6n);
  });

  it('says how long a lost record\'s plaintext was: exact for AEAD and stream ciphers, not for CBC', () => {
    expect(plaintextLength(CIPHER_SUITES.get(0x009c)!, TLS12, 1024)).toEqual({ length: 1000, exact: true });
    expect(plaintextLength(CIPHER_SUITES.get(0x0005)!, TLS12, 1020)).toEqual({ length: 1000, exact: true });
    expect(plaintextLength(suite, TLS12, 1024).exact).toBe(false);
  });
});
