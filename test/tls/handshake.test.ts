// Handshake parsing on real messages (the first flight of
// captures/tls-12-rsa-aes128-sha256.pcap and of a TLS 1.3 capture), messages
// split across records, and every truncation of every message parsed without
// an exception.
import { describe, expect, it } from 'vitest';
import {
  HandshakeAssembler,
  HS_CERTIFICATE,
  HS_CLIENT_HELLO,
  HS_SERVER_HELLO,
  MAX_HANDSHAKE_MESSAGE,
  certificateRsaModulus,
  parseCertificateList,
  parseClientHello,
  parseNewSessionTicket12,
  parseRsaClientKeyExchange,
  parseServerHello,
  type HandshakeMessage,
} from '../../src/tls/handshake.js';
import { RecordReader } from '../../src/tls/record.js';
import { rsaKey, streamEvents } from './helpers.js';

/** The plaintext handshake messages of one direction (before encryption starts). */
async function messages(file: string, dir: 'c2s' | 's2c'): Promise<HandshakeMessage[]> {
  const reader = new RecordReader();
  const asm = new HandshakeAssembler();
  const out: HandshakeMessage[] = [];
  for (const e of await streamEvents(file)) {
    if (e.kind !== 'data' || e.dir !== dir || e.flow.index !== 0) continue;
    for (const r of reader.push(e.bytes, e.offset)) {
      if (r.kind !== 'record' || r.type !== 22) continue;
      out.push(...asm.push(r.fragment).messages);
    }
    if (out.some((m) => m.type === 16 || m.type === 14)) break; // ClientKeyExchange / ServerHelloDone
  }
  return out;
}

describe('handshake messages', () => {
  it('reads the TLS 1.2 ClientHello and ServerHello fields decryption needs', async () => {
    const [ch] = await messages('tls-12-rsa-aes128-sha256.pcap', 'c2s');
    const c = parseClientHello(ch.body)!;
    expect(ch.type).toBe(HS_CLIENT_HELLO);
    expect(c.random.length).toBe(32);
    expect(c.cipherSuites).toContain(0x003c);
    const [sh, cert] = await messages('tls-12-rsa-aes128-sha256.pcap', 's2c');
    const s = parseServerHello(sh.body)!;
    expect(sh.type).toBe(HS_SERVER_HELLO);
    expect([s.version, s.cipherSuite, s.helloRetry]).toEqual([0x0303, 0x003c, false]);
    expect(s.extendedMasterSecret).toBe(c.extendedMasterSecret);
    expect(cert.type).toBe(HS_CERTIFICATE);
    const der = parseCertificateList(cert.body, false)!;
    expect(certificateRsaModulus(der[0])).toEqual(rsaKey('server.rsa.pem').modulus);
  });

  it('reads TLS 1.3 from supported_versions and key_share', async () => {
    const [ch] = await messages('tls-13-aes128-gcm-sha256.pcap', 'c2s');
    const c = parseClientHello(ch.body)!;
    expect(c.supportedVersions).toContain(0x0304);
    expect(c.keyShareGroups.length).toBeGreaterThan(0);
    const [sh] = await messages('tls-13-aes128-gcm-sha256.pcap', 's2c');
    const s = parseServerHello(sh.body)!;
    expect([s.legacyVersion, s.version, s.cipherSuite]).toEqual([0x0303, 0x0304, 0x1301]);
  });

  it('joins a message split over records and splits records holding several', async () => {
    const all = await messages('tls-12-rsa-aes128-sha256.pcap', 's2c');
    const joined = Buffer.concat(all.map((m) => m.raw));
    for (const cut of [1, 3, 4, 5, 100, joined.length - 1]) {
      const asm = new HandshakeAssembler();
      const got = [...asm.push(joined.subarray(0, cut)).messages, ...asm.push(joined.subarray(cut)).messages];
      expect(got.map((m) => m.type)).toEqual(all.map((m) => m.type));
      expect(asm.pending).toBe(0);
    }
  });

  it('refuses a message longer than its cap without allocating it', () => {
    const n = MAX_HANDSHAKE_MESSAGE + 1;
    const r = new HandshakeAssembler().push(Uint8Array.from([11, n >> 16, (n >> 8) & 0xff, n & 0xff]));
    expect(r.error?.code).toBe('tls.handshake-too-long');
  });

  it('every truncation of every message parses to null or a value, never a throw', async () => {
    const all = [...(await messages('tls-12-rsa-aes128-sha256.pcap', 'c2s')), ...(await messages('tls-12-rsa-aes128-sha256.pcap', 's2c'))];
    for (const m of all) {
      for (let n = 0; n <= m.body.length; n++) {
        const b = m.body.subarray(0, n);
        expect(() => {
          parseClientHello(b);
          parseServerHello(b);
          parseCertificateList(b, false);
          parseCertificateList(b, true);
          parseRsaClientKeyExchange(b);
          parseNewSessionTicket12(b);
          certificateRsaModulus(b);
        }).not.toThrow();
      }
      if (m.type === HS_CLIENT_HELLO) expect(parseClientHello(m.body.subarray(0, 40))).toBeNull();
    }
  });

  it('takes the ClientKeyExchange with or without its 2-byte length prefix', () => {
    expect(parseRsaClientKeyExchange(Uint8Array.from([0, 3, 7, 8, 9]))).toEqual(Uint8Array.from([7, 8, 9]));
    expect(parseRsaClientKeyExchange(Uint8Array.from([7, 8, 9]))).toEqual(Uint8Array.from([7, 8, 9]));
    expect(parseRsaClientKeyExchange(new Uint8Array(0))).toBeNull();
  });
});
