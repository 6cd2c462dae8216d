// DHCPv4 messages (RFC 2131 section 2, options RFC 2132): the BOOTP fixed
// part, the magic cookie and the options, with option overload (RFC 2132
// section 9.3) and long options split over several instances (RFC 3396).
// Communicator Phone Edition needs option 6 (DNS servers), 15 (the domain it
// appends `ucupdates-r2.` to), 120 (SIP servers, RFC 3361) and, for its
// vendor class MS-UC-Client, option 43 carrying the UC provisioning
// sub-options (see UcClientProvisioning). This file states what a message
// carries; whether that is enough for a phone is decided in diagnose/.
import { formatIpv4, formatMac } from './address.js';
import { u16be, u32be } from './bytes.js';
import { decodeError, fail, ok, type Decoded, type DecodeError } from './decode-error.js';
import { decodeDnsName } from './dns.js';

export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;
/** op .. file: the BOOTP fixed part (RFC 2131 figure 1). */
export const DHCP_FIXED_LENGTH = 236;
/** 99.130.83.99 (RFC 2131 section 3). */
export const DHCP_MAGIC_COOKIE = 0x63825363;
const OPTIONS_START = DHCP_FIXED_LENGTH + 4;
const SNAME_AT = 44;
const SNAME_LENGTH = 64;
const FILE_AT = 108;
const FILE_LENGTH = 128;

export const DHCP_OPT_PAD = 0;
export const DHCP_OPT_SUBNET_MASK = 1;
export const DHCP_OPT_ROUTERS = 3;
export const DHCP_OPT_DNS_SERVERS = 6;
export const DHCP_OPT_HOSTNAME = 12;
export const DHCP_OPT_DOMAIN_NAME = 15;
export const DHCP_OPT_VENDOR_SPECIFIC = 43;
export const DHCP_OPT_REQUESTED_IP = 50;
export const DHCP_OPT_LEASE_TIME = 51;
export const DHCP_OPT_OVERLOAD = 52;
export const DHCP_OPT_MESSAGE_TYPE = 53;
export const DHCP_OPT_SERVER_ID = 54;
export const DHCP_OPT_PARAMETER_LIST = 55;
export const DHCP_OPT_VENDOR_CLASS = 60;
export const DHCP_OPT_CLIENT_ID = 61;
export const DHCP_OPT_DOMAIN_SEARCH = 119;
export const DHCP_OPT_SIP_SERVERS = 120;
export const DHCP_OPT_END = 255;

export const DHCP_DISCOVER = 1;
export const DHCP_OFFER = 2;
export const DHCP_REQUEST = 3;
export const DHCP_DECLINE = 4;
export const DHCP_ACK = 5;
export const DHCP_NAK = 6;
export const DHCP_RELEASE = 7;
export const DHCP_INFORM = 8;

/** Message type names (RFC 2132 section 9.6). */
export const DHCP_MESSAGE_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [DHCP_DISCOVER, 'DISCOVER'],
  [DHCP_OFFER, 'OFFER'],
  [DHCP_REQUEST, 'REQUEST'],
  [DHCP_DECLINE, 'DECLINE'],
  [DHCP_ACK, 'ACK'],
  [DHCP_NAK, 'NAK'],
  [DHCP_RELEASE, 'RELEASE'],
  [DHCP_INFORM, 'INFORM'],
]);

/** The vendor class identifier (option 60) of OCS/Lync phones asking for UC provisioning data. Case-sensitive. */
export const MS_UC_CLIENT = 'MS-UC-Client';

/** One option instance as it appeared on the wire. */
export interface DhcpOption {
  code: number;
  /** The instance's data: a view into the payload. */
  data: Uint8Array;
  /** Offset of the code byte in the payload. */
  offset: number;
  /** Where it was: the options field, or the file/sname fields under overload. */
  area: 'options' | 'file' | 'sname';
}

/** One vendor-specific sub-option (RFC 2132 section 8.4: encapsulated code, length, data). */
export interface DhcpSubOption {
  code: number;
  data: Uint8Array;
}

/**
 * Option 43 sub-options for vendor class MS-UC-Client, as Microsoft's
 * deployment documents (DHCPUtil, Lync Server 2010 "DHCP options") list them:
 * 1 the UC identifier (the text `MS-UC-Client`), 2 the URL scheme (`https`),
 * 3 the web server FQDN, 4 its port (ASCII digits, `443`), 5 the relative path
 * of the certificate provisioning service.
 */
export interface UcClientProvisioning {
  ucIdentifier?: string;
  urlScheme?: string;
  webServerFqdn?: string;
  /** The port text as sent. */
  webServerPort?: string;
  certProvPath?: string;
  /** Sub-option codes present, in order. */
  codes: number[];
}

export const UC_SUBOPT_IDENTIFIER = 1;
export const UC_SUBOPT_URL_SCHEME = 2;
export const UC_SUBOPT_WEB_FQDN = 3;
export const UC_SUBOPT_WEB_PORT = 4;
export const UC_SUBOPT_CERT_PATH = 5;

/** Option 43 as sent, with its sub-options when it parses as code-length-value. */
export interface DhcpVendorSpecific {
  raw: Uint8Array;
  subOptions?: DhcpSubOption[];
  /** Set when the vendor class is MS-UC-Client or sub-option 1 says so. */
  ucClient?: UcClientProvisioning;
}

/** Option 120 (RFC 3361): encoding 0 is a list of domain names, 1 a list of IPv4 addresses. */
export type DhcpSipServers =
  | { kind: 'names'; names: string[] }
  | { kind: 'addresses'; addresses: string[] }
  /** An unknown encoding byte, or data that does not decode under its encoding. */
  | { kind: 'raw'; encoding: number; raw: Uint8Array };

/** A decoded DHCP (or plain BOOTP) message. */
export interface DhcpMessage {
  /** 1 BOOTREQUEST (client), 2 BOOTREPLY (server). */
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  /** The broadcast flag (RFC 2131 section 2, figure 2). */
  broadcast: boolean;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** Client hardware address: `aa:bb:...`, hlen bytes (at most 16). */
  chaddr: string;
  /** Server host name and boot file name, when those fields are not overloaded with options. */
  sname?: string;
  file?: string;
  /** False for plain BOOTP (no options decoded). */
  magicCookie: boolean;
  /** Every option instance, in decoding order (options field, then file, then sname). */
  options: DhcpOption[];
  messageType?: number;
  subnetMask?: string;
  routers?: string[];
  dnsServers?: string[];
  hostname?: string;
  domainName?: string;
  domainSearch?: string[];
  requestedIp?: string;
  leaseSeconds?: number;
  serverId?: string;
  parameterRequestList?: number[];
  vendorClass?: string;
  clientId?: Uint8Array;
  vendorSpecific?: DhcpVendorSpecific;
  sipServers?: DhcpSipServers;
  notes: DecodeError[];
  /** What cut the options short; the options before it are kept. */
  stopError?: DecodeError;
}

export interface DhcpDecodeOptions {
  /**
   * The vendor class the client sent, for a server reply (replies need not
   * repeat option 60): it says how to read option 43.
   */
  vendorClass?: string;
}

/** Bytes as text, one char per byte, trailing NULs dropped (some servers NUL-terminate strings). */
export function dhcpText(b: Uint8Array): string {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** A NUL-terminated fixed field (sname, file) as text. */
function cString(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return dhcpText(nul < 0 ? b : b.subarray(0, nul));
}

function ipv4List(b: Uint8Array): string[] | undefined {
  if (b.length === 0 || b.length % 4 !== 0) return undefined;
  const out: string[] = [];
  for (let i = 0; i < b.length; i += 4) out.push(formatIpv4(b, i));
  return out;
}

/**
 * Decode a list of domain names (options 119 and 120). Pointers are offsets
 * into `b` (RFC 3397 section 2: the option data is the message they refer to).
 */
export function decodeNameList(b: Uint8Array): Decoded<string[]> {
  const names: string[] = [];
  for (let p = 0; p < b.length; ) {
    const n = decodeDnsName(b, p);
    if (!n.ok) return n;
    names.push(n.value.name);
    p = n.value.end;
  }
  return ok(names);
}

/** Code-length-value sub-options (RFC 2132 section 8.4), or undefined when `b` does not parse as such. */
export function decodeSubOptions(b: Uint8Array): DhcpSubOption[] | undefined {
  const out: DhcpSubOption[] = [];
  for (let p = 0; p < b.length; ) {
    const code = b[p];
    if (code === DHCP_OPT_PAD) {
      p++;
      continue;
    }
    if (code === DHCP_OPT_END) break;
    if (p + 2 > b.length || p + 2 + b[p + 1] > b.length) return undefined;
    out.push({ code, data: b.subarray(p + 2, p + 2 + b[p + 1]) });
    p += 2 + b[p + 1];
  }
  return out;
}

/** Read MS-UC-Client sub-options (codes 1-5); other codes are only listed in `codes`. */
export function ucClientFromSubOptions(subs: readonly DhcpSubOption[]): UcClientProvisioning {
  const uc: UcClientProvisioning = { codes: subs.map((s) => s.code) };
  for (const s of subs) {
    const text = dhcpText(s.data);
    if (s.code === UC_SUBOPT_IDENTIFIER) uc.ucIdentifier = text;
    else if (s.code === UC_SUBOPT_URL_SCHEME) uc.urlScheme = text;
    else if (s.code === UC_SUBOPT_WEB_FQDN) uc.webServerFqdn = text;
    else if (s.code === UC_SUBOPT_WEB_PORT) uc.webServerPort = text;
    else if (s.code === UC_SUBOPT_CERT_PATH) uc.certProvPath = text;
  }
  return uc;
}

/** Walk one option area [start, end). Returns whether an End option closed it, or the error that cut it. */
function walkArea(
  data: Uint8Array,
  start: number,
  end: number,
  area: DhcpOption['area'],
  out: DhcpOption[],
): Decoded<boolean> {
  // Every pass moves p forward by at least one byte.
  for (let p = start; p < end; ) {
    const code = data[p];
    if (code === DHCP_OPT_PAD) {
      p++;
      continue;
    }
    if (code === DHCP_OPT_END) return ok(true);
    if (p + 2 > end) {
      return fail(decodeError('dhcp', 'dhcp.option-truncated', p, { required: 2, available: end - p, lenSource: 'slice' }));
    }
    const len = data[p + 1];
    if (p + 2 + len > end) {
      return fail(
        decodeError('dhcp', 'dhcp.option-truncated', p, { required: len, available: end - p - 2, lenSource: 'dhcp.option-length' }),
      );
    }
    out.push({ code, data: data.subarray(p + 2, p + 2 + len), offset: p, area });
    p += 2 + len;
  }
  return ok(false);
}

/**
 * Decode a DHCP message from a UDP payload (ports 67/68). Fewer than 236
 * bytes fail; without the magic cookie the message is plain BOOTP (no
 * options); options cut short keep the ones before the cut, with stopError.
 */
export function decodeDhcp(payload: Uint8Array, opts: DhcpDecodeOptions = {}): Decoded<DhcpMessage> {
  const d = payload;
  if (d.length < DHCP_FIXED_LENGTH) {
    return fail(decodeError('dhcp', 'dhcp.too-short', 0, { required: DHCP_FIXED_LENGTH, available: d.length, lenSource: 'slice' }));
  }
  const hlen = d[2];
  const macLen = Math.min(hlen, 16);
  const m: DhcpMessage = {
    op: d[0],
    htype: d[1],
    hlen,
    hops: d[3],
    xid: u32be(d, 4) ?? 0,
    secs: u16be(d, 8) ?? 0,
    broadcast: (d[10] & 0x80) !== 0,
    ciaddr: formatIpv4(d, 12),
    yiaddr: formatIpv4(d, 16),
    siaddr: formatIpv4(d, 20),
    giaddr: formatIpv4(d, 24),
    chaddr: macLen > 0 ? formatMac(d, 28, macLen) : '',
    magicCookie: false,
    options: [],
    notes: [],
  };
  if (hlen > 16) m.notes.push(decodeError('dhcp', 'dhcp.bad-hlen', 2, { available: 16, required: hlen }));
  if (m.op !== 1 && m.op !== 2) m.notes.push(decodeError('dhcp', 'dhcp.bad-op', 0, { detail: `op ${m.op}` }));
  const sname = d.subarray(SNAME_AT, SNAME_AT + SNAME_LENGTH);
  const file = d.subarray(FILE_AT, FILE_AT + FILE_LENGTH);
  if (u32be(d, DHCP_FIXED_LENGTH) !== DHCP_MAGIC_COOKIE) {
    m.sname = cString(sname);
    m.file = cString(file);
    if (d.length > DHCP_FIXED_LENGTH) {
      m.notes.push(decodeError('dhcp', 'dhcp.no-magic-cookie', DHCP_FIXED_LENGTH, { detail: 'plain BOOTP or not DHCP: options not read' }));
    }
    return ok(m);
  }
  m.magicCookie = true;

  const main = walkArea(d, OPTIONS_START, d.length, 'options', m.options);
  if (!main.ok) m.stopError = main.error;
  else if (!main.value) m.notes.push(decodeError('dhcp', 'dhcp.no-end-option', d.length, { detail: 'options end without option 255' }));

  // Option overload: the file field, then sname, may hold more options (RFC 2131 section 4.1).
  const overloadOpt = m.options.find((o) => o.code === DHCP_OPT_OVERLOAD);
  const overload = overloadOpt?.data.length === 1 ? overloadOpt.data[0] : 0;
  if (overload & 1) {
    const r = walkArea(d, FILE_AT, FILE_AT + FILE_LENGTH, 'file', m.options);
    if (!r.ok && !m.stopError) m.stopError = r.error;
  } else {
    m.file = cString(file);
  }
  if (overload & 2) {
    const r = walkArea(d, SNAME_AT, SNAME_AT + SNAME_LENGTH, 'sname', m.options);
    if (!r.ok && !m.stopError) m.stopError = r.error;
  } else {
    m.sname = cString(sname);
  }

  interpretOptions(m, opts);
  return ok(m);
}

/** Instances of one code joined in order (RFC 3396 section 7); a view when there is only one. */
function joined(options: readonly DhcpOption[], code: number): { data: Uint8Array; offset: number } | undefined {
  const parts = options.filter((o) => o.code === code);
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return { data: parts[0].data, offset: parts[0].offset };
  // Bounded by the payload: at most 1500-odd bytes per message.
  const out = new Uint8Array(parts.reduce((n, o) => n + o.data.length, 0));
  let at = 0;
  for (const o of parts) {
    out.set(o.data, at);
    at += o.data.length;
  }
  return { data: out, offset: parts[0].offset };
}

function interpretOptions(m: DhcpMessage, opts: DhcpDecodeOptions): void {
  const bad = (code: number, offset: number, detail: string): void => {
    m.notes.push(decodeError('dhcp', 'dhcp.bad-option', offset, { detail: `option ${code}: ${detail}` }));
  };
  const get = (code: number) => joined(m.options, code);

  const type = get(DHCP_OPT_MESSAGE_TYPE);
  if (type) {
    if (type.data.length === 1) m.messageType = type.data[0];
    else bad(DHCP_OPT_MESSAGE_TYPE, type.offset, 'length is not 1');
  }
  const addr = (code: number, set: (v: string) => void): void => {
    const o = get(code);
    if (!o) return;
    if (o.data.length === 4) set(formatIpv4(o.data, 0));
    else bad(code, o.offset, 'length is not 4');
  };
  const addrs = (code: number, set: (v: string[]) => void): void => {
    const o = get(code);
    if (!o) return;
    const list = ipv4List(o.data);
    if (list) set(list);
    else bad(code, o.offset, 'length is not a multiple of 4');
  };
  addr(DHCP_OPT_SUBNET_MASK, (v) => (m.subnetMask = v));
  addr(DHCP_OPT_REQUESTED_IP, (v) => (m.requestedIp = v));
  addr(DHCP_OPT_SERVER_ID, (v) => (m.serverId = v));
  addrs(DHCP_OPT_ROUTERS, (v) => (m.routers = v));
  addrs(DHCP_OPT_DNS_SERVERS, (v) => (m.dnsServers = v));

  const lease = get(DHCP_OPT_LEASE_TIME);
  if (lease) {
    if (lease.data.length === 4) m.leaseSeconds = u32be(lease.data, 0);
    else bad(DHCP_OPT_LEASE_TIME, lease.offset, 'length is not 4');
  }
  const host = get(DHCP_OPT_HOSTNAME);
  if (host) m.hostname = dhcpText(host.data);
  const domain = get(DHCP_OPT_DOMAIN_NAME);
  if (domain) m.domainName = dhcpText(domain.data);
  const vc = get(DHCP_OPT_VENDOR_CLASS);
  if (vc) m.vendorClass = dhcpText(vc.data);
  const cid = get(DHCP_OPT_CLIENT_ID);
  if (cid) m.clientId = cid.data;
  const prl = get(DHCP_OPT_PARAMETER_LIST);
  if (prl) m.parameterRequestList = Array.from(prl.data);

  const search = get(DHCP_OPT_DOMAIN_SEARCH);
  if (search) {
    const r = decodeNameList(search.data);
    if (r.ok) m.domainSearch = r.value;
    else bad(DHCP_OPT_DOMAIN_SEARCH, search.offset, r.error.code);
  }

  const sip = get(DHCP_OPT_SIP_SERVERS);
  if (sip) {
    const enc = sip.data[0];
    const rest = sip.data.subarray(1);
    if (enc === 0) {
      const r = decodeNameList(rest);
      if (r.ok && r.value.length > 0) m.sipServers = { kind: 'names', names: r.value };
      else {
        m.sipServers = { kind: 'raw', encoding: 0, raw: rest };
        bad(DHCP_OPT_SIP_SERVERS, sip.offset, r.ok ? 'no names' : r.error.code);
      }
    } else if (enc === 1) {
      const list = ipv4List(rest);
      if (list) m.sipServers = { kind: 'addresses', addresses: list };
      else {
        m.sipServers = { kind: 'raw', encoding: 1, raw: rest };
        bad(DHCP_OPT_SIP_SERVERS, sip.offset, 'address list length is not a multiple of 4');
      }
    } else {
      m.sipServers = { kind: 'raw', encoding: enc ?? -1, raw: rest };
      bad(DHCP_OPT_SIP_SERVERS, sip.offset, enc === undefined ? 'empty' : `unknown encoding ${enc}`);
    }
  }

  const vs = get(DHCP_OPT_VENDOR_SPECIFIC);
  if (vs) {
    const v: DhcpVendorSpecific = { raw: vs.data };
    const subs = decodeSubOptions(vs.data);
    if (subs) v.subOptions = subs;
    const cls = m.vendorClass ?? opts.vendorClass;
    const saysUc = subs?.some((s) => s.code === UC_SUBOPT_IDENTIFIER && dhcpText(s.data) === MS_UC_CLIENT) ?? false;
    if (subs && (cls === MS_UC_CLIENT || saysUc)) v.ucClient = ucClientFromSubOptions(subs);
    else if (!subs && cls === MS_UC_CLIENT) bad(DHCP_OPT_VENDOR_SPECIFIC, vs.offset, 'MS-UC-Client data is not code-length-value');
    m.vendorSpecific = v;
  }
}
