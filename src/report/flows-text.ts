// `upxray flows` as text: one line per HTTP exchange, in the spirit of
// `tshark -Y http`, with the frames to type into Wireshark's filter bar.
import type { ExchangeJson, FlowsDocument } from './flows-json.js';
import { terminalSafe } from './terminal-safe.js';

function hostPort(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

function frames(first: number, last: number): string {
  return first === last ? `${last}` : `${first}-${last}`;
}

function line(x: ExchangeJson): string {
  const req = x.request;
  const res = x.response;
  const reqPart = req
    ? `${frames(req.firstFrame, req.frame).padStart(9)} ${terminalSafe(req.method)} ${terminalSafe(req.uri)}` +
      (req.bodySize > 0 ? ` (${req.bodySize} B)` : '')
    : `${'-'.padStart(9)} (request not in capture)`;
  const resPart = res
    ? `${frames(res.firstFrame, res.frame)}: ${res.status} ${terminalSafe(res.reason)} (${res.bodySize} B${res.complete ? '' : ', incomplete'})`
    : 'no response';
  const where = `${hostPort(x.client)} -> ${hostPort(x.server)}`;
  return `${x.id.padEnd(6)} ${where}  ${reqPart}  => ${resPart}`;
}

export function renderFlowsText(doc: FlowsDocument): string {
  const out: string[] = [];
  for (const c of doc.captures) {
    const t = c.stats.tcp;
    out.push(
      `${terminalSafe(c.path)}: ${c.format}${c.gzip ? ' (gzip)' : ''}, ${c.records} frames, ${t.flows} TCP connection(s)` +
        (t.gaps > 0 ? `, ${t.gaps} hole(s) (${t.gapBytes} bytes not captured)` : '') +
        (t.retransmissions > 0 ? `, ${t.retransmissions} retransmission(s)` : ''),
    );
  }
  if (doc.exchanges.length === 0) out.push('no HTTP exchanges found');
  for (const x of doc.exchanges) out.push(line(x));
  for (const w of doc.warnings) {
    const where = w.frame !== undefined ? `frame ${w.frame}` : `offset ${w.offset}`;
    out.push(`warning: ${w.capture ? `${terminalSafe(w.capture)}: ` : ''}${w.code} at ${where}${w.detail ? `: ${terminalSafe(w.detail)}` : ''}`);
  }
  return out.join('\n') + '\n';
}
