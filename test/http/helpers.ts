// Shared test plumbing: load recorded transcripts, turn them into the byte
// streams and frame spans the reassembler would hand over, and feed parsers
// in arbitrary pieces.
import { readFileSync } from 'node:fs';
import { Http1Parser, type HttpEvent } from '../../src/http/http1-parser.js';
import type { HttpMessage } from '../../src/http/message.js';
import type { Direction, FlowInfo, FrameSpan, StreamEvent } from '../../src/reassembly/stream-event.js';

export interface Chunk {
  dir: Direction;
  bytes: Uint8Array;
}

/** A transcript from fixtures/<name>.json: every read of the relay, in order; chunk i travelled in frame i + 1. */
export function loadFixture(name: string): Chunk[] {
  const doc = JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as {
    chunks: { dir: Direction; b64: string }[];
  };
  return doc.chunks.map((c) => ({ dir: c.dir, bytes: new Uint8Array(Buffer.from(c.b64, 'base64')) }));
}

export const FIXTURES = [
  'python-get',
  'keepalive-chunked-trailers',
  'chunk-extensions',
  'close-delimited',
  'head',
  'continue',
  'no-content-not-modified',
  'pipelined',
  'encodings',
  'bare-lf-obs-fold',
];

export function ts(frame: number): bigint {
  return 1_700_000_000_000_000_000n + BigInt(frame) * 1000n;
}

/** One direction's stream and spans (frame numbers count chunks of both directions). */
export function directionStream(chunks: Chunk[], dir: Direction): { bytes: Uint8Array; spans: FrameSpan[] } {
  const spans: FrameSpan[] = [];
  const parts: Uint8Array[] = [];
  let off = 0;
  chunks.forEach((c, i) => {
    if (c.dir !== dir) return;
    spans.push({ frame: i + 1, timestampNs: ts(i + 1), streamOffset: off, length: c.bytes.length });
    parts.push(c.bytes);
    off += c.bytes.length;
  });
  return { bytes: new Uint8Array(Buffer.concat(parts)), spans };
}

export function bytesOf(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

/** One span per string piece, frames from `firstFrame`. */
export function spansFor(pieces: Uint8Array[], firstFrame = 1, startOffset = 0): FrameSpan[] {
  let off = startOffset;
  return pieces.map((p, i) => {
    const s = { frame: firstFrame + i, timestampNs: ts(firstFrame + i), streamOffset: off, length: p.length };
    off += p.length;
    return s;
  });
}

/** The spans covering stream[from, to), clipped. */
export function clipSpans(spans: FrameSpan[], from: number, to: number): FrameSpan[] {
  const out: FrameSpan[] = [];
  for (const s of spans) {
    const a = Math.max(from, s.streamOffset);
    const b = Math.min(to, s.streamOffset + s.length);
    if (a < b) out.push({ ...s, streamOffset: a, length: b - a });
  }
  return out;
}

/** Feed `bytes` cut at `cuts` (sorted offsets), then end; every event in order. */
export function feed(parser: Http1Parser, bytes: Uint8Array, spans: FrameSpan[], cuts: number[], endReason: 'fin' | null = 'fin'): HttpEvent[] {
  const events: HttpEvent[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    if (to < from) continue;
    // A copy, so the parser cannot lean on bytes it was only lent.
    events.push(...parser.push(bytes.slice(from, to), clipSpans(spans, from, to)));
    from = to;
  }
  if (endReason) events.push(...parser.end(endReason));
  return events;
}

export function messages(events: HttpEvent[]): HttpMessage[] {
  return events.flatMap((e) => (e.kind === 'message' ? [e.message] : []));
}

export const FLOW: FlowInfo = {
  index: 7,
  client: { ip: '10.0.0.5', port: 50123 },
  server: { ip: '10.0.0.1', port: 80 },
  firstFrame: 1,
  sawSyn: true,
};

/** The stream events a reassembler would give for a transcript: one data event per chunk, then both ends. */
export function streamEvents(chunks: Chunk[], flow: FlowInfo = FLOW, swap = false): StreamEvent[] {
  const off = { c2s: 0, s2c: 0 };
  const events: StreamEvent[] = [{ kind: 'open', flow, frame: 1, timestampNs: ts(1) }];
  chunks.forEach((c, i) => {
    const dir: Direction = swap ? (c.dir === 'c2s' ? 's2c' : 'c2s') : c.dir;
    const spans = [{ frame: i + 1, timestampNs: ts(i + 1), streamOffset: off[dir], length: c.bytes.length }];
    events.push({ kind: 'data', flow, dir, offset: off[dir], bytes: c.bytes, spans });
    off[dir] += c.bytes.length;
  });
  const last = chunks.length + 1;
  events.push({ kind: 'end', flow, dir: 'c2s', reason: 'fin', frame: last, timestampNs: ts(last) });
  events.push({ kind: 'end', flow, dir: 's2c', reason: 'fin', frame: last + 1, timestampNs: ts(last + 1) });
  return events;
}
