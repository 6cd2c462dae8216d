// Both ends of every connection are one frozen object per address and port,
// shared by the reassembler's flows and the connection log.
import { describe, expect, it } from 'vitest';
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
