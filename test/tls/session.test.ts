// The session layer's verdicts and robustness on real TLS captures
// (captures/tls-*, made by captures/make/tls with Python's ssl and OpenSSL):
// why it cannot decrypt, which keys it accepts, that segmentation does not
// change what it delivers, and that lost, cut and corrupted bytes are stated
// as gaps and anomalies, never thrown.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/reassembly/stream-event.js';
import { KeyLog } from '../../src/tls/key-log.js';
import { loadPkcs12Key } from '../../src/tls/pkcs12.js';
import { TlsSessionLayer, type SessionEvent, type TlsGapEvent } from '../../src/tls/tls-session.js';
import { KEYS, keyLogOf, plaintext, resegment, rsaEntry, rsaKey, runLayer, streamEvents } from './helpers.js';

const RSA_CBC = 'tls-12-rsa-aes128-sha256.pcap';
const RSA_GCM = 'tls-12-rsa-aes256-gcm-sha384.pcap';
const ECDHE = 'tls-12-ecdhe-rsa-aes128-gcm-sha256.pcap';
const TLS13 = 'tls-13-aes128-gcm-sha256.pcap';
const RC4 = 'tls-12-rsa-rc4-128-sha.pcap';
const SERVER = '10.99.2.90:443';

const verdicts = (evs: SessionEvent[]): string[] => evs.flatMap((e) => (e.kind === 'tls-undecryptable' ? [e.reason] : []));
const dataCount = (evs: SessionEvent[]): number => evs.filter((e) => e.kind === 'data').length;
const startsHttp = (b: Buffer, what: string): boolean => b.subarray(0, what.length).toString('latin1') === what;

describe('why a TLS connection cannot be decrypted', () => {
  it('a key that is not the certificate\'s gives key-mismatch, and no plaintext', async () => {
    const out = runLayer({ rsaKeys: [rsaEntry('wrong.rsa.pem')] }, await streamEvents(RSA_CBC));
    expect(verdicts(out)).toEqual(['key-mismatch']);
    expect(dataCount(out)).toBe(0);
  });

  it('no key and no key log gives no-key', async () => {
    expect(verdicts(runLayer({ rsaKeys: [] }, await streamEvents(RSA_CBC)))).toEqual(['no-key']);
  });

  it('a scope chooses keys, but a key that matches the certificate is used whatever its scope (as tshark does)', async () => {
    const evs = await streamEvents(RSA_CBC);
    expect(verdicts(runLayer({ rsaKeys: [rsaEntry('wrong.rsa.pem', '10.99.2.90:8443')] }, evs))).toEqual(['no-key']);
    expect(verdicts(runLayer({ rsaKeys: [rsaEntry('wrong.rsa.pem', SERVER)] }, evs))).toEqual(['key-mismatch']);
    const elsewhere = runLayer({ rsaKeys: [rsaEntry('wrong.rsa.pem', SERVER), rsaEntry('server.rsa.pem', '10.1.1.1:8443')] }, evs);
    expect(verdicts(elsewhere)).toEqual([]);
    expect(startsHttp(plaintext(elsewhere, 'c2s'), 'POST /RequestHandler/ucdevice.upx')).toBe(true);
    const out = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem', SERVER)] }, evs);
    expect(verdicts(out)).toEqual([]);
    expect(startsHttp(plaintext(out, 'c2s'), 'POST /RequestHandler/ucdevice.upx')).toBe(true);
  });

  it('ECDHE with only an RSA key needs a key log; with a key log lacking the session it is no-key', async () => {
    const evs = await streamEvents(ECDHE);
    expect(verdicts(runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, evs))).toEqual(['needs-key-log']);
    const other = new KeyLog();
    other.addFromText(`CLIENT_RANDOM ${'00'.repeat(32)} ${'11'.repeat(48)}`);
    expect(verdicts(runLayer({ rsaKeys: [], keyLog: other }, evs))).toEqual(['no-key']);
  });

  it('the Device Update Service check-in over ECDHE: needs-key-log, pointing at the ClientHello; its key log opens it', async () => {
    const evs = await streamEvents('dus-tls-undecryptable.pcap');
    const out = runLayer({ rsaKeys: [] }, evs);
    expect(out.filter((e) => e.kind === 'tls-undecryptable')).toMatchObject([{ reason: 'needs-key-log', frame: 6, clientHelloFrame: 4 }]);
    const opened = runLayer({ rsaKeys: [], keyLog: keyLogOf('make/dus/tls-undecryptable.keylog') }, evs);
    expect(verdicts(opened)).toEqual([]);
    expect(startsHttp(plaintext(opened, 'c2s'), 'POST /RequestHandler/ucdevice.upx')).toBe(true);
    expect(startsHttp(plaintext(opened, 's2c'), 'HTTP/1.1 200')).toBe(true);
  });

  it('TLS 1.3 without a key log needs one, whatever RSA key is given', async () => {
    expect(verdicts(runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, await streamEvents(TLS13)))).toEqual(['needs-key-log']);
  });

  it('a logged master secret that is wrong fails on the Finished record: decrypt-failed, not garbage', async () => {
    const evs = await streamEvents(ECDHE);
    const text = readFileSync(`${KEYS}../../../${ECDHE.replace('.pcap', '.keylog')}`, 'utf8');
    const bad = new KeyLog();
    // Flip the last hex digit of every secret.
    bad.addFromText(text.replace(/([0-9a-f])$/gm, (d) => (d === '0' ? '1' : '0')));
    const out = runLayer({ rsaKeys: [], keyLog: bad }, evs);
    expect(verdicts(out)).toEqual(['decrypt-failed']);
    expect(dataCount(out)).toBe(0);
  });

  it('a capture that lost the ClientHello says handshake-missing', async () => {
    const evs = (await streamEvents(RSA_CBC)).map((e): StreamEvent =>
      e.kind === 'data' && e.dir === 'c2s' && e.offset === 0 ? { kind: 'gap', flow: e.flow, dir: e.dir, offset: 0, length: e.bytes.length, frame: e.spans[0].frame } : e,
    );
    const out = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, evs);
    expect(verdicts(out)).toEqual(['handshake-missing']);
    expect(dataCount(out)).toBe(0);
  });
});

describe('keys and key sources', () => {
  it('PKCS#1, PKCS#8, encrypted PEM (both kinds), PKCS#12 (modern and legacy) and the key log all give the same plaintext', async () => {
    const evs = await streamEvents(RSA_CBC);
    const ref = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, evs);
    const want = [plaintext(ref, 'c2s'), plaintext(ref, 's2c')];
    expect(want[0].length).toBeGreaterThan(100);
    const p12 = (f: string) => {
      const r = loadPkcs12Key(readFileSync(KEYS + f), 'upxray', f);
      if (!r.ok) throw new Error(r.detail);
      return r.value;
    };
    const keys = [rsaKey('server.pkcs8.pem'), rsaKey('server.enc.pem', 'upxray'), rsaKey('server.rsa-enc.pem', 'upxray'), p12('server.p12'), p12('server-legacy.p12')];
    for (const key of keys) {
      const out = runLayer({ rsaKeys: [{ key }] }, evs);
      expect([plaintext(out, 'c2s'), plaintext(out, 's2c')]).toEqual(want);
    }
    const viaLog = runLayer({ rsaKeys: [], keyLog: keyLogOf(RSA_CBC.replace('.pcap', '.keylog')) }, evs);
    expect([plaintext(viaLog, 'c2s'), plaintext(viaLog, 's2c')]).toEqual(want);
    expect(viaLog.find((e) => e.kind === 'tls-info')).toMatchObject({ keySource: 'key-log' });
  });

  it('a wrong PKCS#12 password is reported, not thrown', () => {
    const r = loadPkcs12Key(readFileSync(KEYS + 'server-legacy.p12'), 'wrong');
    expect(r.ok ? '' : r.code).toBe('tls.pkcs12-bad-password');
  });

  it('tls-info names version, IANA suite, key source and resumption', async () => {
    const out = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem', SERVER)] }, await streamEvents('tls-12-resume-session-id.pcap'));
    const infos = out.filter((e) => e.kind === 'tls-info');
    expect(infos.map((i) => i.kind === 'tls-info' && [i.version, i.keySource, i.resumed])).toEqual([
      ['TLS 1.2', 'rsa-key', false],
      ['TLS 1.2', 'rsa-key', true],
    ]);
    expect(infos[0].kind === 'tls-info' && infos[0].cipherSuite).toMatch(/^TLS_RSA_WITH_/);
    const t13 = runLayer({ rsaKeys: [], keyLog: keyLogOf(TLS13.replace('.pcap', '.keylog')) }, await streamEvents(TLS13));
    expect(t13.find((e) => e.kind === 'tls-info')).toMatchObject({ version: 'TLS 1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', keySource: 'key-log' });
  });

  it('a resumed session whose full handshake is not in the capture is handshake-missing', async () => {
    const evs = await streamEvents('tls-12-resume-session-id.pcap');
    const second = evs.find((e) => e.kind === 'open' && e.flow.index === 1)!.flow;
    const out = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, evs.filter((e) => e.flow === second));
    expect(verdicts(out)).toEqual(['handshake-missing']);
  });
});

describe('segmentation, loss and corruption', () => {
  const summary = (evs: SessionEvent[]) =>
    evs.flatMap((e) => (e.kind === 'data' ? [[e.dir, e.offset, Buffer.from(e.bytes).toString('hex'), e.spans.map((s) => [s.frame, s.streamOffset, s.length])]] : e.kind === 'tls-info' ? [[e.kind, e.frame]] : []));

  it('delivers the same plaintext, offsets and frames however TCP cut the stream', async () => {
    for (const [file, keys] of [
      [RSA_CBC, { rsaKeys: [rsaEntry('server.rsa.pem')] }],
      ['tls-12-large-request.pcap', { rsaKeys: [rsaEntry('server.rsa.pem')] }],
      [TLS13, { rsaKeys: [], keyLog: keyLogOf(TLS13.replace('.pcap', '.keylog')) }],
    ] as const) {
      const evs = await streamEvents(file);
      const want = summary(runLayer(keys, evs));
      for (const size of [1, 7, 1000]) expect(summary(runLayer(keys, resegment(evs, size)))).toEqual(want);
    }
  });

  it('a stream cut at any byte never throws and delivers a prefix of the plaintext', async () => {
    const evs = await streamEvents(RSA_CBC);
    const keys = { rsaKeys: [rsaEntry('server.rsa.pem')] };
    const full = runLayer(keys, evs);
    for (const dir of ['c2s', 's2c'] as const) {
      const total = evs.reduce((n, e) => (e.kind === 'data' && e.dir === dir ? n + e.bytes.length : n), 0);
      const want = plaintext(full, dir);
      // Every byte of the handshake's first records, then every 5th (each run is a whole session).
      for (let cut = 0; cut <= total; cut += cut < 400 ? 1 : 5) {
        const cutEvs = evs.flatMap((e): StreamEvent[] => {
          if (e.kind !== 'data' || e.dir !== dir || e.offset + e.bytes.length <= cut) return [e];
          if (e.offset >= cut) return [];
          return [{ ...e, bytes: e.bytes.subarray(0, cut - e.offset), spans: e.spans }];
        });
        let out: SessionEvent[] = [];
        expect(() => (out = runLayer(keys, cutEvs))).not.toThrow();
        const got = plaintext(out, dir);
        expect(want.subarray(0, got.length).equals(got)).toBe(true);
      }
    }
  });

  it('bytes lost inside an AEAD record become a gap of exactly its plaintext length, and later records still decrypt', async () => {
    const evs = await streamEvents(RSA_GCM);
    const keys = { rsaKeys: [rsaEntry('server.rsa.pem')] };
    const full = runLayer(keys, evs);
    const request = full.find((e) => e.kind === 'data' && e.dir === 'c2s')!;
    expect(request.kind).toBe('data');
    const reqLen = request.kind === 'data' ? request.bytes.length : 0;
    // Cut 100 bytes out of the middle of the TCP segment carrying the request record.
    const cut = evs.flatMap((e): StreamEvent[] => {
      if (e.kind !== 'data' || e.dir !== 'c2s' || e.bytes.length < reqLen) return [e];
      const f = e.spans[0].frame;
      return [
        { ...e, bytes: e.bytes.subarray(0, 200), spans: [{ ...e.spans[0], length: 200 }] },
        { kind: 'gap', flow: e.flow, dir: 'c2s', offset: e.offset + 200, length: 100, frame: f },
        { ...e, offset: e.offset + 300, bytes: e.bytes.subarray(300), spans: [{ ...e.spans[0], streamOffset: e.offset + 300, length: e.bytes.length - 300 }] },
      ];
    });
    const out = runLayer(keys, cut);
    const gaps = out.filter((e): e is TlsGapEvent => e.kind === 'gap');
    expect(gaps.map((g) => [g.dir, g.offset, g.length, g.lengthExact])).toEqual([['c2s', 0, reqLen, true]]);
    expect(plaintext(out, 's2c').equals(plaintext(full, 's2c'))).toBe(true);
    // The client's close_notify after the lost record still opens: the sequence number was kept.
    expect(out.some((e) => e.kind === 'tls-alert' && e.dir === 'c2s' && e.name === 'close_notify')).toBe(true);
  });

  it('a segment lost inside a CBC record: the padding in the captured last block gives the exact plaintext length', async () => {
    const evs = await streamEvents('tls-12-large-request.pcap');
    const keys = { rsaKeys: [rsaEntry('server.rsa.pem')] };
    const full = runLayer(keys, evs);
    const want = plaintext(full, 'c2s');
    // Frame 12 is inside the request's first 16 KB record (frames 10-24).
    const lost = evs.map((e): StreamEvent =>
      e.kind === 'data' && e.spans.some((s) => s.frame === 12) ? { kind: 'gap', flow: e.flow, dir: e.dir, offset: e.offset, length: e.bytes.length, frame: 12 } : e,
    );
    const out = runLayer(keys, lost);
    const gaps = out.filter((e): e is TlsGapEvent => e.kind === 'gap');
    expect(gaps.map((g) => [g.dir, g.offset, g.lengthExact])).toEqual([['c2s', 0, true]]);
    // What follows the gap sits at the same plaintext offsets as without the loss.
    const after = out.filter((e) => e.kind === 'data' && e.dir === 'c2s');
    expect(after.length).toBeGreaterThan(0);
    for (const e of after) if (e.kind === 'data') expect(Buffer.from(e.bytes).equals(want.subarray(e.offset, e.offset + e.bytes.length))).toBe(true);
    expect(gaps[0].length + after.reduce((n, e) => n + (e.kind === 'data' ? e.bytes.length : 0), 0)).toBe(want.length);
  });

  it('after a lost record header an AEAD stream finds the next record and its sequence number', async () => {
    const evs = await streamEvents(TLS13);
    const keys = { rsaKeys: [], keyLog: keyLogOf(TLS13.replace('.pcap', '.keylog')) };
    const full = runLayer(keys, evs);
    const reqEvent = evs.filter((e) => e.kind === 'data' && e.dir === 'c2s').sort((a, b) => (b.kind === 'data' ? b.bytes.length : 0) - (a.kind === 'data' ? a.bytes.length : 0))[0];
    const lost = evs.map((e): StreamEvent => (e === reqEvent && e.kind === 'data' ? { kind: 'gap', flow: e.flow, dir: e.dir, offset: e.offset, length: e.bytes.length, frame: e.spans[0].frame } : e));
    const out = runLayer(keys, lost);
    expect(out.some((e) => e.kind === 'gap' && e.dir === 'c2s')).toBe(true);
    expect(out.some((e) => e.kind === 'tls-alert' && e.dir === 'c2s' && e.name === 'close_notify')).toBe(true);
    expect(plaintext(out, 's2c').equals(plaintext(full, 's2c'))).toBe(true);
  });

  it('RC4 cannot resume after a lost header: the direction stops with tls.lost-sync, nothing thrown', async () => {
    const evs = await streamEvents(RC4);
    const keys = { rsaKeys: [rsaEntry('server.rsa.pem')] };
    const reqEvent = evs.find((e) => e.kind === 'data' && e.dir === 'c2s' && e.bytes.length > 300 && e.bytes[0] === 23)!;
    const lost = evs.map((e): StreamEvent => (e === reqEvent && e.kind === 'data' ? { kind: 'gap', flow: e.flow, dir: e.dir, offset: e.offset, length: e.bytes.length, frame: e.spans[0].frame } : e));
    const out = runLayer(keys, lost);
    expect(verdicts(out)).toEqual([]);
    expect(out.some((e) => e.kind === 'anomaly' && e.code === 'tls.lost-sync')).toBe(true);
    expect(startsHttp(plaintext(out, 's2c'), 'HTTP/1.1 200')).toBe(true);
  });

  it('a flipped byte in an application record is a tls.decrypt-failed anomaly and a gap; random flips never throw', async () => {
    const evs = await streamEvents(RSA_CBC);
    const keys = { rsaKeys: [rsaEntry('server.rsa.pem')] };
    const resp = evs.filter((e) => e.kind === 'data' && e.dir === 's2c').at(-2)!; // the response record, before the close_notify
    const flipped = evs.map((e): StreamEvent => {
      if (e !== resp || e.kind !== 'data') return e;
      const b = e.bytes.slice();
      b[b.length - 40] ^= 1;
      return { ...e, bytes: b };
    });
    const out = runLayer(keys, flipped);
    expect(out.filter((e) => e.kind === 'anomaly' && e.code.startsWith('tls.')).map((e) => e.kind === 'anomaly' && e.code)).toEqual(['tls.decrypt-failed']);
    expect(out.some((e) => e.kind === 'gap' && e.dir === 's2c')).toBe(true);
    expect(startsHttp(plaintext(out, 'c2s'), 'POST')).toBe(true);
    let seed = 99;
    const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const dataIdx = evs.flatMap((e, i) => (e.kind === 'data' ? [i] : []));
    for (let t = 0; t < 200; t++) {
      const i = dataIdx[rnd(dataIdx.length)];
      const e = evs[i];
      if (e.kind !== 'data') continue;
      const b = e.bytes.slice();
      b[rnd(b.length)] ^= 1 << rnd(8);
      const mutated = evs.slice();
      mutated[i] = { ...e, bytes: b };
      expect(() => runLayer(keys, mutated)).not.toThrow();
    }
  });
});

describe('roles', () => {
  it('when the reassembler guessed the client wrong (no SYN), the ClientHello decides who is the TLS client', async () => {
    const evs = await streamEvents(RSA_CBC);
    const f0 = evs[0].flow;
    const flow = { ...f0, client: f0.server, server: f0.client, sawSyn: false };
    const flip = (d: 'c2s' | 's2c') => (d === 'c2s' ? 's2c' : 'c2s');
    const swapped = evs.map((e): StreamEvent => (e.kind === 'open' ? { ...e, flow } : { ...e, flow, dir: flip(e.dir) }));
    const out = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem', SERVER)] }, swapped);
    expect(verdicts(out)).toEqual([]);
    // The request is still the bytes the TLS client sent, now labelled s2c.
    expect(startsHttp(plaintext(out, 's2c'), 'POST /RequestHandler/ucdevice.upx')).toBe(true);
    expect(startsHttp(plaintext(out, 'c2s'), 'HTTP/1.1 200')).toBe(true);
  });
});

describe('pass-through and memory', () => {
  it('a plain HTTP connection comes out as the very same events', async () => {
    const evs = await streamEvents('dus-healthy.pcap');
    const out = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, evs);
    expect(out.length).toBe(evs.length);
    out.forEach((e, i) => expect(e).toBe(evs[i]));
  });

  it('drops a flow\'s state when both directions end', async () => {
    const layer = new TlsSessionLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] });
    for (const e of await streamEvents('tls-demo.pcap')) layer.accept(e);
    expect(layer['flows'].size).toBe(0);
  });
});

describe('SSL 2.0-format ClientHello', () => {
  it('an old client opening with an SSL 2.0 hello is followed: its challenge is the client random', async () => {
    // tls-10 (no EMS, like IIS 7) with its ClientHello record replaced by the
    // SSL 2.0 form carrying the same random and suites. The server's keys do
    // not depend on the hello's bytes, so records open; Finished, which hashes
    // them, cannot match the altered transcript.
    const evs = await streamEvents('tls-10-rsa-aes128-sha.pcap');
    const first = evs.find((e) => e.kind === 'data' && e.dir === 'c2s')!;
    if (first.kind !== 'data') throw new Error('no data');
    const rec = first.bytes;
    const body = rec.subarray(9); // record header 5, handshake header 4
    const random = body.subarray(2, 34);
    const sidLen = body[34];
    const suitesLen = (body[35 + sidLen] << 8) | body[36 + sidLen];
    const suites = body.subarray(37 + sidLen, 37 + sidLen + suitesLen);
    const specs = Buffer.concat([...Array(suitesLen / 2).keys()].map((k) => Buffer.from([0, suites[2 * k], suites[2 * k + 1]])));
    const msg = Buffer.concat([Buffer.from([1, 3, 1, specs.length >> 8, specs.length & 0xff, 0, 0, 0, 32]), specs, random]);
    const v2 = Buffer.concat([Buffer.from([0x80 | (msg.length >> 8), msg.length & 0xff]), msg]);
    const rest = rec.subarray(5 + ((rec[3] << 8) | rec[4]));
    const delta = v2.length + rest.length - rec.length;
    const replaced = evs.map((e): StreamEvent => {
      if (e === first) return { ...first, bytes: Buffer.concat([v2, rest]), spans: [{ ...first.spans[0], length: v2.length + rest.length }] };
      if (e.kind === 'data' && e.dir === 'c2s') return { ...e, offset: e.offset + delta, spans: e.spans.map((s) => ({ ...s, streamOffset: s.streamOffset + delta })) };
      return e;
    });
    const out = runLayer({ rsaKeys: [rsaEntry('server.rsa.pem')] }, replaced);
    expect(verdicts(out)).toEqual([]);
    expect(out.flatMap((e) => (e.kind === 'anomaly' && e.code.startsWith('tls.') ? [e.code] : []))).toEqual(['tls.finished-mismatch', 'tls.finished-mismatch']);
    expect(startsHttp(plaintext(out, 'c2s'), 'POST /RequestHandler/ucdevice.upx')).toBe(true);
    expect(startsHttp(plaintext(out, 's2c'), 'HTTP/1.1 200')).toBe(true);
  });
});
