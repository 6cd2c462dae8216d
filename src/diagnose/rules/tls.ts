// HTTPS check-ins cannot be read without the server's RSA key or a key log.
// The TLS layer says, per connection, why it could not decrypt: no key, a key
// that does not match the certificate, (EC)DHE that needs a key log, a
// handshake not in the capture. Say so, and where the handshake starts, so the
// reader knows why a phone's check-ins are missing from the report.
import type { DusModel } from '../../dus/model.js';
import type { TlsUndecryptableReason } from '../../tls/tls-session.js';
import type { Rule } from '../diagnose.js';
import type { Finding } from '../finding.js';
import { finding } from './util.js';

const WHY: Record<TlsUndecryptableReason, string> = {
  'no-key': 'no key was given for it',
  'key-mismatch': "the RSA key given does not match the server's certificate",
  'needs-key-log': 'it uses (EC)DHE key exchange, which only a key log opens (the RSA key cannot)',
  'handshake-missing': 'its handshake is not in the capture',
  'unsupported-cipher': 'its cipher suite is not one upxray decrypts',
  'decrypt-failed': 'its records did not decrypt with the keys given',
};

export const tlsRule: Rule = {
  scope: 'capture',
  codes: ['tls-undecryptable'],
  run(m: DusModel) {
    const out: Finding[] = [];
    for (const u of m.tls?.undecryptable ?? []) {
      const { client, server } = u.flow;
      const ip = client.ip;
      const mac = m.phones.find((p) => p.mac && p.ips.includes(ip))?.mac ?? m.macOfClient?.[ip];
      const likely = server.port === 443 ? ' (most likely an HTTPS check-in)' : '';
      const frame = u.clientHelloFrame ?? u.frame;
      out.push(
        finding(
          'tls-undecryptable',
          mac ? { mac, ip } : { ip },
          `The TLS connection from ${ip}:${client.port} to ${server.ip}:${server.port}${likely}, starting in frame ${frame}, cannot be decrypted: ${WHY[u.reason]}.`,
          { frames: [frame], field: `tls ${u.reason}` },
        ),
      );
    }
    return out;
  },
};
