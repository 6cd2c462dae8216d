// Discovery faults (shared/protocol/findings.md, DNS and DHCP rows): a phone
// with no signed-in user finds the Device Update Service through
// `ucupdates-r2.<DHCP domain>`, which must be an A record (a CNAME is a known
// cause of failure, seed comments 13, 17, 21), and it needs DHCP options 6,
// 15 and 120, plus option 43 with the UC provisioning sub-options when it
// asks with vendor class MS-UC-Client. Pure functions of the discovery facts.
import {
  DHCP_ACK,
  DHCP_OPT_DNS_SERVERS,
  DHCP_OPT_DOMAIN_NAME,
  DHCP_OPT_SIP_SERVERS,
  DHCP_OPT_VENDOR_SPECIFIC,
  MS_UC_CLIENT,
} from '../../net/dhcp.js';
import { DNS_TYPE_A, DNS_TYPE_ANY, DNS_TYPE_CNAME, dnsRcodeName } from '../../net/dns.js';
import type { DhcpClientFact, DhcpReplyFact, DiscoveryFacts, DnsLookupFact } from '../../dus/discovery.js';
import { normalizeMac } from '../../dus/mac-address.js';
import { catalogueEntry, type FindingCode } from '../catalogue.js';
import type { Finding, PhoneRef } from '../finding.js';
import type { Rule } from '../diagnose.js';
import type { DusModel } from '../../dus/model.js';

/** Vendor classes that mark a DHCP client as a UC phone (OCPE asks for its VLAN with CPE-OCPHONE). */
const PHONE_VENDOR_CLASSES = [MS_UC_CLIENT, 'CPE-OCPHONE'];

/** MS-UC-Client sub-options of option 43 and what each carries. */
const UC_SUB_OPTIONS: ReadonlyArray<[code: number, what: string]> = [
  [1, 'UC identifier'],
  [2, 'URL scheme'],
  [3, 'web server FQDN'],
  [4, 'web server port'],
  [5, 'certificate provisioning path'],
];

function make(code: FindingCode, phone: PhoneRef, message: string, remedy: string, frames: number[]): Finding {
  return {
    code,
    severity: catalogueEntry(code).severity,
    phone,
    message,
    remedy,
    evidence: { frames: [...new Set(frames)].sort((a, b) => a - b) },
  };
}

/** Phone MACs (normalised) by the addresses DHCP acked to them. */
function macsByIp(facts: DiscoveryFacts): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of facts.dhcpClients) {
    const mac = normalizeMac(c.mac);
    if (!mac) continue;
    for (const r of c.replies) if (r.messageType === DHCP_ACK && r.yiaddr !== '0.0.0.0') out.set(r.yiaddr, mac);
  }
  return out;
}

function lookupFrames(l: DnsLookupFact): number[] {
  return l.response ? [...l.queryFrames, l.response.frame] : [...l.queryFrames];
}

function framesText(frames: readonly number[]): string {
  return frames.length === 1 ? `frame ${frames[0]}` : `frames ${frames.join(', ')}`;
}

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The CNAME target when the answer makes the asked name an alias. */
function cnameTarget(l: DnsLookupFact): string | undefined {
  return l.response?.answers.find((a) => a.type === DNS_TYPE_CNAME && sameName(a.name, l.name))?.value;
}

/** The address when the answer holds an A record owned by the asked name itself. */
function directAddress(l: DnsLookupFact): string | undefined {
  return l.response?.answers.find((a) => a.type === DNS_TYPE_A && sameName(a.name, l.name))?.value;
}

/**
 * Why a lookup failed to give an address: 'unanswered', a sentence, or
 * undefined when it did not fail (or cannot be told).
 */
function failure(l: DnsLookupFact): 'unanswered' | string | undefined {
  const r = l.response;
  if (!r) return 'unanswered';
  if (r.rcode !== 0) return `${dnsRcodeName(r.rcode)} in frame ${r.frame}`;
  // A truncated answer sends the client to TCP: that retry decides, not this one.
  if (r.tc) return undefined;
  // NOERROR with nothing for A is "no such record" for the phone; for AAAA
  // and the rest it says nothing about the A record.
  if ((l.qtype === DNS_TYPE_A || l.qtype === DNS_TYPE_ANY) && !directAddress(l) && !cnameTarget(l)) {
    return `an answer with no A record in frame ${r.frame}`;
  }
  return undefined;
}

/** One phrase for the failures of a group: answers first, then the queries nothing answered. */
function failureText(failed: ReadonlyArray<readonly [DnsLookupFact, string]>): string {
  const parts = [...new Set(failed.filter(([, w]) => w !== 'unanswered').map(([, w]) => w))];
  const silent = failed.filter(([, w]) => w === 'unanswered').flatMap(([l]) => l.queryFrames);
  if (silent.length > 0) parts.push(`no response to the ${silent.length === 1 ? 'query' : 'queries'} in ${framesText(silent)}`);
  return parts.join('; ');
}

/**
 * `ucupdates-cname` and `ucupdates-unresolved`, one per client and name:
 * CNAME when any answer makes the name an alias; unresolved when nothing
 * gave the name an address and some lookup failed (error rcode, an A query
 * answered with no A, or a query never answered in the capture).
 */
export function ucupdatesFindings(facts: DiscoveryFacts): Finding[] {
  const macs = macsByIp(facts);
  const groups = new Map<string, DnsLookupFact[]>();
  for (const l of facts.lookups) {
    const k = `${l.client.ip}|${l.name.toLowerCase()}`;
    const g = groups.get(k);
    if (g) g.push(l);
    else groups.set(k, [l]);
  }
  const out: Finding[] = [];
  for (const lookups of groups.values()) {
    const first = lookups[0];
    const mac = macs.get(first.client.ip);
    const phone: PhoneRef = mac ? { mac, ip: first.client.ip } : { ip: first.client.ip };
    const name = first.name.toLowerCase();

    const aliased = lookups.filter((l) => cnameTarget(l) !== undefined);
    if (aliased.length > 0) {
      const target = cnameTarget(aliased[0])!;
      const frames = aliased.flatMap(lookupFrames);
      const addr = aliased[0].response?.answers.find((a) => a.type === DNS_TYPE_A)?.value;
      out.push(
        make(
          'ucupdates-cname',
          phone,
          `${name}, asked by ${first.client.ip}, is a CNAME for ${target} (${framesText(frames)}); the phone needs an A record.`,
          `Delete the CNAME ${name} and create an A record of that name${addr ? ` for ${addr}` : ''}, the address of the pool or server running the Device Update Service.`,
          frames,
        ),
      );
      continue;
    }
    if (lookups.some((l) => directAddress(l) !== undefined)) continue;
    const failed = lookups.map((l) => [l, failure(l)] as const).filter((x): x is readonly [DnsLookupFact, string] => x[1] !== undefined);
    if (failed.length === 0) continue;
    const frames = failed.flatMap(([l]) => lookupFrames(l));
    const why = failureText(failed);
    out.push(
      make(
        'ucupdates-unresolved',
        phone,
        `${name}, asked by ${first.client.ip}, got no address: ${why}.`,
        `Create an A record ${name} for the pool or server running the Device Update Service, in the DNS zone the phones' DHCP domain names${
          failed.some(([l]) => !l.response || l.response.rcode === 2) ? ', and check that the DNS server can answer for that zone' : ''
        }.`,
        frames,
      ),
    );
  }
  return out;
}

function isPhone(c: DhcpClientFact, phoneMacs: ReadonlySet<string>): boolean {
  const mac = normalizeMac(c.mac);
  if (mac && phoneMacs.has(mac)) return true;
  return c.vendorClasses.some((v) => PHONE_VENDOR_CLASSES.some((p) => v.startsWith(p)));
}

/** What a reply lacks for this client: option numbers with a short reason. */
function missingIn(r: DhcpReplyFact, askedUc: boolean): string[] {
  const missing: string[] = [];
  const has = (code: number) => r.optionCodes.includes(code);
  if (askedUc) {
    const uc = r.vendorSpecific?.ucClient;
    if (!has(DHCP_OPT_VENDOR_SPECIFIC)) missing.push('43 (UC provisioning data for MS-UC-Client)');
    else if (!uc || uc.ucIdentifier !== MS_UC_CLIENT) missing.push('43 with MS-UC-Client data (sub-option 1 is not MS-UC-Client)');
    else {
      const lacking = UC_SUB_OPTIONS.filter(([code]) => !uc.codes.includes(code)).map(([code, what]) => `${code} ${what}`);
      if (lacking.length > 0) missing.push(`43 sub-options ${lacking.join(', ')}`);
    }
  }
  if (!has(DHCP_OPT_SIP_SERVERS)) missing.push('120 (SIP server)');
  else if (!r.sipServers || 'undecodable' in r.sipServers) missing.push('120 (SIP server, not decodable)');
  if (!has(DHCP_OPT_DNS_SERVERS)) missing.push('6 (DNS servers)');
  if (!has(DHCP_OPT_DOMAIN_NAME)) missing.push('15 (domain name)');
  return missing;
}

export interface DhcpRuleOptions {
  /** MACs known to be phones from elsewhere (check-ins), in any spelling. */
  phoneMacs?: Iterable<string>;
}

/**
 * `dhcp-options-missing`, one per phone: the OFFERs and ACKs to a client that
 * asked with a UC vendor class (or is a known phone) that lack 6, 15 or 120,
 * or, when it asked as MS-UC-Client, option 43 with the UC sub-options.
 */
export function dhcpFindings(facts: DiscoveryFacts, opts: DhcpRuleOptions = {}): Finding[] {
  const known = new Set<string>();
  for (const m of opts.phoneMacs ?? []) {
    const n = normalizeMac(m);
    if (n) known.add(n);
  }
  const out: Finding[] = [];
  for (const c of facts.dhcpClients) {
    if (!isPhone(c, known)) continue;
    const askedUc = c.vendorClasses.includes(MS_UC_CLIENT);
    const lacking: Array<[DhcpReplyFact, string[]]> = [];
    for (const r of c.replies) {
      const m = missingIn(r, askedUc);
      if (m.length > 0) lacking.push([r, m]);
    }
    if (lacking.length === 0) continue;
    const mac = normalizeMac(c.mac);
    const ack = [...c.replies].reverse().find((r) => r.messageType === DHCP_ACK && r.yiaddr !== '0.0.0.0');
    const phone: PhoneRef = { ...(mac ? { mac } : {}), ...(ack ? { ip: ack.yiaddr } : {}) };
    const missing = [...new Set(lacking.flatMap(([, m]) => m))];
    const replies = lacking.map(([r]) => `${r.messageType === DHCP_ACK ? 'ACK' : 'OFFER'} in frame ${r.frame} from ${r.serverIp}`);
    out.push(
      make(
        'dhcp-options-missing',
        phone,
        `DHCP ${replies.join(', ')} to ${c.mac}${askedUc ? ' (vendor class MS-UC-Client)' : ''} lacks option ${missing.join(', ')}.`,
        `On the DHCP server for the phones' scope, add option ${missing
          .map((m) => m.split(' ')[0])
          .filter((v, i, a) => a.indexOf(v) === i)
          .join(', ')}${askedUc ? '; option 43 goes in a vendor class MS-UC-Client with sub-options 1 to 5 (identifier, https, web server FQDN, port 443, certificate provisioning path)' : ''}.`,
        lacking.map(([r]) => r.frame),
      ),
    );
  }
  return out;
}

/** The discovery family as a Rule over the model (facts collected from DNS and DHCP in the capture). */
export const discoveryRule: Rule = {
  scope: 'capture',
  codes: ['ucupdates-cname', 'ucupdates-unresolved', 'dhcp-options-missing'],
  run(m: DusModel): Finding[] {
    if (!m.discovery) return [];
    const phoneMacs = m.phones.map((p) => p.mac).filter((mac): mac is string => mac !== undefined);
    return [...ucupdatesFindings(m.discovery), ...dhcpFindings(m.discovery, { phoneMacs })];
  },
};
