// `upxray serve`'s listeners: node:http and node:https in front of the
// ReferenceService. Bodies are capped, an unparsable request line gets
// HTTP.sys's "400 Bad Request - Invalid URL" and a close (as Windows does before
// IIS sees the request), and every request is logged in one terminal-safe line.
import { createReadStream } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { terminalSafe } from '../report/terminal-safe.js';
import { httpSysBadRequest } from './iis-pages.js';
import { ReferenceService, type Answer, type ServiceOptions } from './service.js';

/** ucdevice.upx requests are under 2 KB; more than this is refused. */
export const MAX_REQUEST_BODY = 1024 * 1024;

export interface ServeOptions extends ServiceOptions {
  /** Address to bind. @default '127.0.0.1' */
  host?: string;
  /** Plain HTTP port (0: any free port); undefined: no HTTP listener. */
  httpPort?: number;
  /** HTTPS port (0: any free port); needs `tls`. */
  httpsPort?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Host (and port) written into the URLs of answers when the inventory names no server. @default the HTTP listener's address */
  filesHost?: string;
  /** One line per request. */
  log?: (line: string) => void;
}

export interface RunningServe {
  http?: AddressInfo;
  https?: AddressInfo;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function readBody(req: IncomingMessage): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BODY) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
  });
}

function send(res: ServerResponse, a: Answer, head: boolean): number {
  const size = a.body?.length ?? (a.file?.kind === 'disk' ? a.file.size : a.file?.bytes.length) ?? 0;
  res.writeHead(a.status, [...a.headers.flat(), 'Content-Length', String(size)]);
  if (head) {
    res.end();
    return 0;
  }
  if (a.mode === 'reset') {
    // Part of the body, then an RST: the phone sees a download cut short.
    const part = Math.floor((size * 3) / 8);
    const bytes = a.file?.kind === 'bytes' ? a.file.bytes.subarray(0, part) : undefined;
    const socket = res.socket;
    const cut = () => setTimeout(() => socket?.resetAndDestroy(), 200);
    if (bytes) res.write(bytes, cut);
    else if (a.file?.kind === 'disk') {
      const s = createReadStream(a.file.path, { start: 0, end: Math.max(0, part - 1) });
      s.on('data', (c) => res.write(c));
      s.on('end', cut);
      s.on('error', () => socket?.destroy());
    }
    return part;
  }
  if (a.body) res.end(a.body);
  else if (a.file?.kind === 'bytes') res.end(a.file.bytes);
  else if (a.file?.kind === 'disk') {
    const s = createReadStream(a.file.path);
    s.on('error', () => res.destroy());
    s.pipe(res);
  } else res.end();
  return size;
}

/** Start the reference service; resolves once every listener is up. */
export async function startServe(opts: ServeOptions): Promise<RunningServe> {
  const service = new ReferenceService(opts);
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => {});
  const sockets = new Set<Socket>();
  const running: RunningServe = { close: async () => {} };
  let filesHost = opts.filesHost;

  const handler = (secure: boolean) => async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const body = await readBody(req);
    const client = req.socket.remoteAddress ?? '-';
    const line = (status: number | string, bytes: number, note?: string) =>
      log(terminalSafe(`${new Date().toISOString()} ${client} ${secure ? 'https' : 'http'} ${req.method} ${req.url} ${status} ${bytes} ${Date.now() - started}ms${note ? ` ${note}` : ''}`));
    if (body === undefined) {
      res.writeHead(413, { Connection: 'close' }).end();
      line(413, 0, 'body too large');
      return;
    }
    const a = service.answer({ method: req.method ?? 'GET', target: req.url ?? '/', body, secure, filesHost: filesHost ?? `${host}` });
    if (a.mode === 'hang') {
      line('-', 0, a.note); // never answered; the socket stays open until the phone gives up or serve stops
      return;
    }
    const bytes = send(res, a, req.method === 'HEAD');
    line(a.status, bytes, a.note);
  };

  const servers: Server[] = [];
  const setup = (server: Server) => {
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable) return socket.destroy();
      const page = Buffer.from(httpSysBadRequest(), 'latin1');
      socket.end(
        Buffer.concat([
          Buffer.from(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/html; charset=us-ascii\r\nServer: Microsoft-HTTPAPI/2.0\r\nDate: ${new Date().toUTCString()}\r\nConnection: close\r\nContent-Length: ${page.length}\r\n\r\n`, 'latin1'),
          page,
        ]),
      );
      log(terminalSafe(`${new Date().toISOString()} ${socket.remoteAddress ?? '-'} - (unparsable request: ${err.code ?? err.message}) 400 ${page.length}`));
    });
    servers.push(server);
  };

  try {
    if (opts.httpPort !== undefined) {
      const s = createHttp({ keepAliveTimeout: 120_000 }, handler(false));
      setup(s);
      running.http = await listen(s, opts.httpPort, host);
      if (filesHost === undefined) filesHost = running.http.port === 80 ? host : `${host}:${running.http.port}`;
    }
    if (opts.httpsPort !== undefined) {
      if (!opts.tls) throw new Error('HTTPS needs a certificate and a key');
      const s = createHttps({ cert: opts.tls.cert, key: opts.tls.key, keepAliveTimeout: 120_000 }, handler(true));
      setup(s as unknown as Server);
      running.https = await listen(s as unknown as Server, opts.httpsPort, host);
    }
  } catch (e) {
    for (const s of servers) s.close();
    throw e;
  }
  running.close = async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  };
  return running;
}
