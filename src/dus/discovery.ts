// How a phone finds the Device Update Service, as facts taken from decoded
// DNS and DHCP messages (shared/protocol/ucdevice-upx.md section 1): its
// lookups of `ucupdates-r2.<domain>` and `ucupdates.<domain>` with what each
// got back, and per client MAC the DHCP offers and acks with the options that
// matter to Communicator Phone Edition. No judgement here: diagnose/rules/
// discovery.ts decides what is wrong.
//
// Memory is bounded: only ucupdates lookups are kept (up to maxLookups), DHCP
// clients up to maxClients with up to maxRepliesPerClient replies each, and
// facts hold strings and numbers, never views into frames.
import { decodeDhcp, dhcpText, DHCP_ACK, DHCP_CLIENT_PORT, DHCP_OFFER, DHCP_SERVER_PORT, ucClientFromSubOptions, type DhcpMessage, type UcClientProvisioning } from '../net/dhcp.js';
import { decodeDns, DNS_PORT, DnsTcpStream, type DnsMessage, type DnsRecord } from '../net/dns.js';
import type { DecodedFrame } from '../net/packet.js';
import type { Direction, FlowInfo, StreamEvent } from '../reassembly/stream-event.js';

/** Where a DNS or DHCP message was seen. */
export interface DiscoveryPacket {
  frame: number;
  timestampNs: bigint;
  transport: 'udp' | 'tcp';
  src: { ip: string; port: number; mac?: string };
  dst: { ip: string; port: number; mac?: string };
}

/** One answer record, as text. */
export interface DnsAnswerFact {
  name: string;
  type: number;
  ttl: number;
  /** The address (A, AAAA), the target name (CNAME...), or '' for other types. */
  value: string;
}

/** One query for a ucupdates name and what came back. */
export interface DnsLookupFact {
  client: { ip: string; port: number; mac?: string };
  server: { ip: string; port: number };
  transport: 'udp' | 'tcp';
  id: number;
  /** The name as asked (case kept). */
  name: string;
  /** Which of the two names the phone may ask for. */
  kind: 'ucupdates-r2' | 'ucupdates';
  /** What follows `ucupdates-r2.` or `ucupdates.`, lower case. */
  domain: string;
  qtype: number;
  /** Frames of the query and its retransmissions (same id and question); empty when only the response was captured. */
  queryFrames: number[];
  response?: {
    frame: number;
    rcode: number;
    /** Truncated (TC): the client should ask again over TCP. */
    tc: boolean;
    aa: boolean;
    answers: DnsAnswerFact[];
  };
}

/** Option 120 as facts. */
export type SipServersFact = { names: string[] } | { addresses: string[] } | { undecodable: true };

/** An OFFER or ACK from a server to one client. */
export interface DhcpReplyFact {
  frame: number;
  /** 2 OFFER, 5 ACK. */
  messageType: number;
  xid: number;
  /** IP source of the reply, and the server identifier option. */
  serverIp: string;
  serverId?: string;
  yiaddr: string;
  /** Option codes present, sorted, without pad and end. */
  optionCodes: number[];
  dnsServers?: string[];
  domainName?: string;
  domainSearch?: string[];
  sipServers?: SipServersFact;
  /** Option 43, as hex, with its sub-options when it parses as code-length-value. */
  vendorSpecific?: {
    hex: string;
    subOptions?: Array<{ code: number; text: string }>;
    /** Read as MS-UC-Client provisioning data (sub-options 1-5). */
    ucClient?: UcClientProvisioning;
  };
}

/** One DHCP client (by chaddr) and what it asked and was given. */
export interface DhcpClientFact {
  mac: string;
  /** Vendor class identifiers (option 60) it sent, in order of first use. */
  vendorClasses: string[];
  hostname?: string;
  /** Options it asked for (option 55), the union over its requests. */
  requestedOptions: number[];
  /** DISCOVER, REQUEST and INFORM frames. */
  requestFrames: number[];
  replies: DhcpReplyFact[];
}

export interface DiscoveryFacts {
  lookups: DnsLookupFact[];
  dhcpClients: DhcpClientFact[];
  /** Messages not kept because a bound was reached. */
  dropped: number;
}

export interface DiscoveryOptions {
  /** ucupdates lookups kept. @default 10000 */
  maxLookups?: number;
  /** DHCP clients kept. @default 10000 */
  maxClients?: number;
  /** OFFER/ACK replies kept per client. @default 64 */
  maxRepliesPerClient?: number;
}

const UCUPDATES_NAMES: ReadonlyArray<[prefix: string, kind: DnsLookupFact['kind']]> = [
  ['ucupdates-r2.', 'ucupdates-r2'],
  ['ucupdates.', 'ucupdates'],
];

/** Whether `name` is one of the names a phone resolves to find the service, and its domain. */
export function ucupdatesName(name: string): { kind: DnsLookupFact['kind']; domain: string } | undefined {
  const lower = name.toLowerCase();
  for (const [prefix, kind] of UCUPDATES_NAMES) {
    if (lower.startsWith(prefix) && lower.length > prefix.length) return { kind, domain: lower.slice(prefix.length) };
  }
  return undefined;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function answerFact(r: DnsRecord): DnsAnswerFact {
  const d = r.data;
  const value =
    d.kind === 'a' || d.kind === 'aaaa' ? d.address : d.kind === 'name' ? d.name : d.kind === 'srv' ? d.target : d.kind === 'mx' ? d.exchange : '';
  return { name: r.name, type: r.type, ttl: r.ttl, value };
}

/** The packet context of a UDP frame, or undefined when the frame has no IP or UDP. */
export function udpPacket(f: DecodedFrame): DiscoveryPacket | undefined {
  if (!f.ip || !f.udp) return undefined;
  return {
    frame: f.frame,
    timestampNs: f.timestampNs,
    transport: 'udp',
    src: { ip: f.ip.src, port: f.udp.srcPort, ...(f.link?.src ? { mac: f.link.src } : {}) },
    dst: { ip: f.ip.dst, port: f.udp.dstPort, ...(f.link?.dst ? { mac: f.link.dst } : {}) },
  };
}

/** Collects discovery facts from DNS and DHCP messages, in capture order. */
export class DiscoveryCollector {
  private readonly lookups: DnsLookupFact[] = [];
  /** Lookups still waiting for a response, by transport, endpoints and id. */
  private readonly pending = new Map<string, DnsLookupFact[]>();
  private readonly clients = new Map<string, DhcpClientFact>();
  private dropped = 0;
  private readonly maxLookups: number;
  private readonly maxClients: number;
  private readonly maxReplies: number;

  constructor(opts: DiscoveryOptions = {}) {
    this.maxLookups = opts.maxLookups ?? 10000;
    this.maxClients = opts.maxClients ?? 10000;
    this.maxReplies = opts.maxRepliesPerClient ?? 64;
  }

  /**
   * Decode and record a UDP frame to or from port 53, 67 or 68. Returns
   * false when the frame is not one of those or does not decode.
   */
  udpFrame(f: DecodedFrame): boolean {
    const pkt = udpPacket(f);
    if (!pkt) return false;
    const ports = [pkt.src.port, pkt.dst.port];
    if (ports.includes(DNS_PORT)) {
      const r = decodeDns(f.payload);
      if (!r.ok) return false;
      this.dns(pkt, r.value);
      return true;
    }
    if (ports.includes(DHCP_SERVER_PORT) || ports.includes(DHCP_CLIENT_PORT)) {
      const r = decodeDhcp(f.payload);
      if (!r.ok) return false;
      this.dhcp(pkt, r.value);
      return true;
    }
    return false;
  }

  /** Record a DNS message (a query, or a response to match with one). */
  dns(pkt: DiscoveryPacket, msg: DnsMessage): void {
    const q = msg.questions[0];
    if (!q || msg.opcode !== 0) return;
    const which = ucupdatesName(q.name);
    if (!which) return;
    const client = msg.qr ? pkt.dst : pkt.src;
    const server = msg.qr ? pkt.src : pkt.dst;
    const key = `${pkt.transport}|${client.ip}|${client.port}|${server.ip}|${server.port}|${msg.id}`;
    const waiting = this.pending.get(key) ?? [];
    const same = waiting.find((l) => l.name.toLowerCase() === q.name.toLowerCase() && l.qtype === q.type);
    if (!msg.qr) {
      if (same && !same.response) {
        same.queryFrames.push(pkt.frame); // a retransmission
        return;
      }
      const l = this.newLookup(pkt, msg, client, server, which, [pkt.frame]);
      if (!l) return;
      waiting.push(l);
      this.pending.set(key, waiting);
      return;
    }
    const response = {
      frame: pkt.frame,
      rcode: msg.rcode,
      tc: msg.tc,
      aa: msg.aa,
      answers: msg.answers.map(answerFact),
    };
    if (same && !same.response) {
      same.response = response;
      const rest = waiting.filter((l) => l !== same);
      if (rest.length > 0) this.pending.set(key, rest);
      else this.pending.delete(key);
      return;
    }
    // A response whose query was not captured (or a duplicate response): a lookup of its own.
    const l = this.newLookup(pkt, msg, client, server, which, []);
    if (l) l.response = response;
  }

  private newLookup(
    pkt: DiscoveryPacket,
    msg: DnsMessage,
    client: DiscoveryPacket['src'],
    server: DiscoveryPacket['dst'],
    which: { kind: DnsLookupFact['kind']; domain: string },
    queryFrames: number[],
  ): DnsLookupFact | undefined {
    if (this.lookups.length >= this.maxLookups) {
      this.dropped++;
      return undefined;
    }
    const q = msg.questions[0];
    const l: DnsLookupFact = {
      client: { ...client },
      server: { ip: server.ip, port: server.port },
      transport: pkt.transport,
      id: msg.id,
      name: q.name,
      kind: which.kind,
      domain: which.domain,
      qtype: q.type,
      queryFrames,
    };
    this.lookups.push(l);
    return l;
  }

  /** Record a DHCP message: a client's request, or a server's OFFER/ACK. */
  dhcp(pkt: DiscoveryPacket, msg: DhcpMessage): void {
    if (!msg.chaddr) return;
    let c = this.clients.get(msg.chaddr);
    if (!c) {
      if (this.clients.size >= this.maxClients) {
        this.dropped++;
        return;
      }
      c = { mac: msg.chaddr, vendorClasses: [], requestedOptions: [], requestFrames: [], replies: [] };
      this.clients.set(msg.chaddr, c);
    }
    if (msg.op === 1) {
      c.requestFrames.push(pkt.frame);
      if (msg.vendorClass !== undefined && !c.vendorClasses.includes(msg.vendorClass)) c.vendorClasses.push(msg.vendorClass);
      if (msg.hostname !== undefined) c.hostname = msg.hostname;
      for (const o of msg.parameterRequestList ?? []) if (!c.requestedOptions.includes(o)) c.requestedOptions.push(o);
      c.requestedOptions.sort((a, b) => a - b);
      return;
    }
    if (msg.op !== 2 || (msg.messageType !== DHCP_OFFER && msg.messageType !== DHCP_ACK)) return;
    if (c.replies.length >= this.maxReplies) {
      this.dropped++;
      return;
    }
    c.replies.push(replyFact(pkt, msg));
  }

  facts(): DiscoveryFacts {
    return { lookups: [...this.lookups], dhcpClients: [...this.clients.values()], dropped: this.dropped };
  }
}

function replyFact(pkt: DiscoveryPacket, msg: DhcpMessage): DhcpReplyFact {
  const codes = [...new Set(msg.options.map((o) => o.code))].sort((a, b) => a - b);
  const r: DhcpReplyFact = {
    frame: pkt.frame,
    messageType: msg.messageType ?? 0,
    xid: msg.xid,
    serverIp: pkt.src.ip,
    yiaddr: msg.yiaddr,
    optionCodes: codes,
  };
  if (msg.serverId !== undefined) r.serverId = msg.serverId;
  if (msg.dnsServers) r.dnsServers = [...msg.dnsServers];
  if (msg.domainName !== undefined) r.domainName = msg.domainName;
  if (msg.domainSearch) r.domainSearch = [...msg.domainSearch];
  const sip = msg.sipServers;
  if (sip) {
    r.sipServers =
      sip.kind === 'names' ? { names: [...sip.names] } : sip.kind === 'addresses' ? { addresses: [...sip.addresses] } : { undecodable: true };
  }
  const vs = msg.vendorSpecific;
  if (vs) {
    r.vendorSpecific = { hex: hex(vs.raw) };
    if (vs.subOptions) {
      r.vendorSpecific.subOptions = vs.subOptions.map((s) => ({ code: s.code, text: dhcpText(s.data) }));
      // Read as UC data whatever the decoder was told: the rule needs to see sub-option 1 either way.
      r.vendorSpecific.ucClient = vs.ucClient ?? ucClientFromSubOptions(vs.subOptions);
    }
  }
  return r;
}

/** The packet context of a DNS-over-TCP message from its flow, direction and completing frame. */
export function tcpPacket(flow: FlowInfo, dir: Direction, frame: number, timestampNs: bigint): DiscoveryPacket {
  const c = { ip: flow.client.ip, port: flow.client.port };
  const s = { ip: flow.server.ip, port: flow.server.port };
  return { frame, timestampNs, transport: 'tcp', src: dir === 'c2s' ? c : s, dst: dir === 'c2s' ? s : c };
}

/**
 * Feeds DNS-over-TCP messages to a collector from reassembled stream events
 * of connections to or from port 53. Holds one DnsTcpStream per open
 * direction (each at most one message) and forgets a direction at its end.
 */
export class DnsTcpTracker {
  private readonly streams = new Map<string, DnsTcpStream>();

  constructor(private readonly collector: DiscoveryCollector) {}

  accept(e: StreamEvent): void {
    if (e.kind === 'open' || e.kind === 'anomaly') return;
    if (e.flow.server.port !== DNS_PORT && e.flow.client.port !== DNS_PORT) return;
    const key = `${e.flow.index}|${e.dir}`;
    if (e.kind === 'end') {
      this.streams.delete(key);
      return;
    }
    let s = this.streams.get(key);
    if (!s) {
      s = new DnsTcpStream();
      this.streams.set(key, s);
    }
    const events = e.kind === 'data' ? s.push(e.bytes, e.spans) : s.gap(e.length);
    for (const ev of events) {
      if (ev.kind === 'message') this.collector.dns(tcpPacket(e.flow, e.dir, ev.frame, ev.timestampNs), ev.message);
    }
  }
}
