import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UPX_CODES } from '../../src/dus/upx-codes.js';

describe('UPX_CODES', () => {
  it('declares every code the dus sources can emit, and no other', () => {
    const dir = fileURLToPath(new URL('../../src/dus/', import.meta.url));
    const used = new Set<string>();
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.ts') || f === 'upx-codes.ts') continue;
      for (const m of readFileSync(dir + f, 'utf8').matchAll(/'(upx\.[a-z0-9-]+)'/g)) used.add(m[1]);
    }
    expect([...used].sort()).toEqual(Object.keys(UPX_CODES).sort());
  });
});
