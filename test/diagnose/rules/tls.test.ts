import { describe, expect, it } from 'vitest';
import { tlsRule } from '../../../src/diagnose/rules/tls.js';
import type { FlowInfo } from '../../../src/reassembly/stream-event.js';
import type { TlsUndecryptableEvent, TlsUndecryptableReason } from '../../../src/tls/tls-session.js';
import { model } from './builders.js';

function flow(port = 443, index = 0): FlowInfo {
  return { index, client: { ip: '10.0.0.5', port: 49200 + index }, server: { ip: '10.0.0.1', port }, firstFrame: 1, sawSyn: true };
}

function undecryptable(reason: TlsUndecryptableReason, f = flow(), clientHelloFrame: number | null = 4): TlsUndecryptableEvent {
  const e: TlsUndecryptableEvent = { kind: 'tls-undecryptable', flow: f, frame: 9, reason, detail: 'test' };
  if (clientHelloFrame !== null) e.clientHelloFrame = clientHelloFrame;
  return e;
}

function withTls(events: TlsUndecryptableEvent[]) {
  const m = model();
  m.tls = { sessions: [], undecryptable: events, alerts: [] };
  return m;
}

describe('tls rule', () => {
  it('reports a TLS connection the layer could not decrypt, on its ClientHello frame', () => {
    const [f, ...rest] = tlsRule.run(withTls([undecryptable('no-key')]));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ code: 'tls-undecryptable', severity: 'info', phone: { ip: '10.0.0.5' }, evidence: { frames: [4] } });
    expect(f.message).toMatch(/starting in frame 4/);
    expect(f.message).toMatch(/most likely an HTTPS check-in/);
    expect(f.remedy).not.toBe('');
  });

  it.each([
    ['no-key', /no key was given/],
    ['key-mismatch', /does not match the server's certificate/],
    ['needs-key-log', /only a key log/],
    ['handshake-missing', /handshake is not in the capture/],
    ['unsupported-cipher', /cipher suite/],
    ['decrypt-failed', /did not decrypt/],
  ] as const)('says why for %s', (reason, why) => {
    expect(tlsRule.run(withTls([undecryptable(reason)]))[0].message).toMatch(why);
  });

  it('works on any port, and falls back to the frame the layer gave up at', () => {
    const [f] = tlsRule.run(withTls([undecryptable('no-key', flow(8443), null)]));
    expect(f.message).not.toMatch(/HTTPS check-in/);
    expect(f.evidence.frames).toEqual([9]);
  });

  it('is quiet when every TLS connection was decrypted', () => {
    expect(tlsRule.run(withTls([]))).toEqual([]);
    expect(tlsRule.run(model())).toEqual([]);
  });
});
