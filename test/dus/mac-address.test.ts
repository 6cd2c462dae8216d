import { describe, expect, it } from 'vitest';
import { normalizeMac } from '../../src/dus/mac-address.js';

describe('normalizeMac', () => {
  it('removes separators and upper-cases', () => {
    for (const raw of ['0021630F207B', '0021630f207b', '00-21-63-0F-20-7B', '00:21:63:0f:20:7b', '0021.630f.207b', ' 00 21 63 0F 20 7B ']) {
      expect(normalizeMac(raw), raw).toBe('0021630F207B');
    }
  });

  it('is undefined for anything that is not 12 hex digits', () => {
    for (const raw of ['', '0021630F207', '0021630F207B00', '0021630F207G', 'not-a-mac']) expect(normalizeMac(raw), raw).toBeUndefined();
  });
});
