// The codes the TLS layer reports (style habit 11: one declared table per
// layer). 'anomaly' codes arrive as StreamEvent anomalies on the flow;
// 'record' codes name why one record failed (in a tls.decrypt-failed
// anomaly's detail, or a tls-undecryptable detail); 'key' codes come from
// loading key files; 'premaster' codes from opening an RSA ClientKeyExchange.
// The codes are a contract: diagnose/ and the reporters refer to them.

export type TlsCodeKind = 'anomaly' | 'record' | 'key' | 'premaster';

export const TLS_CODES = {
  'tls.bad-record-header': { kind: 'anomaly', meaning: 'bytes that are not a TLS record header where one was due; the direction is not read further' },
  'tls.record-too-long': { kind: 'anomaly', meaning: 'a record longer than 2^14 + 2048 bytes; the direction is not read further' },
  'tls.handshake-too-long': { kind: 'anomaly', meaning: 'a handshake message over the size cap; the rest of the handshake is not read' },
  'tls.handshake-lost': { kind: 'anomaly', meaning: 'handshake records were not captured: Finished cannot be checked, or this direction cannot be decrypted' },
  'tls.bad-client-hello': { kind: 'anomaly', meaning: 'a ClientHello that does not parse' },
  'tls.bad-server-hello': { kind: 'anomaly', meaning: 'a ServerHello that does not parse' },
  'tls.decrypt-failed': { kind: 'anomaly', meaning: 'a record failed its MAC, tag or padding check after the keys were proven; its plaintext becomes a gap' },
  'tls.finished-mismatch': { kind: 'anomaly', meaning: 'Finished decrypted but its verify_data differs from the captured transcript (handshake bytes missing or altered)' },
  'tls.finished-unchecked': { kind: 'anomaly', meaning: 'Finished could not be checked because the transcript is incomplete or over its cap' },
  'tls.lost-sync': { kind: 'anomaly', meaning: 'record headers were lost under a stream cipher (RC4): the direction cannot be decrypted further' },
  'tls.renegotiation': { kind: 'anomaly', meaning: 'a new handshake inside the session; keys it makes are not followed' },
  'tls.early-data-unread': { kind: 'anomaly', meaning: 'TLS 1.3 0-RTT early data was skipped undecrypted' },
  'tls.no-traffic-secret': { kind: 'anomaly', meaning: 'the key log has the TLS 1.3 handshake secrets but not this side\'s application traffic secret' },
  'tls.premaster-version': { kind: 'anomaly', meaning: 'the RSA pre-master secret does not start with the ClientHello version (an old client bug, or a wrong key by luck; Finished decides)' },
  'tls.bad-record-mac': { kind: 'record', meaning: 'the record MAC does not match' },
  'tls.bad-padding': { kind: 'record', meaning: 'CBC padding is malformed' },
  'tls.bad-record-length': { kind: 'record', meaning: 'the record is too short or not a whole number of cipher blocks' },
  'tls.iv-lost': { kind: 'record', meaning: 'TLS 1.0 CBC: the record after a lost one cannot be read, its IV was the lost record\'s last block' },
  'tls.decrypt-error': { kind: 'record', meaning: 'the AEAD tag does not verify, or the cipher refused the input' },
  'tls.key-needs-password': { kind: 'key', meaning: 'the key file is encrypted and no password was given' },
  'tls.key-unreadable': { kind: 'key', meaning: 'the key file is not a private key node:crypto can read (or the password is wrong)' },
  'tls.key-not-rsa': { kind: 'key', meaning: 'the key is not an RSA key' },
  'tls.pkcs12-unreadable': { kind: 'key', meaning: 'the PKCS#12 file is malformed or holds no usable key bag' },
  'tls.pkcs12-bad-password': { kind: 'key', meaning: 'the PKCS#12 key bag does not open with this password' },
  'tls.rsa-decrypt-failed': { kind: 'premaster', meaning: 'raw RSA refused the encrypted pre-master secret (it does not fit the key)' },
  'tls.rsa-bad-padding': { kind: 'premaster', meaning: 'the decrypted block is not PKCS#1 v1.5 with a 48-byte pre-master secret: wrong key' },
} as const satisfies Record<string, { kind: TlsCodeKind; meaning: string }>;

export type TlsCode = keyof typeof TLS_CODES;
