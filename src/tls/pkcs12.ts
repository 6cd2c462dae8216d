// The private key inside a PKCS#12 / .pfx file (RFC 7292), as the Windows
// certificate store exports it. Node cannot read PKCS#12, but it can read the
// piece that matters: the key bag is a PKCS#8 EncryptedPrivateKeyInfo, and
// OpenSSL 3's default provider decrypts both the modern PBES2/AES form and
// the old pbeWithSHA1And3-KeyTripleDES-CBC one. Windows and `openssl -legacy`
// encrypt the certificates with 40-bit RC2, which OpenSSL 3 only has in its
// legacy provider; the certificates are not needed (the key is matched against
// the certificate the server sends), so those bags are skipped unread.
// This is a bounded DER walk: lengths are checked against the bytes present.
import { createPrivateKey } from 'node:crypto';
import { fromKeyObject, type Loaded, type RsaPrivateKey } from './rsa-key.js';

interface Tlv {
  tag: number;
  /** Content start and end offsets. */
  start: number;
  end: number;
}

/** One DER element at `off`, within `limit`; undefined when it does not fit (indefinite lengths are not DER). */
function tlv(b: Uint8Array, off: number, limit: number): Tlv | undefined {
  if (off + 2 > limit) return undefined;
  const tag = b[off];
  let len = b[off + 1];
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) return undefined;
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + b[p + k];
    p += n;
  }
  if (p + len > limit) return undefined;
  return { tag, start: p, end: p + len };
}

/** The children of a constructed element. */
function children(b: Uint8Array, t: Tlv): Tlv[] | undefined {
  const out: Tlv[] = [];
  for (let o = t.start; o < t.end; ) {
    const c = tlv(b, o, t.end);
    if (!c) return undefined;
    out.push(c);
    o = c.end;
    if (out.length > 10_000) return undefined;
  }
  return out;
}

function oid(b: Uint8Array, t: Tlv): string {
  if (t.tag !== 0x06 || t.end <= t.start) return '';
  const parts: number[] = [];
  const first = b[t.start];
  parts.push(Math.floor(first / 40), first % 40);
  let v = 0;
  for (let k = t.start + 1; k < t.end; k++) {
    v = v * 128 + (b[k] & 0x7f);
    if (!(b[k] & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const ID_DATA = '1.2.840.113549.1.7.1';
const ID_ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const BAG_KEY = '1.2.840.113549.1.12.10.1.1';
const BAG_SHROUDED_KEY = '1.2.840.113549.1.12.10.1.2';

/** Content octets of a ContentInfo of type data: [0] EXPLICIT OCTET STRING. */
function dataContent(b: Uint8Array, ci: Tlv): Tlv | undefined {
  const kids = children(b, ci);
  if (!kids || kids.length < 2 || oid(b, kids[0]) !== ID_DATA || kids[1].tag !== 0xa0) return undefined;
  const os = tlv(b, kids[1].start, kids[1].end);
  return os && os.tag === 0x04 ? os : undefined;
}

/**
 * Loads the first RSA private key of a PKCS#12 file. `password` opens the
 * key bag (the PKCS#12 integrity MAC is not checked: a wrong password fails
 * on the key itself).
 */
export function loadPkcs12Key(data: Uint8Array, password: string, label = 'pkcs12'): Loaded<RsaPrivateKey> {
  const bad = (detail: string): Loaded<RsaPrivateKey> => ({ ok: false, code: 'tls.pkcs12-unreadable', detail: `${label}: ${detail}` });
  const pfx = tlv(data, 0, data.length);
  const top = pfx && pfx.tag === 0x30 ? children(data, pfx) : undefined;
  if (!top || top.length < 2) return bad('not a PKCS#12 file');
  const authSafe = dataContent(data, top[1]);
  if (!authSafe) return bad('the authenticated safe is not plain data (public-key integrity mode is not supported)');
  const seq = tlv(data, authSafe.start, authSafe.end);
  const infos = seq && seq.tag === 0x30 ? children(data, seq) : undefined;
  if (!infos) return bad('malformed authenticated safe');
  let sawEncrypted = false;
  let lastError = '';
  for (const ci of infos) {
    const kids = children(data, ci);
    if (kids && kids.length > 0 && oid(data, kids[0]) === ID_ENCRYPTED_DATA) {
      sawEncrypted = true; // certificates, in the usual layout
      continue;
    }
    const content = dataContent(data, ci);
    if (!content) continue;
    const bagsSeq = tlv(data, content.start, content.end);
    const bags = bagsSeq && bagsSeq.tag === 0x30 ? children(data, bagsSeq) : undefined;
    for (const bag of bags ?? []) {
      const parts = children(data, bag);
      if (!parts || parts.length < 2 || parts[1].tag !== 0xa0) continue;
      const id = oid(data, parts[0]);
      if (id !== BAG_KEY && id !== BAG_SHROUDED_KEY) continue;
      const value = tlv(data, parts[1].start, parts[1].end);
      if (!value) continue;
      // The bag value's full DER element (header included) is the PKCS#8 structure.
      const headerLen = value.start - parts[1].start;
      const der = Buffer.from(data.subarray(value.start - headerLen, value.end));
      try {
        const key = createPrivateKey(
          id === BAG_KEY ? { key: der, format: 'der', type: 'pkcs8' } : { key: der, format: 'der', type: 'pkcs8', passphrase: password },
        );
        return fromKeyObject(key, label);
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
      }
    }
  }
  if (lastError) return { ok: false, code: 'tls.pkcs12-bad-password', detail: `${label}: the key bag does not open with this password (${lastError})` };
  return bad(sawEncrypted ? 'no key outside the encrypted bags (keys inside encrypted data are not supported)' : 'no private key in the file');
}
