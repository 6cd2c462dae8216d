import { describe, expect, it } from 'vitest';
import { flowKey } from '../../src/reassembly/flow-key.js';

describe('flowKey', () => {
  it('is the same in both directions', () => {
    expect(flowKey('10.0.0.1', 50000, '10.0.0.2', 80)).toBe(flowKey('10.0.0.2', 80, '10.0.0.1', 50000));
    expect(flowKey('2001:db8::1', 443, 'fe80::1', 51000)).toBe(flowKey('fe80::1', 51000, '2001:db8::1', 443));
  });

  it('orders by port when the addresses are equal (loopback)', () => {
    expect(flowKey('127.0.0.1', 9000, '127.0.0.1', 80)).toBe(flowKey('127.0.0.1', 80, '127.0.0.1', 9000));
  });

  it('tells different 4-tuples apart, including ones that would collide if joined naively', () => {
    const keys = new Set([
      flowKey('10.0.0.1', 50000, '10.0.0.2', 80),
      flowKey('10.0.0.1', 50001, '10.0.0.2', 80),
      flowKey('10.0.0.1', 50000, '10.0.0.3', 80),
      flowKey('10.0.0.1', 5, '10.0.0.2', 180),
      flowKey('10.0.0.1', 51, '10.0.0.2', 80),
      flowKey('2001:db8::1', 80, '2001:db8::2', 80),
    ]);
    expect(keys.size).toBe(6);
  });
});
