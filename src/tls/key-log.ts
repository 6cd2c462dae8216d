// NSS key log format (the SSLKEYLOGFILE that browsers, curl, OpenSSL and
// Node's 'keylog' event write; also the content of a pcapng Decryption Secrets
// Block). One secret per line: `LABEL <client_random hex> <secret hex>`.
// TLS 1.0-1.2 use CLIENT_RANDOM (the 48-byte master secret); TLS 1.3 logs the
// traffic secrets of RFC 8446 7.1 under their own labels. Comments (#), blank
// lines and CRLF are tolerated; bad lines are counted, not fatal.

/** Where a secret came from: a key log file or a pcapng Decryption Secrets Block. */
export type KeyLogOrigin = 'key-log' | 'dsb';

export type Tls13SecretLabel =
  | 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'
  | 'SERVER_HANDSHAKE_TRAFFIC_SECRET'
  | 'CLIENT_TRAFFIC_SECRET_0'
  | 'SERVER_TRAFFIC_SECRET_0'
  | 'CLIENT_EARLY_TRAFFIC_SECRET'
  | 'EXPORTER_SECRET';

const TLS13_LABELS = new Set<string>([
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0',
  'SERVER_TRAFFIC_SECRET_0',
  'CLIENT_EARLY_TRAFFIC_SECRET',
  'EXPORTER_SECRET',
]);

/** The secrets known for one client random. */
export interface SessionSecrets {
  /** TLS 1.0-1.2 master secret (CLIENT_RANDOM). */
  masterSecret?: Uint8Array;
  tls13: Partial<Record<Tls13SecretLabel, Uint8Array>>;
  origin: KeyLogOrigin;
}

/** What decryption asks of a key source. */
export interface KeySource {
  /** Secrets logged for this ClientHello random, if any. */
  lookup(clientRandom: Uint8Array): SessionSecrets | undefined;
  /** Pre-master secret logged by `RSA <first 8 bytes of encrypted pms> <pms>` lines. */
  lookupRsaPremaster(encryptedPremaster: Uint8Array): Uint8Array | undefined;
  /** Whether any secret is known at all (an empty log is no key log to the user). */
  isEmpty(): boolean;
}

export interface KeyLogStats {
  lines: number;
  secrets: number;
  /** Lines that were neither comments nor valid secrets. */
  badLines: number;
  /** Lines ignored because the log was full. */
  dropped: number;
}

/** Bounds: a key log is small; a huge one is a mistake or hostile. */
export const MAX_KEYLOG_ENTRIES = 1_000_000;
const MAX_LINE = 1024;

export class KeyLog implements KeySource {
  private readonly byRandom = new Map<string, SessionSecrets>();
  private readonly rsa = new Map<string, Uint8Array>();
  readonly stats: KeyLogStats = { lines: 0, secrets: 0, badLines: 0, dropped: 0 };

  isEmpty(): boolean {
    return this.stats.secrets === 0;
  }

  /** Parses `text` in the NSS key log format and adds its secrets. Returns how many were added. */
  addFromText(text: string, origin: KeyLogOrigin = 'key-log'): number {
    let added = 0;
    for (const line of text.split('\n')) {
      if (this.addLine(line.length > MAX_LINE ? '' : line, origin, line.length > MAX_LINE)) added++;
    }
    return added;
  }

  private addLine(rawLine: string, origin: KeyLogOrigin, tooLong: boolean): boolean {
    const line = rawLine.trim();
    if (tooLong) return this.bad();
    if (line === '' || line.startsWith('#')) return false;
    this.stats.lines++;
    const parts = line.split(/\s+/);
    if (parts.length !== 3 || !isHex(parts[1]) || !isHex(parts[2])) {
      this.stats.badLines++;
      return false;
    }
    if (this.byRandom.size + this.rsa.size >= MAX_KEYLOG_ENTRIES) {
      this.stats.dropped++;
      return false;
    }
    const [label, a, b] = parts;
    const key = Buffer.from(a, 'hex');
    const secret = new Uint8Array(Buffer.from(b, 'hex'));
    if (label === 'RSA') {
      if (key.length !== 8 || secret.length !== 48) return this.bad();
      this.rsa.set(key.toString('hex'), secret);
      this.stats.secrets++;
      return true;
    }
    if (key.length !== 32) return this.bad();
    const id = key.toString('hex');
    let entry = this.byRandom.get(id);
    if (label === 'CLIENT_RANDOM') {
      if (secret.length !== 48) return this.bad();
      if (!entry) this.byRandom.set(id, (entry = { tls13: {}, origin }));
      entry.masterSecret = secret;
    } else if (TLS13_LABELS.has(label)) {
      if (secret.length !== 32 && secret.length !== 48) return this.bad();
      if (!entry) this.byRandom.set(id, (entry = { tls13: {}, origin }));
      entry.tls13[label as Tls13SecretLabel] = secret;
    } else {
      return this.bad();
    }
    this.stats.secrets++;
    return true;
  }

  private bad(): false {
    this.stats.badLines++;
    return false;
  }

  lookup(clientRandom: Uint8Array): SessionSecrets | undefined {
    return this.byRandom.get(Buffer.from(clientRandom).toString('hex'));
  }

  lookupRsaPremaster(encryptedPremaster: Uint8Array): Uint8Array | undefined {
    if (encryptedPremaster.length < 8) return undefined;
    return this.rsa.get(Buffer.from(encryptedPremaster.subarray(0, 8)).toString('hex'));
  }

  /** Client randoms known. */
  get size(): number {
    return this.byRandom.size;
  }
}

function isHex(s: string): boolean {
  return s.length % 2 === 0 && s.length > 0 && /^[0-9a-fA-F]+$/.test(s);
}

/** pcapng Decryption Secrets Block type, and its TLS key log secrets type ('TLSK'). */
export const DSB_BLOCK_TYPE = 0x0000000a;
export const DSB_SECRETS_TLS_KEY_LOG = 0x544c534b;

/**
 * The key log text of a Decryption Secrets Block body (the bytes after the
 * block type and length: secrets type, secrets length, secrets, padding;
 * pcapng draft section 4.7), or null when it holds another kind of secret or
 * does not fit. `littleEndian` is the section's byte order.
 */
export function keyLogFromDsb(body: Uint8Array, littleEndian: boolean): string | null {
  if (body.length < 8) return null;
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const type = v.getUint32(0, littleEndian);
  const len = v.getUint32(4, littleEndian);
  if (type !== DSB_SECRETS_TLS_KEY_LOG || len > body.length - 8) return null;
  return Buffer.from(body.subarray(8, 8 + len)).toString('utf8');
}
