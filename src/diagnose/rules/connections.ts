// A check-in that got no answer (findings.md check-in-failed): the SYN was
// never answered or was refused (RST), the connection was reset before the
// server sent anything, or the request went out and the connection ended with
// no response. The phone then shows a WinInet error such as 0x2efd (cannot
// connect) or 0x2ee2 (timeout) (ucdevice-upx.md section 7). This rests on
// packets not being there, so it carries a caveat when the capture has holes.
import type { DusExchange, DusModel, ServiceEnds } from '../../dus/model.js';
import type { ConnectionRecord } from '../../reassembly/connection-log.js';
import type { Endpoint } from '../../reassembly/stream-event.js';
import type { Rule } from '../diagnose.js';
import type { Finding } from '../finding.js';
import { isLegacyFailure } from './legacy-path.js';
import { absenceCaveat, connectionOf, endFrameAfter, finding, phoneOf, phoneOfConnection, quote, targetOf, uniqueFrames } from './util.js';

/** The usual check-in port (HTTPS). */
export const CHECK_IN_PORT = 443;

/**
 * Ports check-ins use in this capture (443 and every port a check-in was seen
 * on), and the servers known to run the service (they answered a check-in or
 * a download): when there are any, connections to other hosts are someone
 * else's HTTPS. The whole capture's, when the model holds only a part of it.
 */
export function serviceEnds(exchanges: Iterable<DusExchange>): ServiceEnds {
  const checkInPorts = new Set([CHECK_IN_PORT]);
  const serviceHosts = new Set<string>();
  for (const x of exchanges) addServiceEnds(x.cls.kind, x.http.server, checkInPorts, serviceHosts);
  return { checkInPorts, serviceHosts };
}

/** Add the server of an exchange of this kind to serviceEnds' sets. */
export function addServiceEnds(kind: DusExchange['cls']['kind'], server: Endpoint, checkInPorts: Set<number>, serviceHosts: Set<string>): void {
  if (kind === 'check-in') checkInPorts.add(server.port);
  if (kind !== 'other') serviceHosts.add(server.ip);
}

function why(c: ConnectionRecord): string | undefined {
  const serverReset = c.resets.find((r) => r.from === 'server');
  if (c.synFrames.length > 0 && c.synAckFrame === undefined && c.serverBytes === 0) {
    if (serverReset) return `was refused: its SYN in frame ${c.synFrames[0]} was answered by a reset in frame ${serverReset.frame}`;
    return `was never answered: ${c.synFrames.length} SYN(s) from frame ${c.synFrames[0]} got no SYN-ACK`;
  }
  if (c.resets.length > 0 && c.serverBytes === 0) {
    const r = c.resets[0];
    return `was reset by the ${r.from} in frame ${r.frame} before the server sent anything`;
  }
  return undefined;
}

function connectionFindings(m: DusModel, exchangesOn: Map<ConnectionRecord, DusExchange[]>): { out: Finding[]; failed: Set<ConnectionRecord> } {
  const out: Finding[] = [];
  const failed = new Set<ConnectionRecord>();
  const { checkInPorts: ports, serviceHosts: hosts } = m.serviceEnds ?? serviceEnds(m.exchanges);
  for (const c of m.connections) {
    if (!ports.has(c.server.port)) continue;
    if (hosts.size > 0 && !hosts.has(c.server.ip)) continue;
    const carried = exchangesOn.get(c) ?? [];
    // A download connection, or one the legacy-path rule explains, is not a failed check-in.
    if (carried.some((x) => x.cls.kind !== 'check-in' || isLegacyFailure(x))) continue;
    if (carried.some((x) => x.http.response !== null)) continue;
    const reason = why(c);
    if (!reason) continue;
    failed.add(c);
    const frames = uniqueFrames([...c.synFrames, ...c.resets.map((r) => r.frame), ...carried.map((x) => x.http.request?.frame)]);
    out.push(
      finding(
        'check-in-failed',
        phoneOfConnection(m, c),
        `The connection from ${c.client.ip}:${c.client.port} to ${c.server.ip}:${c.server.port} ${reason}.`,
        { frames, exchanges: carried.map((x) => x.id), field: `TCP ${c.server.ip}:${c.server.port}` },
        absenceCaveat(m),
      ),
    );
  }
  return { out, failed };
}

export const connectionsRule: Rule = {
  codes: ['check-in-failed'],
  run(m) {
    const exchangesOn = new Map<ConnectionRecord, DusExchange[]>();
    for (const x of m.exchanges) {
      const c = connectionOf(m, x);
      if (!c) continue;
      const list = exchangesOn.get(c) ?? [];
      list.push(x);
      exchangesOn.set(c, list);
    }
    const { out, failed } = connectionFindings(m, exchangesOn);
    // A check-in request that went out and whose connection ended with no answer.
    for (const x of m.exchanges) {
      const q = x.http.request;
      if (x.cls.kind !== 'check-in' || !q || x.http.response !== null || isLegacyFailure(x)) continue;
      const c = connectionOf(m, x);
      if (c && failed.has(c)) continue;
      const end = endFrameAfter(c, q.firstFrame);
      if (!end) continue; // the capture stopped before the connection did
      out.push(
        finding(
          'check-in-failed',
          phoneOf(m, x),
          `The check-in POST to ${quote(targetOf(x))} in frame ${q.frame} got no response before the connection's ${end.how} in frame ${end.frame}.`,
          { frames: uniqueFrames([q.frame, end.frame]), exchanges: [x.id], field: 'request line' },
          absenceCaveat(m),
        ),
      );
    }
    return out;
  },
};
