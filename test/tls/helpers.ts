// Shared by the TLS tests: the real captures' TCP stream events, and the
// session layer run over them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openCapture } from '../../src/capture/open.js';
import { FrameDecoder } from '../../src/net/frame-decoder.js';
import type { StreamEvent } from '../../src/reassembly/stream-event.js';
import { TcpReassembler } from '../../src/reassembly/tcp-reassembler.js';
import { KeyLog } from '../../src/tls/key-log.js';
import { loadRsaKey, parseKeyScope, type RsaKeyEntry, type RsaPrivateKey } from '../../src/tls/rsa-key.js';
import { TlsSessionLayer, type SessionEvent, type TlsKeys } from '../../src/tls/tls-session.js';

export const CAPTURES = fileURLToPath(new URL('../../captures/', import.meta.url));
export const KEYS = `${CAPTURES}make/tls/keys/`;

/** The reassembler's events for a capture, data copied (frames are valid for one trip only). */
export async function streamEvents(file: string): Promise<StreamEvent[]> {
  const src = await openCapture(CAPTURES + file);
  const dec = new FrameDecoder();
  const r = new TcpReassembler();
  const out: StreamEvent[] = [];
  for await (const batch of src.batches()) {
    for (const rec of batch) for (const e of r.push(dec.decode(rec))) out.push(e.kind === 'data' ? { ...e, bytes: e.bytes.slice() } : e);
  }
  out.push(...r.flush('eof', 0n));
  return out;
}

export function runLayer(keys: TlsKeys, events: StreamEvent[]): SessionEvent[] {
  const layer = new TlsSessionLayer(keys);
  return events.flatMap((e) => layer.accept(e));
}

export function rsaKey(file: string, password?: string): RsaPrivateKey {
  const r = loadRsaKey(readFileSync(KEYS + file), { password, label: file });
  if (!r.ok) throw new Error(r.detail);
  return r.value;
}

export function rsaEntry(file: string, scope = ''): RsaKeyEntry {
  return { key: rsaKey(file), ...parseKeyScope(scope) };
}

export function keyLogOf(file: string): KeyLog {
  const k = new KeyLog();
  k.addFromText(readFileSync(CAPTURES + file, 'utf8'));
  return k;
}

/** One direction's plaintext, checking that offsets run on without holes. */
export function plaintext(events: SessionEvent[], dir: 'c2s' | 's2c', flowIndex = 0): Buffer {
  const parts: Uint8Array[] = [];
  let next = 0;
  for (const e of events) {
    if (e.kind !== 'data' || e.dir !== dir || e.flow.index !== flowIndex) continue;
    if (e.offset !== next) throw new Error(`plaintext offset ${e.offset}, expected ${next}`);
    parts.push(e.bytes);
    next += e.bytes.length;
  }
  return Buffer.concat(parts);
}

/** Re-cuts every data event into pieces of `size` bytes, spans and all, as a different segmentation would. */
export function resegment(events: StreamEvent[], size: number): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const e of events) {
    if (e.kind !== 'data') {
      out.push(e);
      continue;
    }
    for (let o = 0; o < e.bytes.length; o += size) {
      const n = Math.min(size, e.bytes.length - o);
      const at = e.offset + o;
      const spans = e.spans
        .filter((s) => s.streamOffset < at + n && s.streamOffset + s.length > at)
        .map((s) => {
          const start = Math.max(s.streamOffset, at);
          const end = Math.min(s.streamOffset + s.length, at + n);
          return { ...s, streamOffset: start, length: end - start };
        });
      out.push({ ...e, offset: at, bytes: e.bytes.subarray(o, o + n), spans });
    }
  }
  return out;
}
