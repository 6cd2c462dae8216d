// Downloads in flight, as the dashboard shows them: on recorded captures the
// bytes counted while a download runs end at the body size the HTTP layer
// reports, with its status and Content-Length; split heads, gaps, keep-alive
// and non-download requests are handled; the number followed is bounded.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { classify } from '../../src/dus/exchange-kind.js';
import type { HttpExchange } from '../../src/http/exchanges.js';
import { headerValue } from '../../src/http/message.js';
import { bytesText, DownloadProgress, progressText } from '../../src/live/download-progress.js';
import { runPipeline } from '../../src/pipeline.js';
import type { FlowInfo, StreamEvent } from '../../src/reassembly/stream-event.js';
import { CAPTURES } from '../helpers/cli.js';

interface Seen {
  uri: string;
  status?: number;
  total?: number;
  maxReceived: number;
}

async function follow(name: string) {
  const progress = new DownloadProgress();
  /** By connection and request frame: a keep-alive connection carries several downloads. */
  const seen = new Map<string, Seen>();
  const atDone = new Map<string, number | undefined>();
  const downloads: HttpExchange[] = [];
  await runPipeline(await openCapture(join(CAPTURES, name)), {
    onStreamEvent: (e) => {
      progress.accept(e);
      for (const d of progress.list()) {
        const s = seen.get(`${d.flow}:${d.frame}`) ?? { uri: d.uri, maxReceived: 0 };
        s.status = d.status;
        s.total = d.total;
        s.maxReceived = Math.max(s.maxReceived, d.received);
        seen.set(`${d.flow}:${d.frame}`, s);
      }
    },
    onExchange: (x) => {
      atDone.set(x.id, progress.list().find((d) => d.flow === x.flow.index)?.received);
      progress.done(x);
      if (x.request && classify(x.request.method, x.request.uri).kind === 'download') downloads.push(x);
    },
  });
  return { progress, seen, atDone, downloads };
}

describe('DownloadProgress on recorded captures', () => {
  it.each(['dus-demo.pcap', 'dus-download-truncated.pcap', 'dus-download-truncated-reset.pcap', 'dus-firmware-not-found.pcap'])(
    '%s: every download is followed, up to the body size HTTP reports',
    async (name) => {
      const { progress, seen, atDone, downloads } = await follow(name);
      expect(downloads.length).toBeGreaterThan(0);
      for (const x of downloads) {
        const s = seen.get(`${x.flow.index}:${x.request!.firstFrame}`);
        expect(s, x.id).toBeDefined();
        expect(s!.uri).toBe(x.request!.uri);
        if (!x.response) continue;
        expect(s!.status).toBe(x.response.status);
        const len = headerValue(x.response.headers, 'content-length');
        if (len !== undefined) expect(s!.total).toBe(Number(len));
        expect(s!.maxReceived).toBeLessThanOrEqual(x.response.bodySize);
        // A response that completed is counted to its last byte by the time HTTP reports it.
        if (x.response.complete) expect(atDone.get(x.id)).toBe(x.response.bodySize);
      }
      // Everything finished: nothing is left in flight.
      expect(progress.size).toBe(0);
    },
  );
});

const flow = (index: number): FlowInfo => ({ index, client: { ip: '10.0.0.9', port: 5000 + index }, server: { ip: '10.0.0.1', port: 80 }, firstFrame: 1, sawSyn: true });
const text = (s: string) => new TextEncoder().encode(s);
function data(f: FlowInfo, dir: 'c2s' | 's2c', offset: number, s: string | Uint8Array, frame = 1): StreamEvent {
  const bytes = typeof s === 'string' ? text(s) : s;
  return { kind: 'data', flow: f, dir, offset, bytes, spans: [{ frame, timestampNs: BigInt(frame) * 1000n, streamOffset: offset, length: bytes.length }] };
}

describe('DownloadProgress by hand', () => {
  const GET = 'GET /DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/Rev-0/ENU/1.0.522.103/CPE/CPE.nbt HTTP/1.1\r\nHost: x\r\n\r\n';

  it('reads a head split anywhere, counts the body across a gap, and forgets the flow when it ends', () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nCONTENT-LENGTH: 10000\r\n\r\n';
    for (let cut = 1; cut < head.length; cut++) {
      const p = new DownloadProgress();
      const f = flow(1);
      p.accept(data(f, 'c2s', 0, GET, 4));
      expect(p.list()).toEqual([expect.objectContaining({ flow: 1, uri: expect.stringContaining('CPE.nbt'), frame: 4, received: 0 })]);
      p.accept(data(f, 's2c', 0, head.slice(0, cut)));
      expect(p.list()[0].status).toBeUndefined();
      p.accept(data(f, 's2c', cut, head.slice(cut) + 'x'.repeat(100)));
      expect(p.list()[0]).toMatchObject({ status: 200, total: 10000, received: 100 });
      p.accept({ kind: 'gap', flow: f, dir: 's2c', offset: head.length + 100, length: 400, frame: 9 });
      expect(p.list()[0].received).toBe(500);
      p.accept(data(f, 's2c', head.length + 500, 'y'.repeat(50), 10));
      expect(p.list()[0]).toMatchObject({ received: 550, lastNs: 10_000n });
      p.accept({ kind: 'end', flow: f, dir: 's2c', reason: 'fin', frame: 11, timestampNs: 0n });
      expect(p.size).toBe(0);
    }
  });

  it('follows only downloads: a check-in or other page on a keep-alive connection drops the entry', () => {
    const p = new DownloadProgress();
    const f = flow(2);
    p.accept(data(f, 'c2s', 0, 'POST /RequestHandler/ucdevice.upx HTTP/1.1\r\n\r\n'));
    expect(p.size).toBe(0);
    p.accept(data(f, 'c2s', 100, GET));
    expect(p.size).toBe(1);
    p.accept(data(f, 'c2s', 300, 'GET /index.html HTTP/1.1\r\n\r\n'));
    expect(p.size).toBe(0);
    // A response with no request followed is ignored.
    p.accept(data(flow(3), 's2c', 0, 'HTTP/1.1 200 OK\r\n\r\nabc'));
    expect(p.size).toBe(0);
  });

  it('gives up on a head that never ends, and keeps at most `max` connections', () => {
    const p = new DownloadProgress(4);
    const f = flow(1);
    p.accept(data(f, 'c2s', 0, GET));
    p.accept(data(f, 's2c', 0, new Uint8Array(9000).fill(0x41)));
    p.accept(data(f, 's2c', 9000, 'more'));
    expect(p.size).toBe(0);
    for (let i = 10; i < 20; i++) p.accept(data(flow(i), 'c2s', 0, GET));
    expect(p.list().map((d) => d.flow)).toEqual([16, 17, 18, 19]);
  });

  it('says how far a download is', () => {
    expect(bytesText(87)).toBe('87 B');
    expect(bytesText(4 * 1024 + 512)).toBe('4.5 KB');
    expect(bytesText(340 * 1024)).toBe('340 KB');
    expect(bytesText(4.2 * 1024 * 1024)).toBe('4.2 MB');
    expect(progressText({ received: 340 * 1024, total: 4 * 1024 * 1024 })).toBe('340 KB of 4.0 MB (8%)');
    expect(progressText({ received: 2048 })).toBe('2.0 KB so far');
    expect(progressText({ received: 5000, total: 10 })).toBe('4.9 KB of 10 B (100%)');
  });
});
