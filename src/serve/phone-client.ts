// An emulated OCPE phone (shared/protocol/ucdevice-upx.md section 1): it checks
// in, downloads the CPE.nbt it is offered and the CPE.cat beside it, waits its
// idle time, "reboots" on the new version and checks in again, until it is
// offered nothing. Like the real phone it ignores an answer without
// ServerVersion or ServiceVersion (seed comment 2). It can also send a
// malformed request line, as a phone with a broken language setting does.
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { decodeUpx } from '../dus/upx-codec.js';
import { encodeUpxRequest } from '../dus/upx-encode.js';
import { isNoVersion } from '../dus/version.js';

export const PHONE_USER_AGENT = 'Microsoft UCPhone Device';

export interface PhoneOptions {
  /** The check-in URL (`https://host/RequestHandler/ucdevice.upx`), or the server's base URL. */
  url: string;
  /** Handler path used when `url` is a base URL. @default 'internal' */
  handler?: 'internal' | 'external' | 'legacy';
  mac?: string;
  serial?: string;
  deviceType?: string;
  vendor?: string;
  model?: string;
  revision?: string;
  locale?: string;
  /** The CPE version it runs ('' or 0.0.0.0: none). @default '0.0.0.0' */
  version?: string;
  /** Most check-ins before giving up. @default 4 */
  maxCycles?: number;
  /** Idle time after a download before the reboot, in seconds (the real phone: 300). @default 0 */
  waitSeconds?: number;
  /** Connect here (`address` or `address:port`) instead of where a URL points (the Host header still names the URL's host). */
  connectTo?: string;
  /** Accept any server certificate (lab servers have self-signed ones). */
  insecure?: boolean;
  /** Send the check-in with a request line HTTP.sys must refuse (a raw space and a control byte in the target). */
  badRequestLine?: boolean;
  /** Seconds to wait for each answer. @default 10 */
  timeoutSeconds?: number;
  log?: (line: string) => void;
}

export interface DownloadResult {
  url: string;
  status?: number;
  bytes: number;
  complete: boolean;
  error?: string;
}

export interface CycleResult {
  /** Version reported in this check-in. */
  version: string;
  status?: number;
  error?: string;
  /** Why the answer was not used, when it was not. */
  ignored?: string;
  offered: Array<{ url: string; version?: string }>;
  downloads: DownloadResult[];
  /** The version after this cycle (the offered one when every download succeeded). */
  after: string;
}

export interface PhoneRun {
  cycles: CycleResult[];
  finalVersion: string;
  /** Cycles that installed something. */
  updates: number;
}

const HANDLER_PATHS = {
  internal: '/RequestHandler/ucdevice.upx',
  external: '/RequestHandlerExt/ucdevice.upx',
  legacy: '/UCDeviceUpdates/ucdevice.upx',
} as const;

/** Most bytes of one answer kept in memory (firmware images are a few MB). */
const MAX_ANSWER = 64 * 1024 * 1024;

function checkInUrl(o: PhoneOptions): URL {
  const u = new URL(o.url);
  if (!/\.upx$/i.test(u.pathname)) u.pathname = HANDLER_PATHS[o.handler ?? 'internal'];
  return u;
}

function requestBody(o: PhoneOptions, version: string): string {
  const none = isNoVersion(version);
  return encodeUpxRequest(
    {
      deviceType: o.deviceType ?? 'UCPhone',
      macAddress: o.mac ?? '0021630F207B',
      serialNumber: o.serial ?? 'C185H001209',
      vendor: o.vendor ?? 'LG-Nortel',
      model: o.model ?? 'IP8540',
      revision: o.revision ?? 'A',
      locale: o.locale ?? 'ENU',
      // No version goes with the FILETIME epoch (section 2).
      files: [{ fileName: 'cpe.nbt', version, timeStamp: none ? '01-01-1601 00:00:00' : '16-12-2008 04:43:58' }],
    },
    { newline: '\r\n' },
  );
}

interface Fetched {
  status?: number;
  body: Buffer;
  complete: boolean;
  error?: string;
}

/** `10.0.0.1`, `10.0.0.1:8080`, `[::1]:8080` -> host and optional port. */
export function connectTarget(v: string | undefined): { host: string; port?: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(v) ?? /^([^:]+)(?::(\d+))?$/.exec(v);
  if (!m) return { host: v };
  return m[2] !== undefined ? { host: m[1], port: Number(m[2]) } : { host: m[1] };
}

class Client {
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  private readonly httpsAgent: HttpsAgent;
  constructor(private readonly o: PhoneOptions) {
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: !o.insecure });
  }

  fetch(url: URL, method: 'GET' | 'POST', body?: string): Promise<Fetched> {
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = { 'User-Agent': PHONE_USER_AGENT, Host: url.host, Connection: 'Keep-Alive' };
    if (body !== undefined) Object.assign(headers, { 'Content-Type': 'text/xml', 'Content-Length': String(Buffer.byteLength(body)), 'Cache-Control': 'no-cache' });
    const to = connectTarget(this.o.connectTo);
    const opts = {
      method,
      host: to?.host ?? url.hostname,
      port: to?.port ?? (url.port || (secure ? 443 : 80)),
      path: url.pathname + url.search,
      headers,
      agent: secure ? this.httpsAgent : this.httpAgent,
      servername: secure && !/^[\d.]+$|:/.test(url.hostname) ? url.hostname : undefined,
      timeout: (this.o.timeoutSeconds ?? 10) * 1000,
    };
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      let res: IncomingMessage | undefined;
      const done = (r: Fetched) => {
        if (!settled) {
          settled = true;
          resolve(r);
        }
      };
      const req = (secure ? httpsRequest : httpRequest)(opts, (r) => {
        res = r;
        r.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_ANSWER) chunks.push(c);
        });
        r.on('end', () => done({ status: r.statusCode, body: Buffer.concat(chunks), complete: !r.readableAborted && size <= MAX_ANSWER }));
        r.on('aborted', () => done({ status: r.statusCode, body: Buffer.concat(chunks), complete: false, error: 'connection closed mid-answer' }));
        r.on('error', (e) => done({ status: r.statusCode, body: Buffer.concat(chunks), complete: false, error: e.message }));
      });
      req.on('timeout', () => req.destroy(new Error('no answer (timed out)')));
      req.on('error', (e) => done({ status: res?.statusCode, body: Buffer.concat(chunks), complete: false, error: e.message }));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** A check-in whose request line HTTP.sys rejects, sent on a socket of its own. */
  badLine(url: URL, body: string): Promise<Fetched> {
    const secure = url.protocol === 'https:';
    const to = connectTarget(this.o.connectTo);
    const port = to?.port ?? Number(url.port || (secure ? 443 : 80));
    const host = to?.host ?? url.hostname;
    const target = `${url.pathname}?Locale=${this.o.locale ?? 'ENU'} \u0001`;
    const head = `POST ${target} HTTP/1.1\r\nContent-Type: text/xml\r\nUser-Agent: ${PHONE_USER_AGENT}\r\nHost: ${url.host}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: Keep-Alive\r\n\r\n`;
    return new Promise((resolve) => {
      const sock: Socket = secure ? tlsConnect({ host, port, rejectUnauthorized: !this.o.insecure }) : netConnect({ host, port });
      const chunks: Buffer[] = [];
      sock.setTimeout((this.o.timeoutSeconds ?? 10) * 1000, () => sock.destroy());
      sock.on(secure ? 'secureConnect' : 'connect', () => sock.write(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)])));
      sock.on('data', (c: Buffer) => chunks.length < 1024 && chunks.push(c));
      sock.on('error', () => {});
      sock.on('close', () => {
        const all = Buffer.concat(chunks).toString('latin1');
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(all);
        resolve({ status: m ? Number(m[1]) : undefined, body: Buffer.from(all.slice(all.indexOf('\r\n\r\n') + 4), 'latin1'), complete: m !== null, ...(m ? {} : { error: 'no answer' }) });
      });
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

/** Run the phone until it is offered nothing, fails, or reaches maxCycles. */
export async function runPhone(o: PhoneOptions): Promise<PhoneRun> {
  const log = o.log ?? (() => {});
  const client = new Client(o);
  const url = checkInUrl(o);
  let version = o.version ?? '0.0.0.0';
  const cycles: CycleResult[] = [];
  let updates = 0;
  try {
    for (let i = 0; i < (o.maxCycles ?? 4); i++) {
      const c: CycleResult = { version, offered: [], downloads: [], after: version };
      cycles.push(c);
      const body = requestBody(o, version);
      const r = o.badRequestLine ? await client.badLine(url, body) : await client.fetch(url, 'POST', body);
      if (r.status !== undefined) c.status = r.status;
      if (r.error) c.error = r.error;
      log(`check-in ${i + 1} with ${version}: ${r.status !== undefined ? `HTTP ${r.status}` : 'no answer'}${r.error ? ` (${r.error})` : ''}`);
      if (r.status !== 200 || !r.complete) break;
      const res = decodeUpx(r.body, { kind: 'response' });
      if (!res.ok) {
        c.ignored = `not a ucdevice.upx response (${res.error.code})`;
        log(`  ignored: ${c.ignored}`);
        break;
      }
      if (!res.value.serverVersion || !res.value.serviceVersion) {
        c.ignored = 'no ServerVersion or ServiceVersion';
        log(`  ignored: ${c.ignored}`);
        break;
      }
      c.offered = res.value.files.filter((f) => f.url).map((f) => ({ url: f.url!, ...(f.version !== undefined ? { version: f.version } : {}) }));
      if (c.offered.length === 0) {
        log('  nothing offered');
        break;
      }
      let ok = true;
      for (const f of c.offered) {
        for (const u of [f.url, f.url.replace(/\.nbt$/i, '.cat')]) {
          let target: URL;
          try {
            target = new URL(u);
          } catch {
            c.downloads.push({ url: u, bytes: 0, complete: false, error: 'not a URL' });
            ok = false;
            break;
          }
          const d = await client.fetch(target, 'GET');
          const dr: DownloadResult = { url: u, bytes: d.body.length, complete: d.complete };
          if (d.status !== undefined) dr.status = d.status;
          if (d.error) dr.error = d.error;
          c.downloads.push(dr);
          log(`  GET ${u}: ${d.status !== undefined ? `HTTP ${d.status}` : 'no answer'}, ${d.body.length} bytes${d.complete ? '' : ' (incomplete)'}`);
          if (d.status !== 200 || !d.complete) {
            ok = false;
            break;
          }
          if (u === u.replace(/\.nbt$/i, '.cat')) break; // a URL not naming a .nbt has no catalog beside it
        }
        if (!ok) break;
      }
      if (!ok) break;
      const newest = c.offered[c.offered.length - 1].version;
      if (newest === undefined) break;
      version = newest;
      c.after = version;
      updates++;
      log(`  installed ${version}; idle ${o.waitSeconds ?? 0} s, then reboot`);
      await sleep(o.waitSeconds ?? 0);
    }
  } finally {
    client.close();
  }
  return { cycles, finalVersion: version, updates };
}
