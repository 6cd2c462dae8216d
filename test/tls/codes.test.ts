// The TLS code table is the contract: every 'tls.*' code the layer's sources
// can produce is declared, and every declared code is produced somewhere.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { TLS_CODES } from '../../src/tls/tls-codes.js';

it('declares exactly the codes src/tls uses', () => {
  const dir = fileURLToPath(new URL('../../src/tls/', import.meta.url));
  const used = new Set<string>();
  for (const f of readdirSync(dir)) {
    if (f === 'tls-codes.ts') continue;
    for (const m of readFileSync(dir + f, 'utf8').matchAll(/'(tls\.[a-z0-9-]+)'/g)) used.add(m[1]);
  }
  expect([...used].sort()).toEqual(Object.keys(TLS_CODES).sort());
});
