// Shared by the capture-reader tests: read a whole source, and load the
// tshark reference written beside each derived capture.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { openCapture } from '../../src/capture/open.js';
import type { CaptureRecord, CaptureSource } from '../../src/capture/source.js';
import type { DecodeError } from '../../src/net/decode-error.js';

export const DERIVED = join(import.meta.dirname, '..', '..', 'captures', 'derived');

export function derived(name: string): string {
  return join(DERIVED, name);
}

export interface ReadResult {
  source: CaptureSource;
  records: CaptureRecord[];
  warnings: readonly DecodeError[];
  batches: number;
}

/** Read every batch, copying each record's data (it is valid only until the next pull). */
export async function readAll(source: CaptureSource): Promise<ReadResult> {
  const records: CaptureRecord[] = [];
  let batches = 0;
  for await (const batch of source.batches()) {
    batches += 1;
    // Field by field: a pcap record's data is an accessor, which a spread would not copy.
    for (const r of batch) {
      const copy: CaptureRecord = { frame: r.frame, timestampNs: r.timestampNs, linkType: r.linkType, origLen: r.origLen, data: Uint8Array.from(r.data), interfaceId: r.interfaceId };
      if (r.comments !== undefined) copy.comments = r.comments;
      records.push(copy);
    }
  }
  return { source, records, warnings: source.warnings, batches };
}

export async function readFile(name: string): Promise<ReadResult> {
  return readAll(await openCapture(derived(name)));
}

/** Feed bytes through the stdin path, cut into the given chunks. */
export async function readChunks(chunks: Uint8Array[]): Promise<ReadResult> {
  return readAll(await openCapture('-', { stdin: Readable.from(chunks.map((c) => Buffer.from(c))) }));
}

export interface TsharkRow {
  frame: number;
  /** undefined when tshark shows no time (Simple Packet Block). */
  timestampNs: bigint | undefined;
  len: number;
  capLen: number;
  /** undefined for a frame that holds no packet (custom block, journal entry...). */
  interfaceId: number | undefined;
  comments: string[];
}

/** Parse `<file>.tshark.txt`: frame.number, time_epoch, len, cap_len, interface_id, comment. */
export function tshark(name: string): TsharkRow[] {
  const text = readFileSync(derived(`${name}.tshark.txt`), 'utf8');
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [frame, time, len, capLen, iface, comment] = l.split('\t');
      return {
        frame: Number(frame),
        timestampNs: time ? epochToNs(time) : undefined,
        len: Number(len),
        capLen: Number(capLen),
        interfaceId: iface ? Number(iface) : undefined,
        comments: comment ? comment.split('|') : [],
      };
    });
}

function epochToNs(t: string): bigint {
  const [s, frac = ''] = t.split('.');
  return BigInt(s) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9));
}

export function codes(ws: readonly DecodeError[]): string[] {
  return ws.map((w) => w.code);
}
