// The hostile-input suite (issue 11, point 3): one named test per attack, each
// asserting the behaviour its guard gives, in a way that would fail without
// the guard (the comment above each test names the guard and what would happen
// without it). Bad input is normal input: a value or an error, a warning, and
// the analysis goes on.
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analysis.js';
import { openCapture } from '../../src/capture/open.js';
import type { CaptureRecord } from '../../src/capture/source.js';
import { pipelineWarnings } from '../../src/cli/warnings.js';
import { decodeUpx, UPX_MAX_DEPTH } from '../../src/dus/upx-codec.js';
import { HttpExchangeTracker, type HttpExchange } from '../../src/http/exchanges.js';
import { DEFAULT_MAX_HEAD_BYTES, Http1Parser, type HttpEvent } from '../../src/http/http1-parser.js';
import { FrameDecoder } from '../../src/net/frame-decoder.js';
import type { DecodedFrame } from '../../src/net/packet.js';
import { runPipeline } from '../../src/pipeline.js';
import { DEFAULT_MAX_OPEN_FLOWS, TcpReassembler } from '../../src/reassembly/tcp-reassembler.js';
import type { StreamEvent } from '../../src/reassembly/stream-event.js';
import { renderAnalyzeText } from '../../src/report/analyze-text.js';
import { palette } from '../../src/report/colour.js';
import { renderFlowsText } from '../../src/report/flows-text.js';
import { lastSegment, NameAllocator, safeFileName } from '../../src/report/safe-name.js';
import { ACK, bytes, conversation, ipv4, pcap, PSH, SYN, tcp } from './build.js';

const CAPTURES = resolve(__dirname, '../../captures');

/** Parse `text` in one direction, fed in pieces of `piece` bytes. */
function parse(role: 'request' | 'response', text: string | Uint8Array, piece = 1 << 20): { events: HttpEvent[]; parser: Http1Parser } {
  const p = new Http1Parser(role, { keepBodies: true });
  if (role === 'response') for (let k = 0; k < 8; k++) p.expectResponseTo('GET');
  const b = typeof text === 'string' ? bytes(text) : text;
  const events: HttpEvent[] = [];
  for (let at = 0, k = 1; at < b.length; at += piece, k++) {
    const chunk = b.subarray(at, Math.min(b.length, at + piece));
    events.push(...p.push(chunk, [{ frame: k, timestampNs: 0n, streamOffset: at, length: chunk.length }]));
  }
  events.push(...p.end('fin'));
  return { events, parser: p };
}

const messages = (events: HttpEvent[]) => events.flatMap((e) => (e.kind === 'message' ? [e.message] : []));
const noteCodes = (m: { notes: { code: string }[] }) => m.notes.map((n) => n.code);

/** Frames of a raw-IP capture, decoded (the way the pipeline sees them). */
function decodeAll(frames: Uint8Array[], decoder = new FrameDecoder()): DecodedFrame[] {
  return frames.map((data, i) => decoder.decode({ frame: i + 1, timestampNs: BigInt(i) * 1000n, linkType: 101, origLen: data.length, data }));
}

function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

// C0 controls other than tab and line feed, DEL and C1.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('hostile inputs', () => {
  // Guard: chunked.ts caps a chunk size at 12 significant hex digits. Without
  // it the size becomes 2^64 - 1, the parser waits for that many bytes, and
  // the 204 that follows is swallowed as chunk data.
  it('a 64-bit chunk size (ffffffffffffffff) is a framing error, and the next message is still read', () => {
    const { events } = parse('response', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n');
    const [first, second] = messages(events);
    expect(noteCodes(first)).toEqual(['http.chunk-size-too-large']);
    expect(first.complete).toBe(false);
    expect(second?.type === 'response' && second.status).toBe(204);
  });

  // Guard: a chunk size must start with a hex digit. Without it "-1" would be
  // read as a size (negative, or 1 after the sign) and the framing would be lost.
  it('a negative chunk size (-1) is a framing error, and the next message is still read', () => {
    const { events } = parse('response', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nabc\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n');
    const [first, second] = messages(events);
    expect(noteCodes(first)).toEqual(['http.bad-chunk-size']);
    expect(first.bodySize).toBe(0);
    expect(second?.type === 'response' && second.status).toBe(204);
  });

  // Guard: RFC 9112 section 6.3 rule 3, Transfer-Encoding overrides
  // Content-Length. Without it the body would be "5\r\n" (3 bytes) and the
  // rest of the chunked body would be parsed as a request: the smuggling case.
  it('Content-Length and Transfer-Encoding together: chunked framing wins and it is noted', () => {
    const { events } = parse('request', 'POST /a HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /next HTTP/1.1\r\n\r\n');
    const ms = messages(events);
    expect(ms.map((m) => (m.type === 'request' ? m.uri : ''))).toEqual(['/a', '/next']);
    expect(Buffer.from(ms[0].body!).toString()).toBe('hello');
    expect(noteCodes(ms[0])).toEqual(['http.te-and-length']);
    expect(events.filter((e) => e.kind === 'error')).toEqual([]);
  });

  // Guard: Content-Length values are compared (RFC 9110 section 8.6): equal
  // duplicates are one length, different ones are refused as framing. Without
  // it the first (or last) value would frame the body and the other side of a
  // smuggling pair would see a different message boundary.
  it('duplicate Content-Length values are one length; conflicting ones are refused as framing', () => {
    const same = messages(parse('request', 'POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\n\r\n').events);
    expect(same.map((m) => m.bodySize)).toEqual([5, 0]);
    expect(noteCodes(same[0])).toEqual([]);
    for (const conflicting of ['Content-Length: 5\r\nContent-Length: 6', 'Content-Length: 5, 6']) {
      const ms = messages(parse('request', `POST /a HTTP/1.1\r\n${conflicting}\r\n\r\nhelloGET /next HTTP/1.1\r\n\r\n`).events);
      expect(noteCodes(ms[0])).toEqual(['http.conflicting-content-length']);
      expect(ms[0].complete).toBe(false);
      expect(ms[0].bodySize).toBe(0); // neither length was believed
      expect(ms.at(-1)?.type === 'request' && ms.at(-1)?.uri).toBe('/next'); // and the parser found its feet again
    }
  });

  // Guard: the head cap (DEFAULT_MAX_HEAD_BYTES, 64 KiB). Without it the parser
  // would buffer the whole 4 MiB line waiting for its end.
  it('a header line of megabytes stops at the 64 KiB head cap, holds no more, and the next message is read', () => {
    const huge = `GET /a HTTP/1.1\r\nX-Huge: ${'a'.repeat(4 * 1024 * 1024)}\r\n\r\nGET /next HTTP/1.1\r\n\r\n`;
    const p = new Http1Parser('request');
    const b = bytes(huge);
    const events: HttpEvent[] = [];
    let held = 0;
    for (let at = 0; at < b.length; at += 65536) {
      const chunk = b.subarray(at, at + 65536);
      events.push(...p.push(chunk, [{ frame: 1 + at / 65536, timestampNs: 0n, streamOffset: at, length: chunk.length }]));
      held = Math.max(held, (p as unknown as { buf: Uint8Array }).buf.length);
    }
    events.push(...p.end('fin'));
    const err = events.find((e) => e.kind === 'error');
    expect(err?.kind === 'error' && err.error.code).toBe('http.head-too-large');
    expect(held).toBeLessThanOrEqual(2 * DEFAULT_MAX_HEAD_BYTES);
    expect(messages(events).map((m) => (m.type === 'request' ? m.uri : ''))).toContain('/next');
  });

  // Guards: the HTTP parser drops frame spans it no longer needs (pruneSpans),
  // the reassembler keeps only a bounded delivered tail, and it holds at most
  // maxHeldSegmentsPerDirection out-of-order pieces (4096) before declaring the
  // oldest hole a gap. Without them, two million one-byte segments would keep
  // two million span objects, and a reversed flood would be held piece by piece.
  it('millions of tiny TCP segments: bounded time and memory, in order or reversed', () => {
    const N = 2_000_000;
    const head = bytes(`POST /big HTTP/1.1\r\nContent-Length: ${N}\r\n\r\n`);
    const base = (f: number, seq: number, flags: number, payload: Uint8Array, client = true): DecodedFrame => ({
      frame: f,
      timestampNs: BigInt(f),
      linkType: 101,
      capLen: 40 + payload.length,
      origLen: 40 + payload.length,
      vlans: [],
      ip: { version: 4, src: client ? '10.0.0.1' : '10.0.0.2', dst: client ? '10.0.0.2' : '10.0.0.1', protocol: 6, ttl: 64, headerLength: 20, payloadLength: 20 + payload.length },
      tcp: { srcPort: client ? 50000 : 80, dstPort: client ? 80 : 50000, seq, ack: 1, flags, window: 1000, headerLength: 20, options: {}, payload, payloadLength: payload.length },
      payload,
      notes: [],
    });
    const r = new TcpReassembler();
    const http = new HttpExchangeTracker();
    const done: HttpExchange[] = [];
    const feed = (evs: StreamEvent[]) => {
      for (const e of evs) done.push(...http.push(e));
    };
    const before = heapAfterGc();
    const t0 = performance.now();
    feed(r.push(base(1, 0, SYN, new Uint8Array(0))));
    feed(r.push(base(2, 0, SYN | ACK, new Uint8Array(0), false)));
    feed(r.push(base(3, 1, ACK | PSH, head)));
    const one = new Uint8Array([0x78]);
    for (let k = 0; k < N; k++) feed(r.push(base(4 + k, 1 + head.length + k, ACK | PSH, one)));
    feed(r.flush('eof', 0n));
    done.push(...http.flush());
    const ms = performance.now() - t0;
    const grown = heapAfterGc() - before;
    expect(done[0].request?.bodySize).toBe(N);
    expect(done[0].request?.complete).toBe(true);
    expect(ms).toBeLessThan(60_000);
    expect(grown).toBeLessThan(64 * 1024 * 1024);

    // Reversed: 100 000 one-byte segments, last first. The held-piece cap turns holes into gaps.
    const rev = new TcpReassembler();
    const evs: StreamEvent[] = [];
    evs.push(...rev.push(base(1, 0, SYN, new Uint8Array(0))));
    const M = 100_000;
    for (let k = M - 1; k >= 0; k--) evs.push(...rev.push(base(2 + M - k, 1 + k, ACK | PSH, one)));
    evs.push(...rev.flush('eof', 0n));
    expect(evs.some((e) => e.kind === 'gap')).toBe(true);
    expect(rev.stats.gaps).toBeGreaterThan(0);
  }, 120_000);

  // Guard: HalfStream compares a resent byte with the copy seen first and keeps
  // the first (as Wireshark does by default), reporting the difference. Without
  // it the later copy could silently replace bytes already handed to HTTP.
  it('TCP overlaps with conflicting data: the first copy is kept and the conflict is reported', () => {
    const c = '10.0.0.1';
    const s = '10.0.0.2';
    const frames = decodeAll([
      ipv4({ src: c, dst: s, protocol: 6 }, tcp(50000, 80, 999, 0, SYN)),
      ipv4({ src: s, dst: c, protocol: 6 }, tcp(80, 50000, 4999, 1000, SYN | ACK)),
      ipv4({ src: c, dst: s, protocol: 6 }, tcp(50000, 80, 1000, 5000, ACK | PSH, bytes('GET /aaaa'))),
      // Resent with different bytes over the same sequence space, plus new bytes.
      ipv4({ src: c, dst: s, protocol: 6 }, tcp(50000, 80, 1004, 5000, ACK | PSH, bytes('/evil HTTP/1.1\r\n\r\n'))),
    ]);
    const r = new TcpReassembler();
    const events = frames.flatMap((f) => r.push(f)).concat(r.flush('eof', 0n));
    const text = Buffer.concat(events.flatMap((e) => (e.kind === 'data' && e.dir === 'c2s' ? [Buffer.from(e.bytes)] : []))).toString('latin1');
    expect(text.startsWith('GET /aaaa')).toBe(true);
    expect(events.some((e) => e.kind === 'anomaly' && e.code === 'tcp.overlap-conflict')).toBe(true);
    expect(r.stats.conflicts).toBeGreaterThan(0);
  });

  // Guards: the defragmenter keeps the first bytes of an overlap and notes the
  // conflict; it holds at most maxPending (1024) datagrams, evicting the
  // oldest, and counts what never completed, which the pipeline turns into the
  // 'ip-defrag.incomplete' warning. Without them 3000 never-finished datagrams
  // would all be held, and an overlap could rewrite bytes silently.
  it('IP fragments that overlap or never complete: first bytes kept, memory bounded, a warning, analysis goes on', async () => {
    const udp = (payload: string) => {
      const p = bytes(payload);
      const h = new Uint8Array(8 + p.length);
      h.set([0x30, 0x39, 0x00, 0x35, (8 + p.length) >> 8, (8 + p.length) & 0xff, 0, 0]);
      h.set(p, 8);
      return h;
    };
    const whole = udp('AAAAAAAABBBBBBBB'); // 24 bytes of UDP
    const frag1 = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, id: 7, moreFragments: true }, whole.subarray(0, 16));
    // Second fragment overlaps bytes 8..16 with different content.
    const evil = whole.slice(8, 24);
    evil.fill(0x5a, 0, 8);
    const frag2 = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, id: 7, fragmentOffset: 8 }, evil);
    const d = new FrameDecoder();
    const [, f2] = decodeAll([frag1, frag2], d);
    expect(f2.notes.map((n) => n.code)).toContain('ip-defrag.overlap-conflict');
    expect(Buffer.from(f2.udp!.payload).toString('latin1')).toBe('AAAAAAAABBBBBBBB');

    const never = Array.from({ length: 3000 }, (_, k) =>
      ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, id: 1000 + k, moreFragments: true }, whole.subarray(0, 16)),
    );
    const dec = new FrameDecoder();
    let maxPending = 0;
    never.forEach((data, i) => {
      dec.decode({ frame: i + 1, timestampNs: BigInt(i), linkType: 101, origLen: data.length, data });
      maxPending = Math.max(maxPending, (dec as unknown as { defrag: { pendingCount: number } }).defrag.pendingCount);
    });
    dec.flush();
    expect(maxPending).toBeLessThanOrEqual(1024);
    expect(dec.stats.incomplete).toBe(3000);

    // Through the whole pipeline: a warning names it, and the HTTP after it is still found.
    const http = conversation([
      { from: 'client', data: bytes('GET /after HTTP/1.1\r\nHost: x\r\n\r\n') },
      { from: 'server', data: bytes('HTTP/1.1 204 No Content\r\n\r\n') },
    ]);
    const source = await openCapture('-', { stdin: Readable.from([Buffer.from(pcap([...never, ...http]))]) });
    const seen: HttpExchange[] = [];
    const result = await runPipeline(source, { onExchange: (x) => seen.push(x) });
    expect(pipelineWarnings(result).map((w) => w.code)).toContain('ip-defrag.incomplete');
    expect(seen.map((x) => x.request?.uri)).toEqual(['/after']);
  });

  // Guard: pcapng.ts refuses a block longer than MAX_BLOCK_LENGTH (16 MiB)
  // before buffering it. Without it the reader would wait for 4 GB: with an
  // input that never ends (a pipe), for ever; this test would time out.
  it('a pcapng block length of 4 GB is refused at once: earlier records kept, a warning, no wait', async () => {
    const file = readFileSync(resolve(CAPTURES, 'derived/block-len-4g.pcapng'));
    // A stream that delivers the file and then stays open, as a pipe would.
    const pipe = new Readable({ read() {} });
    pipe.push(file);
    const source = await openCapture('-', { stdin: pipe });
    const records: CaptureRecord[] = [];
    for await (const batch of source.batches()) records.push(...batch);
    pipe.destroy();
    expect(records.length).toBe(6);
    expect(source.warnings.map((w) => w.code)).toEqual(['pcapng.bad-block-length']);
    expect(source.warnings[0].required).toBe(0xfffffffc);
  });

  // Guard: the upx pre-scan (upx-prescan.ts) refuses a DOCTYPE outright, and the parser never expands entities
  // (processEntities: false). Without it a billion-laughs body would expand
  // to 10^9 bytes inside the decoder.
  it('an XML body with a DOCTYPE and entity expansion is refused, never expanded', () => {
    let ents = '<!ENTITY a0 "lollollollollollollollollollol">';
    for (let k = 1; k < 10; k++) ents += `<!ENTITY a${k} "${`&a${k - 1};`.repeat(10)}">`;
    const body = bytes(`<?xml version="1.0"?><!DOCTYPE Request [${ents}]><Request><DeviceType>&a9;</DeviceType></Request>`);
    const t0 = performance.now();
    const r = decodeUpx(body, { kind: 'request' });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('upx.doctype-refused');
    expect(JSON.stringify(r).length).toBeLessThan(10_000);
  });

  // Guard: the pre-scan's nesting cap (UPX_MAX_DEPTH, 32). Without it a 100 000-deep body
  // recurses through the parser and the field walk (a stack overflow).
  it('deeply nested XML is refused at the depth cap', () => {
    const depth = 100_000;
    const body = bytes(`<Request>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</Request>`);
    const r = decodeUpx(body, { kind: 'request' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('upx.too-deep');
      expect(r.error.detail).toContain(String(UPX_MAX_DEPTH));
    }
  });

  // Guard: safe-name.ts keeps the last URI segment only and replaces
  // separators, controls and NUL, prefixes device names, trims dots. Without
  // it, writing "<out>/<name>" would escape the folder or open a device.
  it('object names like ../../etc/passwd, C:\\x, NUL bytes and device names stay plain files inside the output folder', () => {
    const out = resolve('/tmp/upxray-export');
    const uris = [
      '/../../etc/passwd', '/files/..%2F..%2Fetc%2Fpasswd', '/C:%5Cx', '/x/C:\\x', '/a%00b.cab', '/nul%00', '/CON', '/con.txt', '/LPT1.cab',
      '/aux', '/..', '/.', '/%2e%2e', '/...', '/x/%5c%5cserver%5cshare', 'http://host/..%5c..%5cwin.ini', '/\u001b]52;c;SGk=\u0007.cab',
    ];
    const names = new NameAllocator();
    for (const uri of uris) {
      const name = names.take(safeFileName(lastSegment(uri)));
      const path = resolve(out, name);
      expect(path.startsWith(out + sep), `${uri} -> ${name}`).toBe(true);
      expect(path.slice(out.length + 1)).toBe(name); // no folders inside
      expect(name).not.toMatch(/[\\/:\u0000-\u001f]/);
      expect(name).not.toMatch(/^\.|\.$/);
      expect(name).not.toMatch(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i);
    }
  });

  // Guard: every string from the capture goes through terminalSafe before the
  // text reports print it. Without it the ESC and BEL bytes below would reach
  // the terminal: clear the screen (ESC[2J), retitle it, write the clipboard (OSC 52).
  it('escape sequences in URIs, headers and XML never reach the terminal raw in text output', async () => {
    const xml = '<?xml version="1.0" encoding="utf-8"?><Request><DeviceType>\u001b]0;pwned\u0007UCPhone</DeviceType>' +
      '<MacAddress>0021630F207B</MacAddress><Model>\u001b[2J</Model><Revision>A</Revision><Locale>ENU</Locale></Request>';
    const req = `POST /RequestHandler/ucdevice.upx?\u001b]52;c;SGVsbG8=\u0007 HTTP/1.1\r\nHost: \u001b[2Jocs\r\nUser-Agent: \u009b31m\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(xml, 'latin1')}\r\n\r\n${xml}`;
    const resp = 'HTTP/1.1 200 OK\r\nServer: \u001b]0;srv\u0007\r\nContent-Length: 0\r\n\r\n';
    const capture = pcap(conversation([{ from: 'client', data: bytes(req) }, { from: 'server', data: bytes(resp) }]));
    const res = await analyzeCapture('-', { stdin: Readable.from([Buffer.from(capture)]) });
    expect(res.flows.exchanges).toHaveLength(1);
    const texts = [renderAnalyzeText(res, palette(false, {})), renderFlowsText(res.flows)];
    for (const t of texts) expect(RAW_CONTROL.exec(t)).toBeNull();
    // The hostile URI did reach the report, made visible.
    expect(texts[1]).toContain('\\x1b]52;c;SGVsbG8=\\x07');
  });

  // Guard: TcpReassembler's maxOpenFlows (DEFAULT_MAX_OPEN_FLOWS). Without it
  // a SYN flood keeps every half-open flow for the hour-long idle timeout,
  // about a kilobyte each, without end.
  it('a SYN flood beyond the open-flow limit ends the oldest flows, says so, and goes on', () => {
    const n = DEFAULT_MAX_OPEN_FLOWS + 5000;
    const r = new TcpReassembler({ idleTimeoutNs: 3_600_000_000_000n });
    let ends = 0;
    for (let k = 0; k < n; k++) {
      const src = `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
      const payload = new Uint8Array(0);
      const f: DecodedFrame = {
        frame: k + 1, timestampNs: BigInt(k), linkType: 101, capLen: 40, origLen: 40, vlans: [], payload, notes: [],
        ip: { version: 4, src, dst: '10.255.0.1', protocol: 6, ttl: 64, headerLength: 20, payloadLength: 20 },
        tcp: { srcPort: 40000, dstPort: 80, seq: k, ack: 0, flags: SYN, window: 1000, headerLength: 20, options: {}, payload, payloadLength: 0 },
      };
      for (const e of r.push(f)) if (e.kind === 'end') ends++;
    }
    expect(r.openFlows).toBe(DEFAULT_MAX_OPEN_FLOWS);
    expect(r.stats.evictedFlows).toBe(5000);
    expect(ends).toBe(2 * 5000);
    const warnings = pipelineWarnings({
      info: { format: 'pcap' } as never, records: n, warnings: [], decode: new FrameDecoder().stats, reassembly: r.stats,
    });
    expect(warnings.map((w) => w.code)).toContain('tcp.flows-evicted');
  });
});
