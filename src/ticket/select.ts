// What goes into a ticket. "Relevant" is decided here, once, and every file
// of the ticket (report, HAR, JSON, packets) uses the same answer:
//
// - phones: the one chosen with --phone; otherwise every phone with a
//   finding; when nothing was found at all, every phone (a ticket about a
//   capture that looks healthy still shows what the phones did);
// - findings: those of the relevant phones, and, without --phone, also those
//   that name no phone of the model (a connection that never carried a message);
// - exchanges: every exchange of a relevant phone, and every exchange a
//   relevant finding names as evidence;
// - packets: every packet of the TCP connections that carried those
//   exchanges, every packet of the connections (TCP) that hold a frame a
//   finding points at, and the evidence frames themselves (a DNS or DHCP
//   packet). Frames a finding points at get a pcapng comment.
import type { AnalysisResult } from '../analysis.js';
import type { DusExchange, Phone } from '../dus/model.js';
import type { Finding } from '../diagnose/finding.js';
import { macHex } from '../report/redact.js';
import { conversationKey } from './packet-layout.js';

/** A span of one conversation's packets to export. */
export interface FlowSpan {
  /** conversationKey(): protocol and both endpoints, either direction. */
  key: string;
  firstFrame: number;
  lastFrame: number;
}

export interface TicketSelection {
  /** Set when --phone chose the phones. */
  phoneSelector?: string;
  phones: Phone[];
  findings: Finding[];
  /** In capture order. */
  exchanges: DusExchange[];
  /** TCP connections to export, known from the analysis (exchanges and connection records). */
  flows: FlowSpan[];
  /** Every TCP connection attempt of the capture, to place an evidence frame the analysis did not tie to one. */
  connections: FlowSpan[];
  /** Frames the relevant findings point at, with the comment each gets in flows.pcapng. */
  comments: Map<number, string[]>;
}

function isIp(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || s.includes(':') && !macHex(s);
}

/** Whether a phone (or a finding's phone) matches a --phone value: a MAC in any notation, or an IP. */
export function matchesSelector(sel: string, mac: string | undefined, ips: readonly string[]): boolean {
  const w = sel.trim();
  if (isIp(w)) return ips.some((ip) => ip.toLowerCase() === w.toLowerCase());
  const m = macHex(w);
  return m !== undefined && mac !== undefined && mac.toUpperCase() === m;
}

function findingOf(f: Finding, p: Phone): boolean {
  return (f.phone.mac !== undefined && f.phone.mac === p.mac) || (f.phone.ip !== undefined && p.ips.includes(f.phone.ip));
}

/** The comment written on an evidence frame. */
export function findingComment(f: Finding): string {
  return `upxray ${f.severity} ${f.code}: ${f.message}`;
}

/**
 * Choose what the ticket holds. Returns undefined when `phone` names nothing
 * in the capture (no phone and no finding matches it).
 */
export function selectTicket(r: AnalysisResult, phone?: string): TicketSelection | undefined {
  let phones: Phone[];
  let findings: Finding[];
  if (phone !== undefined) {
    phones = r.model.phones.filter((p) => matchesSelector(phone, p.mac, p.ips));
    findings = r.findings.filter((f) => phones.some((p) => findingOf(f, p)) || matchesSelector(phone, f.phone.mac, f.phone.ip ? [f.phone.ip] : []));
    if (phones.length === 0 && findings.length === 0) return undefined;
  } else if (r.findings.length === 0) {
    phones = [...r.model.phones];
    findings = [];
  } else {
    phones = r.model.phones.filter((p) => r.findings.some((f) => findingOf(f, p)));
    findings = [...r.findings];
  }

  const keys = new Set(phones.map((p) => p.key));
  const named = new Set(findings.flatMap((f) => f.evidence.exchanges ?? []));
  const exchanges = r.model.exchanges.filter((x) => keys.has(x.phone) || named.has(x.id));
  exchanges.sort((a, b) => startFrame(a) - startFrame(b) || a.id.localeCompare(b.id));

  // Connections: from the connection log where it has the exchange's connection, else from the exchange's own frames.
  const flows: FlowSpan[] = [];
  const seen = new Set<string>();
  const conns = r.model.connections.map((c) => ({ c, key: conversationKey(6, c.client.ip, c.client.port, c.server.ip, c.server.port) }));
  const addConn = (key: string, first: number, last: number) => {
    const id = `${key}#${first}`;
    if (seen.has(id)) return;
    seen.add(id);
    flows.push({ key, firstFrame: first, lastFrame: last });
  };
  for (const x of exchanges) {
    const f = x.http.flow;
    const key = conversationKey(6, f.client.ip, f.client.port, f.server.ip, f.server.port);
    const hit = conns.find((k) => k.key === key && k.c.firstFrame <= f.firstFrame && f.firstFrame <= k.c.lastFrame);
    if (hit) addConn(key, hit.c.firstFrame, hit.c.lastFrame);
    else addConn(key, f.firstFrame, Math.max(f.firstFrame, ...messageFrames(x)));
  }
  const evidence = new Set(findings.flatMap((f) => f.evidence.frames));
  for (const k of conns) {
    const c = k.c;
    const frames = [...c.synFrames, c.synAckFrame, ...c.resets.map((x) => x.frame), ...c.finFrames, c.clientFirstDataFrame];
    if (frames.some((n) => n !== undefined && evidence.has(n))) addConn(k.key, c.firstFrame, c.lastFrame);
  }
  flows.sort((a, b) => a.firstFrame - b.firstFrame || a.key.localeCompare(b.key));

  const comments = new Map<number, string[]>();
  for (const f of findings) {
    for (const n of new Set(f.evidence.frames)) {
      const list = comments.get(n) ?? [];
      list.push(findingComment(f));
      comments.set(n, list);
    }
  }
  const connections = conns.map((k) => ({ key: k.key, firstFrame: k.c.firstFrame, lastFrame: k.c.lastFrame }));
  return { phoneSelector: phone, phones, findings, exchanges, flows, connections, comments };
}

function messageFrames(x: DusExchange): number[] {
  const h = x.http;
  return [h.request?.frame, h.response?.frame, ...h.interim.map((m) => m.frame)].filter((n): n is number => n !== undefined);
}

function startFrame(x: DusExchange): number {
  return x.http.request?.firstFrame ?? x.http.response?.firstFrame ?? 0;
}
