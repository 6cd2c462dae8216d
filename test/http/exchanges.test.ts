import { describe, expect, it } from 'vitest';
import { HttpExchangeTracker, type HttpExchange } from '../../src/http/exchanges.js';
import type { FlowInfo, StreamEvent } from '../../src/reassembly/stream-event.js';
import { bytesOf, FLOW, loadFixture, streamEvents, ts } from './helpers.js';

function run(events: StreamEvent[], t = new HttpExchangeTracker({ keepBodies: true })): HttpExchange[] {
  return [...events.flatMap((e) => t.push(e)), ...t.flush()];
}

const summary = (xs: HttpExchange[]) =>
  xs.map((x) => [x.id, x.request?.uri ?? null, x.response?.status ?? null, x.interim.map((i) => i.status)]);

function data(flow: FlowInfo, dir: 'c2s' | 's2c', offset: number, text: string, frame: number): StreamEvent {
  const bytes = bytesOf(text);
  return { kind: 'data', flow, dir, offset, bytes, spans: [{ frame, timestampNs: ts(frame), streamOffset: offset, length: bytes.length }] };
}

describe('HttpExchangeTracker', () => {
  it('pairs keep-alive requests and responses in order, with ids from 1', () => {
    const xs = run(streamEvents(loadFixture('keepalive-chunked-trailers')));
    expect(summary(xs)).toEqual([
      ['7.1', '/hello', 200, []],
      ['7.2', '/chunked', 200, []],
    ]);
    expect(xs[0].client).toEqual(FLOW.client);
    expect(xs[1].response!.trailers).toEqual([{ name: 'X-Checksum', value: 'abc123' }]);
  });

  it('emits an exchange as soon as its final response completes', () => {
    const t = new HttpExchangeTracker();
    const events = streamEvents(loadFixture('python-get'));
    expect(t.push(events[0])).toEqual([]);
    expect(t.push(events[1])).toEqual([]); // request only
    const out = t.push(events[2]);
    expect(summary(out)).toEqual([['7.1', '/firmware.txt', 200, []]]);
  });

  it('100 Continue is interim, 200 is the response', () => {
    const xs = run(streamEvents(loadFixture('continue')));
    expect(summary(xs)).toEqual([['7.1', '/upload', 200, [100]]]);
    expect(xs[0].request!.bodySize).toBe(3000);
  });

  it('pipelining: three requests before the first response', () => {
    const xs = run(streamEvents(loadFixture('pipelined')));
    expect(summary(xs)).toEqual([
      ['7.1', '/p1', 200, []],
      ['7.2', '/p2', 200, []],
      ['7.3', '/p3', 200, []],
    ]);
    expect(xs.map((x) => Buffer.from(x.response!.body!).toString())).toEqual(['/p1\n', '/p2\n', '/p3\n']);
  });

  it('HEAD, 204 and 304 do not swallow the next response', () => {
    expect(summary(run(streamEvents(loadFixture('head'))))).toEqual([['7.1', '/hello', 200, []]]);
    expect(summary(run(streamEvents(loadFixture('no-content-not-modified'))))).toEqual([
      ['7.1', '/nocontent', 204, []],
      ['7.2', '/etag', 304, []],
    ]);
  });

  it('a close-delimited response completes when the server closes', () => {
    const t = new HttpExchangeTracker();
    const events = streamEvents(loadFixture('close-delimited'));
    const beforeEnd = events.slice(0, -2).flatMap((e) => t.push(e));
    expect(beforeEnd).toEqual([]);
    const xs = events.slice(-2).flatMap((e) => t.push(e));
    expect(xs[0].response).toMatchObject({ status: 200, bodySize: 147, complete: true });
  });

  it('detects HTTP on an odd port and swaps roles when the guessed client sends responses', () => {
    const odd: FlowInfo = { ...FLOW, index: 3, client: { ip: '10.0.0.1', port: 8123 }, server: { ip: '10.0.0.5', port: 50123 }, sawSyn: false };
    const xs = run(streamEvents(loadFixture('pipelined'), odd, true));
    expect(summary(xs)).toEqual([
      ['3.1', '/p1', 200, []],
      ['3.2', '/p2', 200, []],
      ['3.3', '/p3', 200, []],
    ]);
    expect(xs[0].client).toEqual({ ip: '10.0.0.5', port: 50123 });
    expect(xs[0].server).toEqual({ ip: '10.0.0.1', port: 8123 });
  });

  it('detects a request line split across tiny segments', () => {
    const f: FlowInfo = { ...FLOW, index: 4 };
    const text = 'GET /x HTTP/1.1\r\nHost: h\r\n\r\n';
    const events: StreamEvent[] = [];
    for (let i = 0; i < text.length; i++) events.push(data(f, 'c2s', i, text[i], i + 1));
    events.push(data(f, 's2c', 0, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 99));
    expect(summary(run(events))).toEqual([['4.1', '/x', 200, []]]);
  });

  it('ignores a connection that is not HTTP and forgets it', () => {
    const f: FlowInfo = { ...FLOW, index: 5, server: { ip: '10.0.0.1', port: 443 } };
    const t = new HttpExchangeTracker();
    const hello = new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00, 0x2c, 0x03, 0x03]);
    expect(t.push({ kind: 'data', flow: f, dir: 'c2s', offset: 0, bytes: hello, spans: [] })).toEqual([]);
    expect(t.push({ kind: 'data', flow: f, dir: 's2c', offset: 0, bytes: hello, spans: [] })).toEqual([]);
    // Later bytes that look like HTTP do not revive a pinned connection.
    expect(t.push(data(f, 'c2s', 11, 'GET / HTTP/1.1\r\n\r\n', 3))).toEqual([]);
    expect(t.push(data(f, 's2c', 11, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 4))).toEqual([]);
    expect(t.flush()).toEqual([]);
  });

  it('a response whose request is not in the capture becomes an exchange with request null', () => {
    const f: FlowInfo = { ...FLOW, index: 6, sawSyn: false };
    const xs = run([
      data(f, 's2c', 0, 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc', 1),
      data(f, 'c2s', 0, 'GET /next HTTP/1.1\r\n\r\n', 2),
      data(f, 's2c', 41, 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n', 3),
    ]);
    expect(summary(xs)).toEqual([
      ['6.1', null, 200, []],
      ['6.2', '/next', 404, []],
    ]);
  });

  it('joining mid-body: the response side resyncs once the other side proves HTTP', () => {
    const f: FlowInfo = { ...FLOW, index: 8, sawSyn: false };
    const xs = run([
      data(f, 's2c', 0, 'the end of some earlier body\n', 1),
      data(f, 'c2s', 0, 'GET /a HTTP/1.1\r\n\r\n', 2),
      data(f, 's2c', 29, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 3),
    ]);
    expect(summary(xs)).toEqual([['8.1', '/a', 200, []]]);
    // The direction started mid-message, so the parser began by searching quietly.
    expect(xs[0].notes).toEqual([]);
    expect(Buffer.from(xs[0].response!.body!).toString()).toBe('ok');
    expect(xs[0].response!.firstFrame).toBe(3);
  });

  it('a request with no response is emitted at the end of the flow, response null', () => {
    const f: FlowInfo = { ...FLOW, index: 9 };
    const t = new HttpExchangeTracker();
    expect(t.push(data(f, 'c2s', 0, 'POST /upx HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi', 1))).toEqual([]);
    expect(t.push({ kind: 'end', flow: f, dir: 'c2s', reason: 'fin', frame: 2, timestampNs: ts(2) })).toEqual([]);
    const xs = t.push({ kind: 'end', flow: f, dir: 's2c', reason: 'rst', frame: 3, timestampNs: ts(3) });
    expect(summary(xs)).toEqual([['9.1', '/upx', null, []]]);
    // The flow is forgotten: a new connection with the same index starts fresh.
    expect(t.flush()).toEqual([]);
  });

  it('flush ends open flows and returns what is pending', () => {
    const f: FlowInfo = { ...FLOW, index: 10 };
    const t = new HttpExchangeTracker();
    t.push(data(f, 'c2s', 0, 'GET /a HTTP/1.1\r\n\r\n', 1));
    t.push(data(f, 's2c', 0, 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 2));
    const xs = t.flush();
    expect(summary(xs)).toEqual([['10.1', '/a', 200, []]]);
    expect(xs[0].response).toMatchObject({ complete: false, bodySize: 3 });
    expect(xs[0].response!.notes[0].code).toBe('http.body-cut-short');
  });

  it('a gap inside a response body is survived and the next exchange pairs correctly', () => {
    const f: FlowInfo = { ...FLOW, index: 11 };
    const xs = run([
      data(f, 'c2s', 0, 'GET /fw HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n', 1),
      data(f, 's2c', 0, 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab', 2),
      { kind: 'gap', flow: f, dir: 's2c', offset: 40, length: 5, frame: 3 },
      data(f, 's2c', 45, 'xyzHTTP/1.1 204 No Content\r\n\r\n', 4),
    ]);
    expect(summary(xs)).toEqual([
      ['11.1', '/fw', 200, []],
      ['11.2', '/b', 204, []],
    ]);
    expect(xs[0].response).toMatchObject({ complete: false, bodySize: 5 });
  });

  it('101 Switching Protocols stops parsing both directions', () => {
    const f: FlowInfo = { ...FLOW, index: 12 };
    const xs = run([
      data(f, 'c2s', 0, 'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', 1),
      data(f, 's2c', 0, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', 2),
      data(f, 'c2s', 61, '\x81\x85GET / HTTP/1.1\r\n\r\n', 3),
    ]);
    expect(summary(xs)).toEqual([['12.1', '/ws', 101, []]]);
    expect(xs[0].notes).toEqual([]);
  });

  it('gives the same exchanges when every segment is cut into 1-byte events', () => {
    for (const name of ['continue', 'pipelined', 'keepalive-chunked-trailers', 'encodings']) {
      const events = streamEvents(loadFixture(name));
      const tiny: StreamEvent[] = events.flatMap((e) => {
        if (e.kind !== 'data') return [e];
        return Array.from(e.bytes, (b, i) => ({
          ...e,
          offset: e.offset + i,
          bytes: new Uint8Array([b]),
          spans: [{ ...e.spans[0], streamOffset: e.offset + i, length: 1 }],
        }));
      });
      expect(run(tiny)).toEqual(run(events));
    }
  });
});
