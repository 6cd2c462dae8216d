// The TLS layer on the real TLS captures (captures/tls-*.pcap, made with
// Python's ssl module and OpenSSL by captures/make/tls), fed by the real
// reader, frame decoder and reassembler, and followed by the real HTTP
// exchange tracker. tshark 4.0 decrypted the same captures with the same key or
// key log (captures/<name>.tshark.json): upxray must find the same requests and
// responses, in the same frames, with the same bodies.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { HttpExchangeTracker, type HttpExchange } from '../../src/http/exchanges.js';
import { FrameDecoder } from '../../src/net/frame-decoder.js';
import { TcpReassembler } from '../../src/reassembly/tcp-reassembler.js';
import { DSB_BLOCK_TYPE, KeyLog, keyLogFromDsb } from '../../src/tls/key-log.js';
import { loadRsaKey, parseKeyScope, type RsaKeyEntry } from '../../src/tls/rsa-key.js';
import { TlsSessionLayer, type SessionEvent, type TlsKeys } from '../../src/tls/tls-session.js';

import { CAPTURES } from './helpers.js';

interface Judged {
  decryptedWith: { rsaKeys?: Array<{ key: string }>; keylog?: string } | null;
  exchanges: Array<{
    stream: number | null;
    request: { frame: number; firstFrame: number; method: string; uri: string };
    response: { frame: number; firstFrame: number; status: number } | null;
  }>;
  objects: string[];
  orphanResponses: Array<{ frame: number; firstFrame: number; status: number }>;
}

function keysFor(judged: Judged): TlsKeys & { keyLog: KeyLog } {
  const rsaKeys: RsaKeyEntry[] = [];
  for (const k of judged.decryptedWith?.rsaKeys ?? []) {
    const [file, scope] = k.key.split('@');
    const loaded = loadRsaKey(readFileSync(CAPTURES + file), { label: file });
    if (!loaded.ok) throw new Error(loaded.detail);
    rsaKeys.push({ key: loaded.value, ...(scope ? parseKeyScope(scope) : {}) });
  }
  const keyLog = new KeyLog();
  if (judged.decryptedWith?.keylog) keyLog.addFromText(readFileSync(CAPTURES + judged.decryptedWith.keylog, 'utf8'));
  return { rsaKeys, keyLog };
}

/** Capture → frames → TCP streams → TLS → HTTP, as the pipeline wires them. */
async function decryptCapture(file: string, keys: TlsKeys): Promise<{ exchanges: HttpExchange[]; events: SessionEvent[] }> {
  const src = await openCapture(CAPTURES + file);
  const dec = new FrameDecoder();
  const r = new TcpReassembler();
  const tls = new TlsSessionLayer(keys);
  const http = new HttpExchangeTracker({ keepBodies: true });
  const exchanges: HttpExchange[] = [];
  const events: SessionEvent[] = [];
  const feed = (evs: ReturnType<TcpReassembler['push']>): void => {
    for (const e of evs) {
      for (const o of tls.accept(e)) {
        events.push(o.kind === 'data' ? { ...o, bytes: o.bytes.slice() } : o);
        if (o.kind === 'tls-info' || o.kind === 'tls-undecryptable' || o.kind === 'tls-alert') continue;
        exchanges.push(...http.push(o));
      }
    }
  };
  for await (const batch of src.batches()) for (const rec of batch) feed(r.push(dec.decode(rec)));
  feed(r.flush('eof', 0n));
  exchanges.push(...http.flush());
  return { exchanges, events };
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const verdicts = readdirSync(CAPTURES).filter((f) => /^tls-.*\.tshark\.json$/.test(f));

/** What each capture shows beyond tshark's exchanges: TLS verdicts, anomalies and alerts ('dir:name'). */
const EXTRA: Record<string, { undecryptable?: string; anomalies?: string[]; alerts?: string[]; firstFrames?: Record<number, number> }> = {
  // The client asks to renegotiate after its check-in; the server refuses and the client gives up.
  'tls-12-alert': { anomalies: ['tls.renegotiation'], alerts: ['s2c:no_renegotiation', 'c2s:handshake_failure'] },
  // Joined after the handshake: nothing can be decrypted, whatever keys are given.
  'tls-no-handshake': { undecryptable: 'handshake-missing' },
  // The request spans three records (frames 10-24, 25-37, 37-42). tshark's
  // tcp.segment lists only the last record's segments (37..42); upxray's
  // first frame is where the request's first record begins.
  'tls-12-large-request': { firstFrames: { 42: 10 } },
  // One application data record's bytes were flipped: the record fails its check, tshark shows no HTTP either.
  'tls-corrupt-record': { anomalies: ['tls.decrypt-failed'] },
  // RSA key exchange with the ClientKeyExchange cut out: no pre-master secret to decrypt.
  // The client's ClientKeyExchange, ChangeCipherSpec and Finished segment was
  // cut out. The key log still opens the server's side (its Finished cannot
  // match a transcript without the ClientKeyExchange); the client's side is
  // lost, so the response is an orphan, as tshark has it.
  'tls-no-client-key-exchange': { anomalies: ['tls.finished-mismatch', 'tls.handshake-lost'] },
};

/** Key log secrets carried in the capture's pcapng Decryption Secrets Blocks (what the capture reader will feed to KeyLog.addFromText). */
function dsbKeyLogs(file: string): string[] {
  const b = readFileSync(CAPTURES + file);
  const out: string[] = [];
  let le = true;
  for (let o = 0; o + 12 <= b.length; ) {
    if (b.readUInt32LE(o) === 0x0a0d0d0a) le = b.readUInt32LE(o + 8) === 0x1a2b3c4d;
    const type = le ? b.readUInt32LE(o) : b.readUInt32BE(o);
    const len = le ? b.readUInt32LE(o + 4) : b.readUInt32BE(o + 4);
    if (len < 12 || o + len > b.length) break;
    if (type === DSB_BLOCK_TYPE) {
      const text = keyLogFromDsb(new Uint8Array(b.buffer, b.byteOffset + o + 8, len - 12), le);
      if (text !== null) out.push(text);
    }
    o += len;
  }
  return out;
}

describe('decrypted TLS captures match tshark', () => {
  it('has TLS captures to check', () => {
    expect(verdicts.length).toBeGreaterThan(10);
  });

  it.each(verdicts)('%s', async (verdict) => {
    const judged = JSON.parse(readFileSync(CAPTURES + verdict, 'utf8')) as Judged;
    const base = verdict.replace('.tshark.json', '');
    const pcap = [`${base}.pcap`, `${base}.pcapng`].find((p) => existsSync(CAPTURES + p));
    expect(pcap).toBeDefined();
    const keys = keysFor(judged);
    const embedded = dsbKeyLogs(pcap!);
    for (const t of embedded) expect(keys.keyLog.addFromText(t, 'dsb')).toBeGreaterThan(0);
    const { exchanges, events } = await decryptCapture(pcap!, keys);
    const extra = EXTRA[verdict.replace('.tshark.json', '')] ?? {};
    const undecryptable = events.flatMap((e) => (e.kind === 'tls-undecryptable' ? [e.reason] : []));
    expect(undecryptable).toEqual(extra.undecryptable ? [extra.undecryptable] : []);
    expect(events.flatMap((e) => (e.kind === 'anomaly' && e.code.startsWith('tls.') ? [e.code] : []))).toEqual(extra.anomalies ?? []);
    const alerts = events.flatMap((e) => (e.kind === 'tls-alert' ? [`${e.dir}:${e.name}`] : []));
    if (extra.alerts) expect(alerts).toEqual(extra.alerts);
    else expect(alerts.every((a) => a.endsWith(':close_notify'))).toBe(true);
    for (const x of judged.exchanges) {
      const ff = extra.firstFrames?.[x.request.frame];
      if (ff !== undefined) x.request.firstFrame = ff;
    }
    const got = exchanges
      .filter((x) => x.request)
      .map((x) => ({
        stream: x.flow.index,
        request: { frame: x.request!.frame, firstFrame: x.request!.firstFrame, method: x.request!.method, uri: x.request!.uri },
        response: x.response ? { frame: x.response.frame, firstFrame: x.response.firstFrame, status: x.response.status } : null,
      }));
    expect(got).toEqual(judged.exchanges);
    const orphans = exchanges.filter((x) => !x.request && x.response).map((x) => ({ frame: x.response!.frame, firstFrame: x.response!.firstFrame, status: x.response!.status }));
    expect(orphans).toEqual(judged.orphanResponses);
    const bodies = exchanges.flatMap((x) => [x.request?.body, x.response?.body]).filter((b): b is Uint8Array => !!b && b.length > 0);
    expect(bodies.map(sha).sort()).toEqual([...judged.objects].sort());
    // Every HTTPS connection with an exchange was decrypted, saying how; plain HTTP ones pass through.
    const infos = new Map(events.flatMap((e) => (e.kind === 'tls-info' ? [[e.flow, e] as const] : [])));
    for (const x of exchanges) {
      if (x.flow.server.port === 443) expect(infos.get(x.flow)?.keySource).toBe(embedded.length > 0 ? 'dsb' : judged.decryptedWith?.keylog ? 'key-log' : 'rsa-key');
      else expect(infos.has(x.flow)).toBe(false);
    }
  });
});
