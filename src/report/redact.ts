// Pseudonyms for a support ticket: MAC and IP addresses, serial numbers, host
// names, user names and SIP URIs are swapped for stand-ins before anything
// leaves the company. One Redactor serves every file of a ticket, so a phone
// keeps one pseudonym in report.md, flows.har, analysis.json and flows.pcapng.
//
// Every pseudonym has exactly the length of what it replaces, in every
// notation (00:21:63:0f:20:7b and 0021630F207B alike), so packet payloads can
// be rewritten byte for byte: TCP sequence numbers, IP lengths and
// Content-Length stay true. Addresses get stand-ins with the same text shape
// (digits per octet, hex digits per IPv6 group), so the binary form in a
// packet header and the text form in a body name the same pseudonym.
//
// Only identifiers the Redactor was told about (from the analysis and from
// packet headers) are replaced: a version string such as 1.0.0.5 looks like an
// IPv4 address and must stay as it is.
import { formatIpv4, formatIpv6 } from '../net/address.js';

/** Labels that name the service, not the company (shared/protocol/ucdevice-upx.md, discovery). */
const PUBLIC_LABELS = new Set(['ucupdates-r2', 'ucupdates', 'www', 'localhost', 'wpad']);
/** Most identifiers remembered; past this a capture is far beyond a ticket's size. */
const MAX_IDENTIFIERS = 200_000;

export type IdentifierKind = 'mac' | 'ipv4' | 'ipv6' | 'serial' | 'host-label' | 'user';

export interface Pseudonym {
  kind: IdentifierKind;
  original: string;
  pseudonym: string;
}

/** Digits 1-f: a base-15 count that never writes a 0, so no IPv6 group gains a leading zero. */
const NONZERO_HEX = '123456789abcdef';

function isSpecialIpv4(ip: string): boolean {
  const first = Number(ip.split('.')[0]);
  return ip === '0.0.0.0' || ip === '255.255.255.255' || first === 127 || (first >= 224 && first <= 239);
}

function isSpecialMac(key: string): boolean {
  // Group (broadcast and multicast) addresses name no device: the I/G bit of the first octet.
  return (parseInt(key.slice(0, 2), 16) & 1) === 1 || key === '000000000000';
}

function isSpecialIpv6(ip: string): boolean {
  return ip === '::' || ip === '::1' || /^ff[0-9a-f]{2}:/i.test(ip);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Put `digits` (hex) into the shape of `shape`: every hex digit replaced in order, separators and case kept. */
function reshapeHex(shape: string, digits: string): string {
  const lower = /[a-f]/.test(shape) && !/[A-F]/.test(shape);
  let i = 0;
  let out = '';
  for (const c of shape) {
    if (/[0-9a-fA-F]/.test(c)) {
      const d = digits[i++] ?? '0';
      out += lower ? d.toLowerCase() : d.toUpperCase();
    } else out += c;
  }
  return out;
}

export function macHex(text: string): string | undefined {
  const s = text.replace(/[\s:.-]/g, '').toUpperCase();
  return /^[0-9A-F]{12}$/.test(s) ? s : undefined;
}

function ipv4Bytes(ip: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? b : undefined;
}

function ipv6Bytes(ip: string): number[] | undefined {
  let text = ip.toLowerCase();
  let tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = ipv4Bytes(v4[2]);
    if (!b) return undefined;
    tail = b;
    text = v4[1] + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  const out: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    const v = parseInt(g, 16);
    out.push(v >> 8, v & 0xff);
  }
  if (tail.length) out.splice(12, 4, ...tail);
  return out;
}

function bytesKey(b: ArrayLike<number>, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(b[off + i]);
  return s;
}

/**
 * The ticket's pseudonym table and the rewriting that uses it. Register
 * identifiers first (add*), then rewrite text and packet bytes; an address
 * met in a packet header is registered as it is rewritten.
 */
export class Redactor {
  private readonly macs = new Map<string, string>(); // 12 upper hex -> 12 upper hex
  private readonly v4 = new Map<string, string>(); // dotted -> dotted
  private readonly v6 = new Map<string, string>(); // canonical lower -> pseudonym text
  private readonly serials = new Map<string, string>(); // upper -> pseudonym
  private readonly labels = new Map<string, string>(); // lower host label -> pseudonym label
  private readonly singleHosts = new Set<string>(); // lower, hosts without a dot
  private readonly users = new Map<string, string>(); // lower -> pseudonym
  private readonly used = new Set<string>();
  private readonly rawMac = new Map<string, Uint8Array>(); // 6-byte binary key -> pseudonym bytes
  private readonly rawV4 = new Map<string, Uint8Array>();
  private readonly rawV6 = new Map<string, Uint8Array>();
  private counts: Record<IdentifierKind, number> = { mac: 0, ipv4: 0, ipv6: 0, serial: 0, 'host-label': 0, user: 0 };
  private size = 0;
  private serialRe: RegExp | undefined;
  private userRe: RegExp | undefined;
  private v6Re: RegExp | undefined;

  /** Register a MAC in any notation; returns its pseudonym (12 upper hex digits), or the input when it is not one to hide. */
  addMac(text: string): string {
    const key = macHex(text);
    if (!key) return text;
    if (isSpecialMac(key)) return key;
    const known = this.macs.get(key);
    if (known) return known;
    if (!this.room()) return key;
    // 00-00-5E-00-53-xx is the IANA block for documentation (RFC 7042 section 2.1.1);
    // past 255, locally administered addresses (02-...).
    let p: string;
    do {
      const n = ++this.counts.mac;
      p = n <= 0xff ? '00005E0053' + n.toString(16).toUpperCase().padStart(2, '0') : '02005E' + n.toString(16).toUpperCase().padStart(6, '0');
    } while (this.used.has('mac:' + p) || this.macs.has(p));
    this.remember('mac:' + p);
    this.macs.set(key, p);
    this.rawMac.set(bytesKey(Buffer.from(key, 'hex'), 0, 6), Buffer.from(p, 'hex'));
    return p;
  }

  /** Register an IPv4 or IPv6 address (as printed by the decoders); returns its pseudonym. */
  addIp(ip: string): string {
    if (ip.includes(':')) return this.addIpv6(ip);
    const b = ipv4Bytes(ip);
    if (!b || isSpecialIpv4(ip)) return ip;
    const canon = b.join('.');
    const known = this.v4.get(canon);
    if (known) return known;
    if (!this.room()) return canon;
    const lens = canon.split('.').map((o) => o.length);
    let p: string;
    do p = ipv4Shaped(lens, ++this.counts.ipv4);
    while (this.used.has('ip:' + p) || this.v4.has(p));
    this.remember('ip:' + p);
    this.v4.set(canon, p);
    this.rawV4.set(bytesKey(b, 0, 4), Uint8Array.from(ipv4Bytes(p)!));
    return p;
  }

  private addIpv6(ip: string): string {
    const canon = ip.toLowerCase();
    const b = ipv6Bytes(canon);
    if (!b || isSpecialIpv6(canon)) return ip;
    const known = this.v6.get(canon);
    if (known) return known;
    if (!this.room()) return canon;
    const mapped = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(canon);
    let p: string;
    if (mapped) p = mapped[1] + this.addIp(mapped[2]);
    else
      do p = ipv6Shaped(canon, ++this.counts.ipv6);
      while (this.used.has('ip:' + p) || this.v6.has(p));
    this.remember('ip:' + p);
    this.v6.set(canon, p);
    this.rawV6.set(bytesKey(b, 0, 16), Uint8Array.from(ipv6Bytes(p)!));
    this.v6Re = undefined;
    return p;
  }

  addSerial(serial: string): string {
    const s = serial.trim();
    if (s.length < 3) return s;
    const known = this.serials.get(s.toUpperCase());
    if (known) return known;
    if (!this.room()) return s;
    let p: string;
    do p = shaped(s, ++this.counts.serial);
    while (this.used.has('serial:' + p.toUpperCase()));
    this.remember('serial:' + p.toUpperCase());
    this.serials.set(s.toUpperCase(), p);
    this.serialRe = undefined;
    return p;
  }

  /** Register a host name: every label but the top-level one is replaced (service names stay). */
  addHost(name: string): string {
    const host = name.trim().replace(/\.$/, '').toLowerCase();
    if (host === '' || ipv4Bytes(host) || host.includes(':') || !/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(host)) return name;
    const labels = host.split('.');
    if (labels.length === 1) this.singleHosts.add(host);
    const last = labels.length > 1 ? labels.length - 1 : labels.length;
    for (let i = 0; i < last; i++) this.addLabel(labels[i]);
    return this.hostText(name);
  }

  private addLabel(label: string): void {
    if (PUBLIC_LABELS.has(label) || /^\d+$/.test(label) || this.labels.has(label) || !this.room()) return;
    let p: string;
    do p = labelShaped(label.length, ++this.counts['host-label']);
    while (this.used.has('label:' + p) || this.labels.has(p));
    this.remember('label:' + p);
    this.labels.set(label, p);
  }

  addUser(user: string): string {
    const u = user.trim();
    if (u.length < 2) return u;
    const known = this.users.get(u.toLowerCase());
    if (known) return known;
    if (!this.room()) return u;
    let p: string;
    do p = labelShaped(u.length, ++this.counts.user, 'user');
    while (this.used.has('user:' + p));
    this.remember('user:' + p);
    this.users.set(u.toLowerCase(), p);
    this.userRe = undefined;
    return p;
  }

  /** Every identifier and its pseudonym (for tests and for the report's note). */
  table(): Pseudonym[] {
    const out: Pseudonym[] = [];
    for (const [o, p] of this.macs) out.push({ kind: 'mac', original: o, pseudonym: p });
    for (const [o, p] of this.v4) out.push({ kind: 'ipv4', original: o, pseudonym: p });
    for (const [o, p] of this.v6) out.push({ kind: 'ipv6', original: o, pseudonym: p });
    for (const [o, p] of this.serials) out.push({ kind: 'serial', original: o, pseudonym: p });
    for (const [o, p] of this.labels) out.push({ kind: 'host-label', original: o, pseudonym: p });
    for (const [o, p] of this.users) out.push({ kind: 'user', original: o, pseudonym: p });
    return out;
  }

  /** Pseudonym of a MAC, in the notation it was written in. */
  macText(text: string): string {
    const key = macHex(text);
    if (!key) return text;
    const p = this.macs.get(key);
    return p ? reshapeHex(text, p) : text;
  }

  private hostText(name: string): string {
    return name.replace(/[A-Za-z0-9_-]+/g, (l) => {
      const p = this.labels.get(l.toLowerCase());
      return p ? matchCase(l, p) : l;
    });
  }

  /** A header value as it may leave: credentials blanked (same length), identifiers replaced. */
  headerValue(name: string, value: string): string {
    if (/^(proxy-)?authorization$/i.test(name) || /^(cookie|set-cookie)$/i.test(name)) return blankCredentials(value, true);
    return this.text(value);
  }

  /** Text with every registered identifier replaced by its pseudonym; lengths kept. */
  text(s: string): string {
    let t = blankCredentials(s, false);
    // SIP URIs: the user part is a user name wherever else it shows.
    t = t.replace(/\b(sips?:)([A-Za-z0-9._%+-]+)@/gi, (m, scheme: string, user: string) => scheme + this.addUser(user) + '@');
    if (this.users.size > 0) t = t.replace(this.userPattern(), (m) => matchCase(m, this.users.get(m.toLowerCase()) ?? m));
    if (this.macs.size > 0) {
      const mac = (m: string) => this.macText(m);
      t = t.replace(/(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![0-9A-Fa-f]|[:-][0-9A-Fa-f])/g, mac);
      t = t.replace(/(?<![0-9A-Fa-f.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![0-9A-Fa-f]|\.[0-9A-Fa-f])/g, mac);
      t = t.replace(/(?<![0-9A-Fa-f])[0-9A-Fa-f]{12}(?![0-9A-Fa-f])/g, mac);
    }
    if (this.v6.size > 0) t = t.replace(this.ipv6Pattern(), (m) => matchCase(m, this.v6.get(m.toLowerCase()) ?? m));
    if (this.v4.size > 0) t = t.replace(/(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\d|\.\d)/g, (m) => this.v4.get(m) ?? m);
    if (this.serials.size > 0) t = t.replace(this.serialPattern(), (m) => matchCase(m, this.serials.get(m.toUpperCase()) ?? m));
    if (this.labels.size > 0) {
      // Host labels inside dotted names, and host names without a dot where they stand alone.
      t = t.replace(/[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+/g, (m) => this.hostText(m));
      if (this.singleHosts.size > 0)
        t = t.replace(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]+(?![A-Za-z0-9_-])/g, (m) => (this.singleHosts.has(m.toLowerCase()) ? this.hostText(m) : m));
    }
    return t;
  }

  /**
   * Packet payload bytes with every identifier replaced in place: ASCII text,
   * UTF-16 text (either byte order, either alignment), DNS wire-format labels,
   * and addresses in binary (a DHCP chaddr, a DNS A record).
   */
  bytesInPlace(b: Uint8Array): void {
    if (b.length === 0) return;
    replaceNarrow(b, 0, 1, (s) => this.text(s));
    if (hasZeroes(b)) {
      for (const start of [0, 1]) replaceNarrow(b, start, 2, (s) => this.text(s));
    }
    this.dnsLabels(b);
    this.rawAddresses(b);
  }

  private dnsLabels(b: Uint8Array): void {
    if (this.labels.size === 0) return;
    for (let i = 0; i < b.length; i++) {
      const len = b[i];
      if (len < 1 || len > 63 || i + 1 + len > b.length) continue;
      let label = '';
      for (let j = 1; j <= len; j++) label += String.fromCharCode(b[i + j]);
      const p = this.labels.get(label.toLowerCase());
      if (!p) continue;
      const repl = matchCase(label, p);
      for (let j = 0; j < len; j++) b[i + 1 + j] = repl.charCodeAt(j);
      i += len;
    }
  }

  private rawAddresses(b: Uint8Array): void {
    const scan = (map: Map<string, Uint8Array>, len: number) => {
      if (map.size === 0 || b.length < len) return;
      for (let i = 0; i + len <= b.length; i++) {
        const p = map.get(bytesKey(b, i, len));
        if (p) {
          b.set(p, i);
          i += len - 1;
        }
      }
    };
    scan(this.rawV6, 16);
    scan(this.rawMac, 6);
    scan(this.rawV4, 4);
  }

  /** The pseudonym bytes of a 6-byte MAC at `off` (registered on the way), written in place. */
  macBytesInPlace(b: Uint8Array, off: number): void {
    const key = Buffer.from(b.subarray(off, off + 6)).toString('hex');
    const p = this.addMac(key);
    if (p !== key.toUpperCase()) b.set(Buffer.from(p, 'hex'), off);
  }

  /** Same for a 4-byte IPv4 or 16-byte IPv6 address. */
  ipBytesInPlace(b: Uint8Array, off: number, len: 4 | 16): void {
    const view = b.subarray(off, off + len);
    // The same text the decoders give, so a packet's address and the report's are one pseudonym.
    this.addIp(len === 4 ? formatIpv4(view, 0) : formatIpv6(view, 0));
    const raw = (len === 4 ? this.rawV4 : this.rawV6).get(bytesKey(view, 0, len));
    if (raw) b.set(raw, off);
  }

  private room(): boolean {
    return this.size < MAX_IDENTIFIERS;
  }

  private remember(p: string): void {
    this.used.add(p);
    this.size++;
  }

  private serialPattern(): RegExp {
    this.serialRe ??= new RegExp(
      `(?<![A-Za-z0-9])(?:${[...this.serials.keys()].sort((a, b) => b.length - a.length).map(escapeRe).join('|')})(?![A-Za-z0-9])`,
      'gi',
    );
    this.serialRe.lastIndex = 0;
    return this.serialRe;
  }

  private userPattern(): RegExp {
    this.userRe ??= new RegExp(
      `(?<![A-Za-z0-9._-])(?:${[...this.users.keys()].sort((a, b) => b.length - a.length).map(escapeRe).join('|')})(?![A-Za-z0-9_-])`,
      'gi',
    );
    this.userRe.lastIndex = 0;
    return this.userRe;
  }

  private ipv6Pattern(): RegExp {
    this.v6Re ??= new RegExp(
      `(?<![0-9A-Fa-f:])(?:${[...this.v6.keys()].sort((a, b) => b.length - a.length).map(escapeRe).join('|')})(?![0-9A-Fa-f:])`,
      'gi',
    );
    this.v6Re.lastIndex = 0;
    return this.v6Re;
  }
}

/** Copy the case of `like` onto `p` when `like` is all upper case. */
function matchCase(like: string, p: string): string {
  return /[A-Z]/.test(like) && !/[a-z]/.test(like) ? p.toUpperCase() : /[a-z]/.test(like) && !/[A-Z]/.test(like) ? p.toLowerCase() : p;
}

/** Credentials in Authorization-style headers (and cookies when `all`): the token becomes x's of the same length. */
function blankCredentials(s: string, all: boolean): string {
  if (all) return s.replace(/^(\s*(?:basic|ntlm|negotiate|digest|bearer)\s+)?(.*)$/is, (m, scheme: string | undefined, rest: string) => (scheme ?? '') + rest.replace(/[^\s;,=]/g, 'x'));
  return s.replace(/((?:proxy-)?authorization:[ \t]*(?:basic|ntlm|negotiate|digest|bearer)?[ \t]*)([^\r\n]*)/gi, (m, head: string, token: string) => head + token.replace(/\S/g, 'x'));
}

/** Whether the bytes have NULs, as UTF-16 text of ASCII characters does. */
function hasZeroes(b: Uint8Array): boolean {
  return b.includes(0);
}

/**
 * Run `f` over the characters at start, start+step...: for step 1 each byte is
 * a character; for step 2 a UTF-16 code unit whose other byte is 0 (either
 * order), anything else becomes U+FFFF, which no identifier contains. Changed
 * characters are written back in place.
 */
function replaceNarrow(b: Uint8Array, start: number, step: 1 | 2, f: (s: string) => string): void {
  const codes: number[] = [];
  for (let i = start; i < b.length; i += step) {
    if (step === 1) codes.push(b[i]);
    else {
      // Little-endian unit: low byte at i, 0 at i+1; big-endian: 0 at i-1 handled by start 1.
      const ok = i + 1 < b.length && b[i + 1] === 0 && b[i] !== 0;
      codes.push(ok ? b[i] : 0xffff);
    }
  }
  let text = '';
  for (let i = 0; i < codes.length; i += 8192) text += String.fromCharCode(...codes.slice(i, i + 8192));
  const out = f(text);
  if (out === text || out.length !== text.length) return;
  for (let k = 0; k < out.length; k++) {
    const c = out.charCodeAt(k);
    if (c !== codes[k] && c <= 0xff) b[start + k * step] = c;
  }
}

/** An IPv4 address with the same number of digits per octet as the original, counted by n. */
function ipv4Shaped(lens: number[], n: number): string {
  // First octet fixed per width (10 for two digits: the private 10/8 block), the rest counted.
  const first = lens[0] === 1 ? '7' : lens[0] === 2 ? '10' : '198';
  const ranges = lens.slice(1).map((l) => (l === 1 ? [0, 9] : l === 2 ? [10, 99] : [100, 255]));
  const octets: number[] = [];
  let k = n;
  for (let i = ranges.length - 1; i >= 0; i--) {
    const [lo, hi] = ranges[i];
    const span = hi - lo + 1;
    octets[i] = lo + (k % span);
    k = Math.floor(k / span);
  }
  return [first, ...octets].join('.');
}

/** An IPv6 address with the original's shape: zero groups and '::' where they were, other groups as many hex digits, none 0. */
function ipv6Shaped(canon: string, n: number): string {
  let count = '';
  for (let k = n; k > 0; k = Math.floor(k / 15)) count = NONZERO_HEX[k % 15] + count;
  const digits = (canon.match(/[0-9a-f]/g) ?? []).length;
  const zerosKept = canon.split(':').map((g) => (g === '0' ? '0' : g));
  // Fill with a "d" pattern (2001:db8 style is not length-safe), ending with the count.
  const fill = count.padStart(digits, 'd').slice(-digits);
  let i = 0;
  return zerosKept
    .map((g) => {
      if (g === '' || g === '0') return g;
      const out = fill.slice(i, i + g.length);
      i += g.length;
      return out;
    })
    .join(':');
}

/** Same character classes as `like` (letters stay letters, digits digits), counted by n in the digits. */
function shaped(like: string, n: number): string {
  const digitSlots = [...like].filter((c) => /\d/.test(c)).length;
  const num = digitSlots > 0 ? String(n).padStart(digitSlots, '0').slice(-digitSlots) : '';
  let d = 0;
  let letters = 0;
  let out = '';
  for (const c of like) {
    if (/\d/.test(c)) out += num[d++];
    else if (/[A-Za-z]/.test(c)) {
      // Without digits, the count goes into the letters.
      const l = digitSlots > 0 ? 'X' : String.fromCharCode(65 + (Math.floor(n / 26 ** letters) % 26));
      out += /[a-z]/.test(c) ? l.toLowerCase() : l;
      letters++;
    } else out += c;
  }
  return out;
}

/** A label of exactly `len` characters: `host01`, `h7`, `user003`... */
function labelShaped(len: number, n: number, word = 'host'): string {
  const s = n.toString(36);
  if (word.length + s.length <= len) return word + s.padStart(len - word.length, '0');
  if (1 + s.length <= len) return word[0] + s.padStart(len - 1, '0');
  return s.slice(-len).padStart(len, '0');
}

export { ipv4Bytes, ipv6Bytes };
