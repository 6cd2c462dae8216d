// Bytes -> text for ucdevice.upx bodies, and text positions -> byte offsets.
// Windows devices and IIS may send UTF-16 with or without a byte-order mark
// (shared/protocol/ucdevice-upx.md section 4), so the encoding is taken from
// the bytes (BOM, or the zero bytes of a leading '<' or whitespace), never
// from the XML declaration. Errors must name a byte offset in the original
// body, so every text index can be mapped back, counting UTF-16 code units
// the way the WHATWG UTF-8 decoder (TextDecoder) emits them.

import type { UpxEncoding } from './upx-types.js';

/** A body as text, with what is needed to map text indexes back to bytes. */
export interface BodyText {
  text: string;
  encoding: UpxEncoding;
  bom: boolean;
  /** Byte offset of the first character (after the BOM). */
  start: number;
  /** Byte offset of the first invalid UTF-8 sequence, when there is one. */
  badUtf8At?: number;
  /** UTF-16 body with an odd length: offset of the lone last byte (ignored). */
  oddByteAt?: number;
}

/** Decode a body's bytes into text. Never throws; bad bytes become U+FFFD. */
export function decodeBodyText(body: Uint8Array): BodyText {
  const b0 = body[0];
  const b1 = body[1];
  if (body.length >= 3 && b0 === 0xef && b1 === 0xbb && body[2] === 0xbf) return utf8(body, 3, true);
  if (body.length >= 2 && b0 === 0xff && b1 === 0xfe) return utf16(body, 2, true, true);
  if (body.length >= 2 && b0 === 0xfe && b1 === 0xff) return utf16(body, 2, false, true);
  // No BOM. XML starts with '<' or whitespace, both ASCII: in UTF-16 one of
  // the first two bytes is zero, and which one tells the byte order.
  if (body.length >= 2 && b0 !== 0 && b1 === 0) return utf16(body, 0, true, false);
  if (body.length >= 2 && b0 === 0 && b1 !== 0) return utf16(body, 0, false, false);
  return utf8(body, 0, false);
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function utf8(body: Uint8Array, start: number, bom: boolean): BodyText {
  const text = utf8Decoder.decode(body.subarray(start));
  const out: BodyText = { text, encoding: 'utf-8', bom, start };
  // U+FFFD is either in the data or stands for bad bytes: only walk to find out.
  if (text.includes('\ufffd')) {
    const bad = firstBadUtf8(body, start);
    if (bad >= 0) out.badUtf8At = bad;
  }
  return out;
}

function utf16(body: Uint8Array, start: number, le: boolean, bom: boolean): BodyText {
  const units = (body.length - start) >> 1;
  const parts: string[] = [];
  const CHUNK = 8192;
  for (let u = 0; u < units; u += CHUNK) {
    const n = Math.min(CHUNK, units - u);
    const codes = new Array<number>(n);
    for (let k = 0; k < n; k++) {
      const at = start + 2 * (u + k);
      codes[k] = le ? body[at] | (body[at + 1] << 8) : (body[at] << 8) | body[at + 1];
    }
    parts.push(String.fromCharCode(...codes));
  }
  const out: BodyText = { text: parts.join(''), encoding: le ? 'utf-16le' : 'utf-16be', bom, start };
  if ((body.length - start) % 2 === 1) out.oddByteAt = body.length - 1;
  return out;
}

/**
 * One step of the WHATWG UTF-8 decoder from byte `i`: how many bytes it
 * consumes and how many UTF-16 code units it emits, and whether it was valid.
 * An invalid sequence consumes its maximal valid prefix (at least one byte) and
 * emits one U+FFFD, exactly as TextDecoder does, so the counts stay in step.
 */
function utf8Step(b: Uint8Array, i: number): { bytes: number; units: number; valid: boolean } {
  const lead = b[i];
  if (lead < 0x80) return { bytes: 1, units: 1, valid: true };
  let need: number;
  let lower = 0x80;
  let upper = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) need = 1;
  else if (lead >= 0xe0 && lead <= 0xef) {
    need = 2;
    if (lead === 0xe0) lower = 0xa0;
    if (lead === 0xed) upper = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    need = 3;
    if (lead === 0xf0) lower = 0x90;
    if (lead === 0xf4) upper = 0x8f;
  } else return { bytes: 1, units: 1, valid: false };
  for (let k = 1; k <= need; k++) {
    const c = b[i + k];
    // Past the end, or out of range: the prefix so far becomes one U+FFFD.
    if (c === undefined || c < lower || c > upper) return { bytes: k, units: 1, valid: false };
    lower = 0x80;
    upper = 0xbf;
  }
  return { bytes: need + 1, units: need === 3 ? 2 : 1, valid: true };
}

function firstBadUtf8(b: Uint8Array, start: number): number {
  for (let i = start; i < b.length; ) {
    const s = utf8Step(b, i);
    if (!s.valid) return i;
    i += s.bytes;
  }
  return -1;
}

/**
 * A function from text index (UTF-16 code unit) to byte offset in the body.
 * An index inside a character maps to the character's first byte; an index at
 * or past the end maps to the body's length. Queries in rising order cost
 * linear time in total (the walk resumes where the last one stopped).
 */
export function offsetMapper(body: Uint8Array, t: BodyText): (index: number) => number {
  if (t.encoding !== 'utf-8') {
    return (index) => Math.min(body.length, t.start + 2 * Math.max(0, index));
  }
  // Pure ASCII: one byte per code unit.
  if (body.length - t.start === t.text.length) {
    return (index) => Math.min(body.length, t.start + Math.max(0, index));
  }
  let unit = 0;
  let byte = t.start;
  return (index) => {
    if (index < unit) {
      unit = 0;
      byte = t.start;
    }
    while (byte < body.length) {
      const s = utf8Step(body, byte);
      if (unit + s.units > index) return byte;
      unit += s.units;
      byte += s.bytes;
    }
    return body.length;
  };
}
