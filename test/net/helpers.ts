// A minimal classic-pcap reader for the net tests only (the real readers live
// in src/capture/). It handles the files in fixtures/: either byte order,
// microsecond or nanosecond timestamps.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CaptureRecord } from '../../src/capture/source.js';

export function readFixture(name: string): CaptureRecord[] {
  const buf = readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, true);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nanos = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const linkType = dv.getUint32(20, le);
  const out: CaptureRecord[] = [];
  for (let off = 24; off + 16 <= bytes.length; ) {
    const sec = BigInt(dv.getUint32(off, le));
    const sub = BigInt(dv.getUint32(off + 4, le));
    const inclLen = dv.getUint32(off + 8, le);
    const origLen = dv.getUint32(off + 12, le);
    const data = bytes.subarray(off + 16, off + 16 + inclLen);
    const timestampNs = sec * 1_000_000_000n + (nanos ? sub : sub * 1000n);
    out.push({ frame: out.length + 1, timestampNs, linkType, origLen, data, interfaceId: 0 });
    off += 16 + inclLen;
  }
  return out;
}

/** A copy of the record with new bytes (and origLen to match), for patched frames. */
export function withData(rec: CaptureRecord, data: Uint8Array, linkType = rec.linkType): CaptureRecord {
  return { ...rec, data, origLen: data.length, linkType };
}

/** A copy of `data` with bytes written at `at`. */
export function patch(data: Uint8Array, at: number, ...values: number[]): Uint8Array {
  const c = Uint8Array.from(data);
  values.forEach((v, i) => (c[at + i] = v));
  return c;
}

/** Concatenate byte arrays. */
export function concat(...parts: Array<Uint8Array | number[]>): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}
