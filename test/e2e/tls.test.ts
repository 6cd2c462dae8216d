// HTTPS check-ins, decrypted with the server's key or a key log, go through the
// same HTTP and ucdevice.upx analysis as plain HTTP; without keys, upxray says
// why it cannot read them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPTURES, cli } from '../helpers/cli.js';

const KEYS = join(CAPTURES, 'make/tls/keys');
const RSA = join(KEYS, 'server.rsa.pem');

type Doc = {
  findings: Array<{ code: string; severity: string; evidence: { frames: number[] }; message: string }>;
  exchanges: Array<{ kind: string; tls?: { version: string; cipherSuite: string; keySource: string } }>;
};

async function analyze(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; doc: Doc; stderr: string }> {
  const r = await cli(['analyze', '--json', ...args], undefined, env);
  return { code: r.code, doc: r.code === 0 ? (JSON.parse(r.stdout) as Doc) : ({} as Doc), stderr: r.stderr };
}

const summary = (d: Doc) => d.findings.map((f) => `${f.severity} ${f.code}`).sort();

describe('the seed story over HTTPS', () => {
  it('gives the same findings as over plain HTTP when the RSA key is given', async () => {
    const plain = await analyze([join(CAPTURES, 'dus-demo.pcap')]);
    const tls = await analyze(['--rsa-key', RSA, join(CAPTURES, 'tls-demo.pcap')]);
    expect(tls.code).toBe(0);
    expect(summary(tls.doc)).toEqual(summary(plain.doc));
    const checkIns = tls.doc.exchanges.filter((x) => x.kind === 'check-in');
    expect(checkIns).toHaveLength(3);
    for (const x of checkIns) expect(x.tls).toMatchObject({ version: 'TLS 1.0', keySource: 'rsa-key' });
  });

  it('without a key, says the check-ins cannot be read and why', async () => {
    const { doc } = await analyze([join(CAPTURES, 'tls-demo.pcap')]);
    expect(doc.exchanges.filter((x) => x.kind === 'check-in')).toHaveLength(0);
    const tls = doc.findings.filter((f) => f.code === 'tls-undecryptable');
    expect(tls).toHaveLength(3);
    for (const f of tls) expect(f.message).toMatch(/no key was given/);
  });
});

describe('key sources', () => {
  const capture = join(CAPTURES, 'tls-12-ecdhe-rsa-aes128-gcm-sha256.pcap');
  const keylog = join(CAPTURES, 'tls-12-ecdhe-rsa-aes128-gcm-sha256.keylog');

  it('(EC)DHE with only the RSA key: needs a key log', async () => {
    const { doc } = await analyze(['--rsa-key', RSA, capture]);
    expect(doc.findings.map((f) => f.code)).toContain('tls-undecryptable');
    expect(doc.findings.find((f) => f.code === 'tls-undecryptable')!.message).toMatch(/only a key log/);
  });

  it('--keylog opens it, and so does SSLKEYLOGFILE', async () => {
    for (const run of [await analyze(['--keylog', keylog, capture]), await analyze([capture], { SSLKEYLOGFILE: keylog })]) {
      expect(run.doc.findings.map((f) => f.code)).not.toContain('tls-undecryptable');
      expect(run.doc.exchanges.filter((x) => x.kind === 'check-in')).toHaveLength(1);
      expect(run.doc.exchanges[0].tls).toMatchObject({ version: 'TLS 1.2', keySource: 'key-log' });
    }
  });

  it('a key log embedded in the pcapng (DSB) needs no option', async () => {
    const { doc } = await analyze([join(CAPTURES, 'tls-keylog-embedded.pcapng')]);
    expect(doc.exchanges.filter((x) => x.kind === 'check-in')).toHaveLength(1);
    expect(doc.exchanges[0].tls?.keySource).toBe('dsb');
  });

  it('a key that does not match the certificate is reported as such', async () => {
    const { doc } = await analyze(['--rsa-key', join(KEYS, 'wrong.rsa.pem'), join(CAPTURES, 'tls-10-rsa-aes128-sha.pcap')]);
    expect(doc.findings.find((f) => f.code === 'tls-undecryptable')!.message).toMatch(/does not match the server's certificate/);
  });

  it.each([
    ['server.p12', ['--password', 'upxray']],
    ['server-legacy.p12', ['--password', 'upxray']],
    ['server.pkcs8.pem', []],
  ])('reads the key from %s', async (file, extra) => {
    const { code, doc } = await analyze(['--rsa-key', join(KEYS, file), ...extra, join(CAPTURES, 'tls-10-rsa-aes128-sha.pcap')]);
    expect(code).toBe(0);
    expect(doc.exchanges.filter((x) => x.kind === 'check-in')).toHaveLength(1);
  });

  it('an unreadable key file is one line and exit 2', async () => {
    for (const args of [['--rsa-key', join(KEYS, 'no-such.pem')], ['--rsa-key', join(CAPTURES, 'dus-demo.pcap')]]) {
      const r = await analyze([...args, join(CAPTURES, 'tls-10-rsa-aes128-sha.pcap')]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
