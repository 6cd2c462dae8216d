// Shared helpers of the ucdevice.upx codec tests: fixtures, encodings, and
// unwrapping a Decoded value with a readable failure.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Decoded, DecodeError } from '../../src/net/decode-error.js';

/** A fixture's bytes. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))));
}

/** A fixture as text. */
export function fixtureText(name: string): string {
  return new TextDecoder().decode(fixture(name));
}

export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** UTF-16 bytes of `s`, little- or big-endian, with or without a byte-order mark. */
export function utf16(s: string, le: boolean, bom: boolean): Uint8Array {
  const t = bom ? '\ufeff' + s : s;
  const out = new Uint8Array(t.length * 2);
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    out[2 * i + (le ? 0 : 1)] = c & 0xff;
    out[2 * i + (le ? 1 : 0)] = c >> 8;
  }
  return out;
}

/** The value of a successful decode; fails the test with the error otherwise. */
export function value<T>(d: Decoded<T>): T {
  if (!d.ok) expect.fail(`expected a value, got ${JSON.stringify(d.error)}`);
  return d.value;
}

/** The error of a failed decode; fails the test otherwise. */
export function error<T>(d: Decoded<T>): DecodeError {
  if (d.ok) expect.fail('expected an error, got a value');
  return d.error;
}
