// The server's RSA private key, for TLS sessions that use RSA key exchange
// (the client encrypts the pre-master secret to the certificate's key, RFC 5246
// 7.4.7.1). Keys load from PEM (PKCS#1, PKCS#8, encrypted PEM) or DER through
// node:crypto, and may be scoped to a server `ip:port` as in Wireshark's RSA
// keys list. Node 20 refuses PKCS#1 v1.5 decryption in privateDecrypt, so the
// pre-master secret is decrypted as raw RSA and the padding (RFC 8017 7.2.2)
// is checked here; a passive analyzer need not be constant-time.
import { constants, createPrivateKey, privateDecrypt, type KeyObject } from 'node:crypto';
import { stripZeros } from './handshake.js';

/** A loaded RSA private key. */
export interface RsaPrivateKey {
  key: KeyObject;
  /** Big-endian modulus without leading zeros, to match against certificates. */
  modulus: Uint8Array;
  /** Where it came from (file name), for messages. */
  label: string;
}

/** A key and where it applies: undefined ip or port means any. */
export interface RsaKeyEntry {
  key: RsaPrivateKey;
  ip?: string;
  port?: number;
}

export type Loaded<T> = { ok: true; value: T } | { ok: false; code: string; detail: string };

/**
 * Loads a PEM or DER private key. `password` opens encrypted PEM and encrypted
 * PKCS#8 DER. PKCS#12 is handled by `loadPkcs12Key`.
 */
export function loadRsaKey(data: Uint8Array | string, opts: { password?: string; label?: string } = {}): Loaded<RsaPrivateKey> {
  const label = opts.label ?? 'key';
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  const isPem = text.includes('-----BEGIN');
  if (isPem && text.includes('ENCRYPTED') && opts.password === undefined)
    return { ok: false, code: 'tls.key-needs-password', detail: `${label}: the key is encrypted; give its password` };
  const attempts: Array<Parameters<typeof createPrivateKey>[0]> = isPem
    ? [{ key: text, format: 'pem', passphrase: opts.password }]
    : [
        { key: Buffer.from(data as Uint8Array), format: 'der', type: 'pkcs8', passphrase: opts.password },
        { key: Buffer.from(data as Uint8Array), format: 'der', type: 'pkcs1' },
      ];
  let last = '';
  for (const a of attempts) {
    try {
      return fromKeyObject(createPrivateKey(a), label);
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
  }
  return { ok: false, code: 'tls.key-unreadable', detail: `${label}: ${last}` };
}

/** Wraps a KeyObject, insisting on RSA. */
export function fromKeyObject(key: KeyObject, label: string): Loaded<RsaPrivateKey> {
  if (key.asymmetricKeyType !== 'rsa') return { ok: false, code: 'tls.key-not-rsa', detail: `${label}: a ${key.asymmetricKeyType ?? 'non-asymmetric'} key, not RSA` };
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.n !== 'string') return { ok: false, code: 'tls.key-unreadable', detail: `${label}: no modulus` };
  return { ok: true, value: { key, modulus: stripZeros(new Uint8Array(Buffer.from(jwk.n, 'base64url'))), label } };
}

/**
 * Parses Wireshark-style scopes: `ip:port`, `[v6]:port`, `any:port`, `ip`
 * alone, or empty for any. Returns null for text it cannot read.
 */
export function parseKeyScope(scope: string): { ip?: string; port?: number } | null {
  const s = scope.trim();
  if (s === '' || s === 'any' || s === '*') return {};
  let host = s;
  let port: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) {
    host = v6[1];
    port = v6[2];
  } else if ((s.match(/:/g) ?? []).length === 1) {
    [host, port] = s.split(':');
  }
  const out: { ip?: string; port?: number } = {};
  if (host !== '' && host !== 'any' && host !== '*' && host !== '0.0.0.0') out.ip = host.toLowerCase();
  if (port !== undefined && port !== '' && port !== 'any' && port !== '*') {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 0 || n > 65535) return null;
    out.port = n;
  }
  return out;
}

/** The entries that may apply to a server endpoint, most specific first. */
export function keysForServer(entries: readonly RsaKeyEntry[], ip: string, port: number): RsaKeyEntry[] {
  const fit = entries.filter((e) => (e.ip === undefined || e.ip === ip.toLowerCase()) && (e.port === undefined || e.port === port));
  const rank = (e: RsaKeyEntry): number => (e.ip !== undefined ? 2 : 0) + (e.port !== undefined ? 1 : 0);
  return fit.sort((a, b) => rank(b) - rank(a));
}

export type PremasterResult = { ok: true; premaster: Uint8Array; versionMatches: boolean } | { ok: false; code: 'tls.rsa-decrypt-failed' | 'tls.rsa-bad-padding'; detail: string };

/**
 * Decrypts an RSA-encrypted pre-master secret and removes the PKCS#1 v1.5
 * padding: 00 02, at least 8 nonzero bytes, 00, then 48 bytes whose first two
 * are the ClientHello version (RFC 5246 7.4.7.1). `clientVersion` and
 * `negotiatedVersion` are both accepted there, as some old clients send the latter.
 */
export function decryptPremaster(key: RsaPrivateKey, encrypted: Uint8Array, clientVersion: number, negotiatedVersion: number): PremasterResult {
  const k = key.modulus.length;
  if (encrypted.length > k + 1 || encrypted.length === 0)
    return { ok: false, code: 'tls.rsa-decrypt-failed', detail: `encrypted pre-master secret of ${encrypted.length} bytes does not fit a ${k * 8}-bit key` };
  // Raw RSA wants exactly k bytes: left-pad short values, drop one leading zero.
  let input = stripZeros(encrypted);
  if (input.length > k) return { ok: false, code: 'tls.rsa-decrypt-failed', detail: 'encrypted value is larger than the modulus' };
  if (input.length < k) {
    const padded = new Uint8Array(k);
    padded.set(input, k - input.length);
    input = padded;
  }
  let em: Uint8Array;
  try {
    em = new Uint8Array(privateDecrypt({ key: key.key, padding: constants.RSA_NO_PADDING }, Buffer.from(input)));
  } catch (e) {
    return { ok: false, code: 'tls.rsa-decrypt-failed', detail: e instanceof Error ? e.message : String(e) };
  }
  if (em.length !== k || em[0] !== 0 || em[1] !== 2) return { ok: false, code: 'tls.rsa-bad-padding', detail: 'decrypted block does not start 00 02' };
  let sep = 2;
  while (sep < em.length && em[sep] !== 0) sep++;
  if (sep >= em.length || sep - 2 < 8) return { ok: false, code: 'tls.rsa-bad-padding', detail: 'padding string too short or unterminated' };
  const premaster = em.slice(sep + 1);
  if (premaster.length !== 48) return { ok: false, code: 'tls.rsa-bad-padding', detail: `pre-master secret of ${premaster.length} bytes, not 48` };
  const v = (premaster[0] << 8) | premaster[1];
  return { ok: true, premaster, versionMatches: v === clientVersion || v === negotiatedVersion };
}
