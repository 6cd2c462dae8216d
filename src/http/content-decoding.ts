// Content-Encoding (RFC 9110 section 8.4.1): undo the codings a sender applied,
// last applied first. Output is capped with zlib's maxOutputLength, so a
// decompression bomb is an error rather than an allocation. Like browsers and
// Wireshark, "deflate" accepts both the zlib wrapper (RFC 1950, what the RFC
// means) and raw deflate (RFC 1951, what some servers send).
import * as zlib from 'node:zlib';
import type { DecodeError } from '../net/decode-error.js';
import { decodeError } from '../net/decode-error.js';

export type ContentDecoded =
  /** `note`: the input was cut short and `bytes` is what could be decoded. */
  | { ok: true; bytes: Uint8Array; note?: DecodeError }
  | { ok: false; error: DecodeError };

/** Decode `body` per a Content-Encoding header value; never more than `maxOutput` bytes. */
export function decodeContent(body: Uint8Array, contentEncoding: string | undefined, maxOutput: number): ContentDecoded {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  let bytes = body;
  let note: DecodeError | undefined;
  for (let k = codings.length - 1; k >= 0; k--) {
    const r = decodeOne(bytes, codings[k], maxOutput);
    if (!r.ok) return r;
    bytes = r.bytes;
    // A cut inner layer leaves the outer ones cut too; report the first cut.
    note ??= r.note;
  }
  if (bytes.length > maxOutput) {
    return { ok: false, error: tooLarge(maxOutput) };
  }
  return note ? { ok: true, bytes, note } : { ok: true, bytes };
}

type Inflate = (buf: Uint8Array, opts: zlib.ZlibOptions & zlib.BrotliOptions) => Buffer;

function decodeOne(body: Uint8Array, coding: string, maxOutput: number): ContentDecoded {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return run(body, coding, maxOutput, zlib.gunzipSync, zlib.constants.Z_SYNC_FLUSH);
    case 'deflate':
      return run(body, coding, maxOutput, looksZlibWrapped(body) ? zlib.inflateSync : zlib.inflateRawSync, zlib.constants.Z_SYNC_FLUSH);
    case 'br':
      return run(body, coding, maxOutput, zlib.brotliDecompressSync, zlib.constants.BROTLI_OPERATION_FLUSH);
    default:
      return {
        ok: false,
        error: decodeError('http', 'http.unsupported-content-encoding', 0, { detail: `content coding "${coding}"` }),
      };
  }
}

/** RFC 1950 header: CM = 8 and the 16-bit header a multiple of 31. */
function looksZlibWrapped(b: Uint8Array): boolean {
  return b.length >= 2 && (b[0] & 0x0f) === 8 && ((b[0] << 8) | b[1]) % 31 === 0;
}

function run(body: Uint8Array, coding: string, maxOutput: number, fn: Inflate, partialFlush: number): ContentDecoded {
  try {
    return { ok: true, bytes: fn(body, { maxOutputLength: maxOutput }) };
  } catch (e) {
    if (isTooLarge(e)) return { ok: false, error: tooLarge(maxOutput) };
    const first = e instanceof Error ? e.message : String(e);
    // Cut short? Decode again without insisting on the end of the stream.
    try {
      const partial = fn(body, { maxOutputLength: maxOutput, finishFlush: partialFlush, flush: undefined });
      if (partial.length > 0 || /unexpected end/i.test(first)) {
        return {
          ok: true,
          bytes: partial,
          note: decodeError('http', 'http.content-truncated', 0, { detail: `${coding}: ${first}; ${partial.length} bytes decoded` }),
        };
      }
    } catch (e2) {
      if (isTooLarge(e2)) return { ok: false, error: tooLarge(maxOutput) };
    }
    return { ok: false, error: decodeError('http', 'http.bad-content-encoding', 0, { detail: `${coding}: ${first}` }) };
  }
}

function isTooLarge(e: unknown): boolean {
  return e instanceof RangeError || (typeof e === 'object' && e !== null && (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE');
}

function tooLarge(max: number): DecodeError {
  return decodeError('http', 'http.content-too-large', 0, { detail: `decoded content over ${max} bytes` });
}
