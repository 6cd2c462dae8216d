// Everything in an analysis that names a device, a host or a person, handed
// to the Redactor before any file is written, in a fixed order (phones first)
// so the same capture always gets the same pseudonyms.
import type { AnalysisResult } from '../analysis.js';
import { headerValue, type HttpMessage } from '../http/message.js';
import type { Redactor } from '../report/redact.js';

function urlHost(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(url.trim());
  return m ? m[1].replace(/^\[|\]$/g, '') : undefined;
}

function hostOrIp(r: Redactor, h: string | undefined): void {
  if (!h) return;
  const host = h.trim().replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':')) r.addIp(host);
  else r.addHost(host);
}

function fromMessage(r: Redactor, m: HttpMessage | null): void {
  if (!m) return;
  if (m.type === 'request') {
    hostOrIp(r, headerValue(m.headers, 'host'));
    hostOrIp(r, urlHost(m.uri));
  } else {
    hostOrIp(r, urlHost(headerValue(m.headers, 'location')));
  }
  for (const h of m.headers) {
    // Basic credentials name a user (RFC 7617 section 2: base64 of user-id ":" password).
    const basic = /^(?:proxy-)?authorization$/i.test(h.name) ? /^\s*basic\s+([A-Za-z0-9+/=]+)/i.exec(h.value) : null;
    if (basic) {
      const pair = Buffer.from(basic[1], 'base64').toString('utf8');
      const user = pair.split(':')[0].replace(/^.*\\/, '');
      if (user) r.addUser(user);
    }
  }
}

/** Register every identifier the analysis knows of, phones first. */
export function registerIdentifiers(r: Redactor, a: AnalysisResult): void {
  const m = a.model;
  for (const p of m.phones) {
    if (p.mac) r.addMac(p.mac);
    for (const ip of p.ips) r.addIp(ip);
    for (const s of p.serials) r.addSerial(s);
  }
  for (const f of a.findings) {
    if (f.phone.mac) r.addMac(f.phone.mac);
    if (f.phone.ip) r.addIp(f.phone.ip);
  }
  for (const x of m.exchanges) {
    r.addIp(x.http.client.ip);
    r.addIp(x.http.server.ip);
    fromMessage(r, x.http.request);
    fromMessage(r, x.http.response);
    const q = x.upxRequest?.ok ? x.upxRequest.value : undefined;
    if (q?.macAddress) r.addMac(q.macAddress.raw);
    if (q?.serialNumber) r.addSerial(q.serialNumber);
    const s = x.upxResponse?.ok ? x.upxResponse.value : undefined;
    if (s) {
      hostOrIp(r, urlHost(s.updatesServerInternalUrl));
      hostOrIp(r, urlHost(s.updatesServerExternalUrl));
      for (const f of s.files) hostOrIp(r, urlHost(f.url));
    }
  }
  for (const c of m.connections) {
    r.addIp(c.client.ip);
    r.addIp(c.server.ip);
  }
  // What the inventory or a known-good body names appears in the expected-vs-actual views.
  const inv = m.inventory;
  if (inv) {
    hostOrIp(r, inv.server);
    hostOrIp(r, inv.externalServer);
    for (const t of inv.testDevices) {
      if (t.mac) r.addMac(t.mac);
      if (t.serial) r.addSerial(t.serial);
    }
  }
  const e = m.expected;
  if (e) {
    hostOrIp(r, urlHost(e.updatesServerInternalUrl));
    hostOrIp(r, urlHost(e.updatesServerExternalUrl));
    for (const f of e.files) hostOrIp(r, urlHost(f.url));
  }
  for (const mac of Object.values(m.macOfClient ?? {})) r.addMac(mac);
  const d = m.discovery;
  if (d) {
    for (const l of d.lookups) {
      r.addIp(l.client.ip);
      if (l.client.mac) r.addMac(l.client.mac);
      r.addIp(l.server.ip);
      r.addHost(l.name);
      for (const ans of l.response?.answers ?? []) {
        r.addHost(ans.name);
        hostOrIp(r, ans.value);
      }
    }
    for (const c of d.dhcpClients) {
      r.addMac(c.mac);
      if (c.hostname) r.addHost(c.hostname);
      for (const rep of c.replies) {
        r.addIp(rep.serverIp);
        if (rep.serverId) r.addIp(rep.serverId);
        r.addIp(rep.yiaddr);
        for (const ip of rep.dnsServers ?? []) r.addIp(ip);
        if (rep.domainName) r.addHost(rep.domainName);
        for (const n of rep.domainSearch ?? []) r.addHost(n);
        const sip = rep.sipServers;
        if (sip && 'names' in sip) for (const n of sip.names) r.addHost(n);
        if (sip && 'addresses' in sip) for (const ip of sip.addresses) r.addIp(ip);
      }
    }
  }
}
