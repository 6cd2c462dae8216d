// The RSA key: loading its forms and refusing what is not an RSA key,
// Wireshark-style ip:port scopes, and the pre-master secret's PKCS#1 v1.5
// structure checked by hand after raw RSA (Node 20 refuses PKCS#1 v1.5 in
// privateDecrypt).
import { constants, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decryptPremaster, keysForServer, loadRsaKey, parseKeyScope } from '../../src/tls/rsa-key.js';
import { KEYS, rsaKey } from './helpers.js';

describe('loadRsaKey', () => {
  it('reads PKCS#1, PKCS#8 and both encrypted PEM forms to the same modulus', () => {
    const m = Buffer.from(rsaKey('server.rsa.pem').modulus).toString('hex');
    expect(m.length).toBe(512);
    for (const [f, pw] of [['server.pkcs8.pem'], ['server.enc.pem', 'upxray'], ['server.rsa-enc.pem', 'upxray']] as const)
      expect(Buffer.from(rsaKey(f, pw).modulus).toString('hex')).toBe(m);
  });

  it('reads a DER PKCS#8 key', () => {
    const der = rsaKey('server.rsa.pem').key.export({ format: 'der', type: 'pkcs8' });
    const r = loadRsaKey(der);
    expect(r.ok).toBe(true);
  });

  it('asks for the password of an encrypted key, and reports a wrong one', () => {
    const pem = readFileSync(KEYS + 'server.enc.pem');
    expect(loadRsaKey(pem)).toMatchObject({ ok: false, code: 'tls.key-needs-password' });
    expect(loadRsaKey(pem, { password: 'wrong' })).toMatchObject({ ok: false, code: 'tls.key-unreadable' });
  });

  it('refuses garbage and non-RSA keys with a code', () => {
    expect(loadRsaKey('not a key')).toMatchObject({ ok: false, code: 'tls.key-unreadable' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    expect(loadRsaKey(ec)).toMatchObject({ ok: false, code: 'tls.key-not-rsa' });
  });
});

describe('key scopes', () => {
  it('parses ip:port, [v6]:port, any and bare addresses', () => {
    expect(parseKeyScope('10.99.2.90:443')).toEqual({ ip: '10.99.2.90', port: 443 });
    expect(parseKeyScope('[FD00::1]:8443')).toEqual({ ip: 'fd00::1', port: 8443 });
    expect(parseKeyScope('any:443')).toEqual({ port: 443 });
    expect(parseKeyScope('0.0.0.0:443')).toEqual({ port: 443 });
    expect(parseKeyScope('10.0.0.1')).toEqual({ ip: '10.0.0.1' });
    expect(parseKeyScope('')).toEqual({});
    expect(parseKeyScope('host:99999')).toBeNull();
  });

  it('keeps the keys that fit a server, most specific first', () => {
    const key = rsaKey('server.rsa.pem');
    const entries = [{ key }, { key, port: 443 }, { key, ip: '10.0.0.2', port: 443 }, { key, ip: '10.0.0.3' }];
    expect(keysForServer(entries, '10.0.0.2', 443)).toEqual([entries[2], entries[1], entries[0]]);
    expect(keysForServer(entries, '10.0.0.2', 80)).toEqual([entries[0]]);
  });
});

describe('decryptPremaster', () => {
  const key = rsaKey('server.rsa.pem');
  const pub = key.key;
  const premaster = Buffer.concat([Buffer.from([3, 3]), randomBytes(46)]);

  it('recovers a PKCS#1 v1.5 encrypted pre-master secret and checks its version', () => {
    const enc = publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_PADDING }, premaster);
    const r = decryptPremaster(key, enc, 0x0303, 0x0303);
    expect(r.ok && Buffer.from(r.premaster).equals(premaster)).toBe(true);
    expect(r.ok && r.versionMatches).toBe(true);
    expect(decryptPremaster(key, enc, 0x0301, 0x0301)).toMatchObject({ ok: true, versionMatches: false });
  });

  /** A raw-RSA block of our own making, to break one rule at a time. */
  const raw = (block: Buffer) => publicEncrypt({ key: pub, padding: constants.RSA_NO_PADDING }, block);
  const block = (lead: number[], padLen: number, body: Buffer): Buffer =>
    Buffer.concat([Buffer.from(lead), Buffer.alloc(padLen, 0x5a), Buffer.from([0]), body, Buffer.alloc(Math.max(0, 256 - lead.length - padLen - 1 - body.length))]).subarray(0, 256);

  it('rejects a block that does not start 00 02', () => {
    const b = block([0, 1], 256 - 2 - 1 - 48, premaster);
    expect(decryptPremaster(key, raw(b), 0x0303, 0x0303)).toMatchObject({ ok: false, code: 'tls.rsa-bad-padding' });
  });

  it('rejects a pre-master secret that is not 48 bytes', () => {
    const b = block([0, 2], 256 - 2 - 1 - 40, premaster.subarray(0, 40));
    expect(decryptPremaster(key, raw(b), 0x0303, 0x0303)).toMatchObject({ ok: false, code: 'tls.rsa-bad-padding' });
  });

  it('rejects padding shorter than 8 bytes', () => {
    const b = Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(4, 1), Buffer.from([0]), Buffer.alloc(249, 3)]);
    expect(decryptPremaster(key, raw(b), 0x0303, 0x0303)).toMatchObject({ ok: false, code: 'tls.rsa-bad-padding' });
  });

  it('reports values that do not fit the key instead of throwing', () => {
    expect(decryptPremaster(key, new Uint8Array(0), 0x0303, 0x0303)).toMatchObject({ ok: false, code: 'tls.rsa-decrypt-failed' });
    expect(decryptPremaster(key, new Uint8Array(300).fill(0xff), 0x0303, 0x0303)).toMatchObject({ ok: false, code: 'tls.rsa-decrypt-failed' });
    expect(decryptPremaster(key, new Uint8Array(256).fill(0xff), 0x0303, 0x0303).ok).toBe(false);
  });
});
