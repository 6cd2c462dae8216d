// Real TLS sessions made in the test: Node's tls server and client on
// 127.0.0.1, with a plain TCP relay between them that records each direction's
// bytes in the order they arrive (as a capture would), and the client's key
// log lines. Each recorded chunk becomes one frame of a synthetic flow.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Direction, FlowInfo, StreamEvent } from '../../src/reassembly/stream-event.js';
import { KEYS } from './helpers.js';

export interface Recorded {
  chunks: Array<{ dir: Direction; bytes: Buffer }>;
  keylog: string;
  /** The client's session, for resumption by a later connection. */
  session?: Buffer;
  request: Buffer;
  response: Buffer;
}

export const CERT = readFileSync(`${KEYS}server.crt.pem`);
export const KEY = readFileSync(`${KEYS}server.rsa.pem`);

export interface SessionOptions {
  server?: tls.TlsOptions;
  client?: tls.ConnectionOptions;
  /** Request body size; the response echoes its length. */
  requestBytes?: number;
  /** The handshake is meant to fail: a client error ends the session instead of failing it. */
  expectFailure?: boolean;
}

/** Runs one connection through a recording relay. */
export async function recordSession(opts: SessionOptions = {}): Promise<Recorded> {
  const body = Buffer.alloc(opts.requestBytes ?? 300, 'a');
  const request = Buffer.concat([Buffer.from(`POST /RequestHandler/ucdevice.upx HTTP/1.1\r\nHost: ocs.demo.local\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
  const respBody = Buffer.from(`<ok bytes="${request.length}"/>`);
  const response = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: ${respBody.length}\r\n\r\n`), respBody]);
  const server = tls.createServer({ key: KEY, cert: CERT, ...opts.server }, (sock) => {
    let got = 0;
    sock.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= request.length) sock.end(response);
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const serverPort = (server.address() as net.AddressInfo).port;
  const chunks: Recorded['chunks'] = [];
  let relayDone!: () => void;
  const relayClosed = new Promise<void>((r) => (relayDone = r));
  const relay = net.createServer((c) => {
    const u = net.connect(serverPort, '127.0.0.1');
    let open = 2;
    const closed = (): void => {
      if (--open === 0) relayDone();
    };
    c.on('data', (d) => {
      chunks.push({ dir: 'c2s', bytes: Buffer.from(d) });
      u.write(d);
    });
    u.on('data', (d) => {
      chunks.push({ dir: 's2c', bytes: Buffer.from(d) });
      c.write(d);
    });
    c.on('end', () => u.end());
    u.on('end', () => c.end());
    c.on('close', closed);
    u.on('close', closed);
    c.on('error', () => {});
    u.on('error', () => {});
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const relayPort = (relay.address() as net.AddressInfo).port;
  let keylog = '';
  let session: Buffer | undefined;
  await new Promise<void>((resolve, reject) => {
    const client = tls.connect({ port: relayPort, host: '127.0.0.1', rejectUnauthorized: false, servername: 'ocs.demo.local', ...opts.client }, () => {
      client.write(request);
    });
    client.on('keylog', (line: Buffer) => (keylog += line.toString('latin1')));
    client.on('session', (s: Buffer) => (session = s));
    client.on('data', () => {});
    client.on('end', () => client.end());
    client.on('close', () => resolve());
    client.on('error', (e) => (opts.expectFailure ? resolve() : reject(e)));
  });
  await relayClosed;
  await new Promise<void>((r) => relay.close(() => r()));
  await new Promise<void>((r) => server.close(() => r()));
  return { chunks, keylog, session, request, response };
}

/** Stream events for recorded connections, one flow each, frames numbered across all of them. */
export function toEvents(conns: Recorded[], port = 443): StreamEvent[] {
  const out: StreamEvent[] = [];
  let frame = 1;
  conns.forEach((c, i) => {
    const flow: FlowInfo = { index: i, client: { ip: '10.0.0.1', port: 50000 + i }, server: { ip: '10.0.0.2', port }, firstFrame: frame, sawSyn: true };
    out.push({ kind: 'open', flow, frame: frame++, timestampNs: 0n });
    const off = { c2s: 0, s2c: 0 };
    for (const ch of c.chunks) {
      const f = frame++;
      out.push({ kind: 'data', flow, dir: ch.dir, offset: off[ch.dir], bytes: ch.bytes, spans: [{ frame: f, timestampNs: BigInt(f), streamOffset: off[ch.dir], length: ch.bytes.length }] });
      off[ch.dir] += ch.bytes.length;
    }
    out.push({ kind: 'end', flow, dir: 'c2s', reason: 'fin', frame, timestampNs: 0n });
    out.push({ kind: 'end', flow, dir: 's2c', reason: 'fin', frame: frame++, timestampNs: 0n });
  });
  return out;
}
