import { describe, expect, it } from 'vitest';
import { tlsRule } from '../../../src/diagnose/rules/tls.js';
import { checkIn, connection, model } from './builders.js';

describe('tls rule', () => {
  it('reports a TLS connection that carried data, on its ClientHello frame', () => {
    const c = connection({ firstFrame: 1, synAckFrame: 2, clientFirstDataFrame: 4, tls: true, clientBytes: 998, serverBytes: 2082 });
    const [f, ...rest] = tlsRule.run(model({ connections: [c] }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ code: 'tls-undecryptable', severity: 'info', evidence: { frames: [4] } });
    expect(f.message).toMatch(/ClientHello in frame 4/);
    expect(f.remedy).not.toBe('');
  });

  it('works on any port', () => {
    const c = connection({ firstFrame: 1, server: { ip: '10.0.0.1', port: 8443 }, clientFirstDataFrame: 4, tls: true });
    expect(tlsRule.run(model({ connections: [c] }))).toHaveLength(1);
  });

  it('is quiet for plain connections, TLS with no data, and TLS whose HTTP was read', () => {
    const plain = connection({ firstFrame: 1, clientFirstDataFrame: 4 });
    const empty = connection({ firstFrame: 20, client: { ip: '10.0.0.5', port: 49300 }, tls: true });
    const read = connection({ firstFrame: 40, client: { ip: '10.0.0.5', port: 49400 }, clientFirstDataFrame: 44, tls: true });
    const x = checkIn({ id: '2.1', reqFrame: 46, clientPort: 49400, serverPort: 443 });
    expect(tlsRule.run(model({ exchanges: [x], connections: [plain, empty, read] }))).toEqual([]);
  });
});
