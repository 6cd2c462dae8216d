// HTTPS check-ins (port 443, TLS records) cannot be read without the server's
// RSA key or a key log. Say so, and where the handshake starts, so the reader
// knows why a phone's check-ins are missing from the report.
import type { DusModel } from '../../dus/model.js';
import type { Rule } from '../diagnose.js';
import type { Finding } from '../finding.js';
import { connectionOf, finding, phoneOfConnection } from './util.js';

export const tlsRule: Rule = {
  codes: ['tls-undecryptable'],
  run(m: DusModel) {
    // Connections whose HTTP the pipeline did read (decrypted) are not undecryptable.
    const read = new Set(m.exchanges.map((x) => connectionOf(m, x)).filter((c) => c !== undefined));
    const out: Finding[] = [];
    for (const c of m.connections) {
      if (!c.tls || c.clientFirstDataFrame === undefined || read.has(c)) continue;
      const likely = c.server.port === 443 ? ' (most likely an HTTPS check-in)' : '';
      out.push(
        finding(
          'tls-undecryptable',
          phoneOfConnection(m, c),
          `The TLS connection from ${c.client.ip}:${c.client.port} to ${c.server.ip}:${c.server.port}${likely}, ClientHello in frame ${c.clientFirstDataFrame}, cannot be decrypted without a key.`,
          { frames: [c.clientFirstDataFrame], field: `TCP ${c.server.ip}:${c.server.port}` },
        ),
      );
    }
    return out;
  },
};
