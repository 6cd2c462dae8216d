// Both ends of every connection are one frozen object per address and port,
// shared by the reassembler's flows and the connection log.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analysis.js';
import { CAPTURES } from '../helpers/cli.js';
import { sharedEndpoint } from '../../src/reassembly/shared-endpoint.js';

describe('sharedEndpoint', () => {
  it('hands back one frozen endpoint per address and port, equal to what was asked', () => {
    const a = sharedEndpoint('10.0.0.1', 80);
    expect(a).toEqual({ ip: '10.0.0.1', port: 80 });
    expect(sharedEndpoint('10.0.0.1', 80)).toBe(a);
    expect(sharedEndpoint('10.0.0.1', 443)).not.toBe(a);
    expect(sharedEndpoint('10.0.0.2', 80)).not.toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('stays right past its table size', () => {
    for (let port = 1; port < 20_000; port++) expect(sharedEndpoint('192.0.2.9', port)).toEqual({ ip: '192.0.2.9', port });
  });
});

describe('a real capture', () => {
  it('names each end of a connection with one object in the reassembler, the connection log and the exchanges', async () => {
    const r = await analyzeCapture(join(CAPTURES, 'http-keepalive.pcap'), { stdin: process.stdin });
    expect(r.model.exchanges.length).toBeGreaterThan(1);
    for (const x of r.model.exchanges) {
      const c = r.model.connections.find((k) => k.client.ip === x.http.flow.client.ip && k.client.port === x.http.flow.client.port);
      expect(c).toBeDefined();
      expect(c!.client).toBe(x.http.flow.client);
      expect(c!.server).toBe(x.http.flow.server);
      expect(Object.isFrozen(c!.server)).toBe(true);
    }
  });
});
