// The NSS key log parser: the labels of TLS 1.0-1.3, tolerance for comments,
// blank lines and CRLF, bad lines counted and skipped, and the pcapng
// Decryption Secrets Block body.
import { describe, expect, it } from 'vitest';
import { DSB_SECRETS_TLS_KEY_LOG, KeyLog, keyLogFromDsb } from '../../src/tls/key-log.js';

const cr = 'ab'.repeat(32);
const ms = 'cd'.repeat(48);

describe('KeyLog', () => {
  it('reads CLIENT_RANDOM and the TLS 1.3 secrets, skipping comments, blank lines and CRLF', () => {
    const log = new KeyLog();
    const text = [
      '# SSL/TLS secrets log file',
      '',
      `CLIENT_RANDOM ${cr} ${ms}`,
      `SERVER_HANDSHAKE_TRAFFIC_SECRET ${'01'.repeat(32)} ${'11'.repeat(32)}`,
      `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${'01'.repeat(32)} ${'22'.repeat(32)}`,
      `CLIENT_TRAFFIC_SECRET_0 ${'01'.repeat(32)} ${'33'.repeat(48)}`,
      `SERVER_TRAFFIC_SECRET_0 ${'01'.repeat(32)} ${'44'.repeat(48)}`,
    ].join('\r\n');
    expect(log.addFromText(text)).toBe(5);
    expect(Buffer.from(log.lookup(Buffer.from(cr, 'hex'))!.masterSecret!).toString('hex')).toBe(ms);
    const s = log.lookup(Buffer.from('01'.repeat(32), 'hex'))!;
    expect(Buffer.from(s.tls13.SERVER_HANDSHAKE_TRAFFIC_SECRET!).toString('hex')).toBe('11'.repeat(32));
    expect(s.tls13.SERVER_TRAFFIC_SECRET_0!.length).toBe(48);
    expect(s.origin).toBe('key-log');
    expect(log.stats.badLines).toBe(0);
  });

  it('counts bad lines (unknown label, wrong lengths, not hex, too long) and keeps going', () => {
    const log = new KeyLog();
    const n = log.addFromText(
      [`FOO ${cr} ${ms}`, `CLIENT_RANDOM ${cr} abcd`, `CLIENT_RANDOM zz ${ms}`, `CLIENT_RANDOM ${cr}`, 'x'.repeat(5000), `CLIENT_RANDOM ${cr} ${ms}`].join('\n'),
    );
    expect(n).toBe(1);
    expect(log.stats.badLines).toBe(5);
  });

  it('reads RSA pre-master lines keyed by the first 8 bytes of the encrypted pre-master secret', () => {
    const log = new KeyLog();
    log.addFromText(`RSA 0102030405060708 ${'03'.repeat(48)}`);
    const enc = new Uint8Array(256);
    enc.set([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(log.lookupRsaPremaster(enc)?.length).toBe(48);
    expect(log.lookupRsaPremaster(new Uint8Array(256))).toBeUndefined();
  });

  it('marks secrets fed from a Decryption Secrets Block as dsb', () => {
    const log = new KeyLog();
    log.addFromText(`CLIENT_RANDOM ${cr} ${ms}\n`, 'dsb');
    expect(log.lookup(Buffer.from(cr, 'hex'))?.origin).toBe('dsb');
  });
});

describe('keyLogFromDsb', () => {
  const text = `CLIENT_RANDOM ${cr} ${ms}\n`;
  const body = (le: boolean, type = DSB_SECRETS_TLS_KEY_LOG, len = text.length): Uint8Array => {
    const b = Buffer.alloc(8 + Math.ceil(text.length / 4) * 4);
    if (le) {
      b.writeUInt32LE(type, 0);
      b.writeUInt32LE(len, 4);
    } else {
      b.writeUInt32BE(type, 0);
      b.writeUInt32BE(len, 4);
    }
    b.write(text, 8);
    return new Uint8Array(b);
  };
  it('returns the key log text in either byte order', () => {
    expect(keyLogFromDsb(body(true), true)).toBe(text);
    expect(keyLogFromDsb(body(false), false)).toBe(text);
  });
  it('returns null for other secret types, lengths past the body and short bodies', () => {
    expect(keyLogFromDsb(body(true, 0x5353484b), true)).toBeNull();
    expect(keyLogFromDsb(body(true, DSB_SECRETS_TLS_KEY_LOG, 10_000), true)).toBeNull();
    expect(keyLogFromDsb(new Uint8Array(4), true)).toBeNull();
  });
});
