// Decoded ucdevice.upx bodies, remembered by their bytes. A phone sends the
// same check-in body every time and the server gives many phones the same
// answer, so most bodies of a capture have been decoded before. Decoding is a
// pure function of (bytes, Content-Encoding, kind), so a remembered result is
// the result. The sha256 the HTTP layer already computed finds the entry; the
// bytes themselves are compared before it is used, so a hash that does not
// describe the kept bytes (a body cut short) can only cause a miss.
// Results are shared between exchanges, so they are frozen: nobody may edit a
// decoded body in place.

/** Entries kept; the oldest is forgotten past this (bodies are ~600 bytes). */
export const UPX_CACHE_ENTRIES = 1024;

/** Larger bodies (no real one is over 2 KB) are decoded every time, so the cache stays under ~16 MiB. */
export const UPX_CACHE_MAX_BODY = 16 * 1024;

interface Entry {
  body: Uint8Array;
  result: unknown;
}

const entries = new Map<string, Entry>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** Freeze a decoded value and everything in it (plain objects and arrays only). */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/**
 * The decoded form of `body`, from the cache or from `decode()` (then kept).
 * `tag` names everything besides the bytes that the result depends on (kind,
 * Content-Encoding); `sha256` is the body's hash as the HTTP layer computed it.
 */
export function cachedDecode<R>(body: Uint8Array, sha256: string, tag: string, decode: () => R): R {
  if (body.length > UPX_CACHE_MAX_BODY) return deepFreeze(decode());
  const key = tag + '\u0000' + sha256;
  const hit = entries.get(key);
  if (hit !== undefined && sameBytes(hit.body, body)) return hit.result as R;
  const result = deepFreeze(decode());
  if (hit !== undefined) entries.delete(key);
  else if (entries.size >= UPX_CACHE_ENTRIES) entries.delete(entries.keys().next().value as string);
  // Keep a copy when the body is a view into something bigger, so no read chunk stays pinned.
  const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : new Uint8Array(body);
  entries.set(key, { body: own, result });
  return result;
}

/** Forget every entry (tests). */
export function clearUpxDecodeCache(): void {
  entries.clear();
}
