// The decode cache must answer exactly what decoding answers, and never let a
// hash stand in for the bytes it is supposed to describe.
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { cachedDecode, clearUpxDecodeCache, UPX_CACHE_ENTRIES, UPX_CACHE_MAX_BODY } from '../../src/dus/upx-decode-cache.js';
import { decodeUpx } from '../../src/dus/upx-codec.js';
import { fixture, utf8 } from './helpers.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const decodeReq = (b: Uint8Array) => () => decodeUpx(b, { kind: 'request' });

describe('cachedDecode', () => {
  beforeEach(() => clearUpxDecodeCache());

  it('gives what decoding gives, the second time from the cache', () => {
    for (const name of ['canonical-request.xml', 'seed-checkin-1-request.xml', 'seed-checkin-2-request.xml']) {
      const body = fixture(name);
      const first = cachedDecode(body, sha(body), 'request', decodeReq(body));
      let calls = 0;
      const again = cachedDecode(new Uint8Array(body), sha(body), 'request', () => {
        calls++;
        return decodeUpx(body, { kind: 'request' });
      });
      expect(calls).toBe(0);
      expect(again).toBe(first);
      expect(again).toEqual(decodeUpx(body, { kind: 'request' }));
    }
  });

  it('decodes again when the bytes differ from what the hash was first given with', () => {
    const a = utf8('<Request><MacAddress>001122334455</MacAddress></Request>');
    const b = utf8('<Request><MacAddress>00112233445X</MacAddress></Request>');
    const ra = cachedDecode(a, 'same', 'request', decodeReq(a));
    const rb = cachedDecode(b, 'same', 'request', decodeReq(b));
    expect(rb).toEqual(decodeUpx(b, { kind: 'request' }));
    expect(rb).not.toEqual(ra);
    // And the newer bytes now own the entry.
    expect(cachedDecode(b, 'same', 'request', () => expect.fail('should be cached'))).toBe(rb);
  });

  it('keeps kinds (and anything else in the tag) apart', () => {
    const body = fixture('canonical-request.xml');
    const asReq = cachedDecode(body, sha(body), 'request', decodeReq(body));
    const asRes = cachedDecode(body, sha(body), 'response', () => decodeUpx(body, { kind: 'response' }));
    expect(asRes).toEqual(decodeUpx(body, { kind: 'response' }));
    expect(asRes).not.toEqual(asReq);
  });

  it('freezes what it shares, errors included', () => {
    const good = fixture('canonical-request.xml');
    const r = cachedDecode(good, sha(good), 'request', decodeReq(good));
    expect(r.ok && Object.isFrozen(r.value.files[0])).toBe(true);
    const bad = utf8('<Request><Mac>');
    const e = cachedDecode(bad, sha(bad), 'request', decodeReq(bad));
    expect(e.ok).toBe(false);
    expect(Object.isFrozen(e)).toBe(true);
  });

  it('forgets the oldest entry past its bound, and does not keep large bodies', () => {
    const bodies = Array.from({ length: UPX_CACHE_ENTRIES + 1 }, (_, i) => utf8(`<Request><Model>${i}</Model></Request>`));
    for (const b of bodies) cachedDecode(b, sha(b), 'request', decodeReq(b));
    let calls = 0;
    const count = (b: Uint8Array) => () => {
      calls++;
      return decodeUpx(b, { kind: 'request' });
    };
    cachedDecode(bodies[UPX_CACHE_ENTRIES], sha(bodies[UPX_CACHE_ENTRIES]), 'request', count(bodies[UPX_CACHE_ENTRIES]));
    expect(calls).toBe(0);
    cachedDecode(bodies[0], sha(bodies[0]), 'request', count(bodies[0]));
    expect(calls).toBe(1);
    const big = utf8(`<Request><Model>${'x'.repeat(UPX_CACHE_MAX_BODY)}</Model></Request>`);
    cachedDecode(big, sha(big), 'request', count(big));
    cachedDecode(big, sha(big), 'request', count(big));
    expect(calls).toBe(3);
  });
});
