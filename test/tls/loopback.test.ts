// Sessions Node's own TLS stack makes on loopback, for what the sample
// captures do not hold: ChaCha20-Poly1305 and CBC-SHA256/AES-256 suites in
// TLS 1.2, DHE, a TLS 1.3 HelloRetryRequest (its transcript rule decides
// whether Finished checks), TLS 1.3 resumption, and TLS 1.0/1.1 where the
// OpenSSL build allows them. Each is decrypted with the key log Node wrote, and
// RSA ones also with the server's key.
import { constants } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyLog } from '../../src/tls/key-log.js';
import { RecordReader } from '../../src/tls/record.js';
import type { StreamEvent } from '../../src/reassembly/stream-event.js';
import type { SessionEvent, TlsGapEvent } from '../../src/tls/tls-session.js';
import { plaintext, rsaEntry, runLayer } from './helpers.js';
import { recordSession, toEvents, type Recorded } from './loopback.js';

function keyLog(...rs: Recorded[]): KeyLog {
  const k = new KeyLog();
  for (const r of rs) k.addFromText(r.keylog);
  return k;
}
const tlsAnomalies = (evs: SessionEvent[]): string[] => evs.flatMap((e) => (e.kind === 'anomaly' && e.code.startsWith('tls.') ? [e.code] : []));
const info = (evs: SessionEvent[], flow = 0) => evs.find((e) => e.kind === 'tls-info' && e.flow.index === flow);

function expectDecrypted(out: SessionEvent[], r: Recorded, flow = 0): void {
  expect(out.filter((e) => e.kind === 'tls-undecryptable')).toEqual([]);
  expect(tlsAnomalies(out)).toEqual([]);
  expect(plaintext(out, 'c2s', flow).equals(r.request)).toBe(true);
  expect(plaintext(out, 's2c', flow).equals(r.response)).toBe(true);
}

/** One ticket key for every test server, so a later server accepts an earlier one's tickets. */
const TICKET_KEYS = Buffer.alloc(48, 7);
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

const tls12 = (ciphers: string, extra: object = {}) => ({
  server: { ciphers, maxVersion: 'TLSv1.2' as const, ...extra },
  client: { ciphers, maxVersion: 'TLSv1.2' as const },
});

describe('Node TLS 1.2 sessions', () => {
  it.each([
    ['ECDHE-RSA-CHACHA20-POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
    ['ECDHE-RSA-AES256-SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384'],
    ['DHE-RSA-AES128-GCM-SHA256', 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'],
  ])('%s decrypts with the key log as %s', async (ciphers, iana) => {
    const r = await recordSession({ ...tls12(ciphers, { dhparam: 'auto' }), requestBytes: 20_000 });
    const out = runLayer({ rsaKeys: [], keyLog: keyLog(r) }, toEvents([r]));
    expectDecrypted(out, r);
    expect(info(out)).toMatchObject({ version: 'TLS 1.2', cipherSuite: iana, keySource: 'key-log' });
  });

  it.each([
    ['AES256-SHA256', 'TLS_RSA_WITH_AES_256_CBC_SHA256', 0],
    ['AES128-SHA', 'TLS_RSA_WITH_AES_128_CBC_SHA', constants.SSL_OP_NO_ENCRYPT_THEN_MAC],
    ['AES128-GCM-SHA256', 'TLS_RSA_WITH_AES_128_GCM_SHA256', 0],
  ])('%s decrypts with the RSA key alone as %s (EMS on; secureOptions %s turns encrypt-then-MAC off)', async (ciphers, iana, secureOptions) => {
    const r = await recordSession({ ...tls12(ciphers, { secureOptions }) });
    const out = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, toEvents([r]));
    expectDecrypted(out, r);
    expect(info(out)).toMatchObject({ cipherSuite: iana, keySource: 'rsa-key', resumed: false });
  });

  it('resumes by ticket in a second connection, with the RSA key only', async () => {
    const o = tls12('AES128-SHA256', { ticketKeys: TICKET_KEYS });
    const a = await recordSession(o);
    const b = await recordSession({ ...o, client: { ...o.client, session: a.session } });
    const out = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, toEvents([a, b]));
    expectDecrypted(out, a, 0);
    expectDecrypted(out, b, 1);
    expect(info(out, 1)).toMatchObject({ resumed: true, keySource: 'rsa-key' });
  });
});

describe('Node TLS 1.3 sessions', () => {
  it.each(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'])('%s decrypts with the key log and checks both Finished', async (suite) => {
    const r = await recordSession({ server: { ciphers: suite }, client: { ciphers: suite }, requestBytes: 40_000 });
    const out = runLayer({ rsaKeys: [], keyLog: keyLog(r) }, toEvents([r]));
    expectDecrypted(out, r);
    expect(info(out)).toMatchObject({ version: 'TLS 1.3', cipherSuite: suite });
  });

  it('after a HelloRetryRequest the transcript starts with message_hash, so Finished still checks', async () => {
    // The client's one key share is X25519; the server insists on P-256 and asks again.
    const r = await recordSession({ server: { ecdhCurve: 'P-256' }, client: { ecdhCurve: 'X25519:P-256' } });
    expect(r.chunks.some((c) => c.dir === 's2c' && c.bytes.includes(HRR_RANDOM))).toBe(true);
    const out = runLayer({ rsaKeys: [], keyLog: keyLog(r) }, toEvents([r]));
    expectDecrypted(out, r);
  });

  it('a resumed TLS 1.3 session (PSK) decrypts and says resumed', async () => {
    const a = await recordSession({ server: { ticketKeys: TICKET_KEYS } });
    const b = await recordSession({ server: { ticketKeys: TICKET_KEYS }, client: { session: a.session } });
    const out = runLayer({ rsaKeys: [], keyLog: keyLog(a, b) }, toEvents([a, b]));
    expectDecrypted(out, b, 1);
    expect(info(out, 1)).toMatchObject({ version: 'TLS 1.3', resumed: true });
  });
});

describe('old versions, where this OpenSSL still speaks them', () => {
  it.each([
    ['TLSv1', 'TLS 1.0'],
    ['TLSv1.1', 'TLS 1.1'],
  ] as const)('%s with AES128-SHA decrypts with the RSA key (chained or explicit IVs)', async (v, name) => {
    const ciphers = 'AES128-SHA:@SECLEVEL=0';
    const r = await recordSession({ server: { ciphers, minVersion: v, maxVersion: v }, client: { ciphers, minVersion: v, maxVersion: v } });
    const out = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, toEvents([r]));
    expectDecrypted(out, r);
    expect(info(out)).toMatchObject({ version: name, cipherSuite: 'TLS_RSA_WITH_AES_128_CBC_SHA' });
  });
});

describe('failures and damage', () => {
  it('TLS 1.0: bytes lost mid-record still leave the next record\'s chained IV, taken from the captured tail', async () => {
    const ciphers = 'AES128-SHA:@SECLEVEL=0';
    const v = 'TLSv1' as const;
    const r = await recordSession({ server: { ciphers, minVersion: v, maxVersion: v }, client: { ciphers, minVersion: v, maxVersion: v }, requestBytes: 60_000 });
    const evs = toEvents([r]);
    const full = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, evs);
    const want = plaintext(full, 'c2s');
    // Find the first application data record of 1000+ bytes and cut 200 bytes from its middle.
    const reader = new RecordReader();
    const stream = Buffer.concat(r.chunks.filter((c) => c.dir === 'c2s').map((c) => c.bytes));
    const big = reader.push(stream, 0).find((e) => e.kind === 'record' && e.type === 23 && e.end - e.start > 1000);
    if (!big || big.kind !== 'record') throw new Error('no big record');
    const cutAt = big.start + 500;
    const cut = evs.flatMap((e): StreamEvent[] => {
      if (e.kind !== 'data' || e.dir !== 'c2s' || e.offset + e.bytes.length <= cutAt || e.offset >= cutAt + 200) return [e];
      const parts: StreamEvent[] = [];
      const f = e.spans[0].frame;
      const a = Math.max(0, cutAt - e.offset);
      const b = Math.min(e.bytes.length, cutAt + 200 - e.offset);
      if (a > 0) parts.push({ ...e, bytes: e.bytes.subarray(0, a), spans: [{ ...e.spans[0], length: a }] });
      parts.push({ kind: 'gap', flow: e.flow, dir: 'c2s', offset: e.offset + a, length: b - a, frame: f });
      if (b < e.bytes.length) parts.push({ ...e, offset: e.offset + b, bytes: e.bytes.subarray(b), spans: [{ ...e.spans[0], streamOffset: e.offset + b, length: e.bytes.length - b }] });
      return parts;
    });
    const out = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, cut);
    expect(tlsAnomalies(out)).toEqual([]);
    const gaps = out.filter((e): e is TlsGapEvent => e.kind === 'gap');
    expect(gaps.map((g) => g.lengthExact)).toEqual([true]);
    const later = out.filter((e) => e.kind === 'data' && e.dir === 'c2s' && e.offset > gaps[0].offset);
    expect(later.length).toBeGreaterThan(0);
    for (const e of later) if (e.kind === 'data') expect(Buffer.from(e.bytes).equals(want.subarray(e.offset, e.offset + e.bytes.length))).toBe(true);

    // Cut to the record's end instead: its last block, the next record's IV,
    // is gone. Encrypt-then-MAC cannot catch a wrong IV, so the next record is
    // refused as such rather than delivered with a garbled first block.
    const end = big.end;
    const tailCut = evs.flatMap((e): StreamEvent[] => {
      if (e.kind !== 'data' || e.dir !== 'c2s' || e.offset + e.bytes.length <= cutAt || e.offset >= end) return [e];
      const a = Math.max(0, cutAt - e.offset);
      const b = Math.min(e.bytes.length, end - e.offset);
      const parts: StreamEvent[] = [];
      if (a > 0) parts.push({ ...e, bytes: e.bytes.subarray(0, a), spans: [{ ...e.spans[0], length: a }] });
      parts.push({ kind: 'gap', flow: e.flow, dir: 'c2s', offset: e.offset + a, length: b - a, frame: e.spans[0].frame });
      if (b < e.bytes.length) parts.push({ ...e, offset: e.offset + b, bytes: e.bytes.subarray(b), spans: [{ ...e.spans[0], streamOffset: e.offset + b, length: e.bytes.length - b }] });
      return parts;
    });
    const out2 = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, tailCut);
    expect(tlsAnomalies(out2)).toEqual(['tls.decrypt-failed']);
    // The lost record's padding is unknown now, so offsets after it are estimates: compare the bytes, from the end.
    const gaps2 = out2.filter((e): e is TlsGapEvent => e.kind === 'gap').map((g) => g.lengthExact);
    expect(gaps2).toEqual([false, false]);
    const rest = Buffer.concat(out2.flatMap((e) => (e.kind === 'data' && e.dir === 'c2s' ? [e.bytes] : [])));
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.equals(want.subarray(want.length - rest.length))).toBe(true);
  });

  it('a handshake the server refuses shows its clear handshake_failure alert, and nothing to decrypt', async () => {
    const r = await recordSession({ server: { ciphers: 'AES128-SHA', maxVersion: 'TLSv1.2' }, client: { ciphers: 'AES256-SHA', maxVersion: 'TLSv1.2' }, expectFailure: true });
    const out = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, toEvents([r]));
    expect(out.filter((e) => e.kind === 'tls-alert').map((e) => e.kind === 'tls-alert' && [e.dir, e.name, e.level])).toEqual([['s2c', 'handshake_failure', 2]]);
    expect(out.filter((e) => e.kind === 'data' || e.kind === 'tls-info' || e.kind === 'tls-undecryptable')).toEqual([]);
  });

  it('when record after record fails, the direction is given up with tls.lost-sync after 16', async () => {
    const r = await recordSession({ ...tls12('AES128-GCM-SHA256'), requestBytes: 400_000 });
    // Flip the last byte of every c2s application data record.
    const reader = new RecordReader();
    const stream = Buffer.concat(r.chunks.filter((c) => c.dir === 'c2s').map((c) => c.bytes));
    for (const ev of reader.push(stream, 0)) if (ev.kind === 'record' && ev.type === 23) stream[ev.end - 1] ^= 0xff;
    let o = 0;
    const damaged = { ...r, chunks: r.chunks.map((c) => (c.dir === 'c2s' ? { dir: c.dir, bytes: stream.subarray(o, (o += c.bytes.length)) } : c)) };
    const out = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, toEvents([damaged]));
    const codes = tlsAnomalies(out);
    expect(codes.filter((c) => c === 'tls.decrypt-failed').length).toBe(16);
    expect(codes.at(-1)).toBe('tls.lost-sync');
    expect(plaintext(out, 's2c', 0).equals(r.response)).toBe(true);
  });
});
