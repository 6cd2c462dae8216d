// The reference service on 127.0.0.1 (port chosen by the OS) driven by the
// emulated phone and by Node's http client: real sockets, no external network.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/dus/inventory.js';
import { loadInventory } from '../../src/dus/inventory.js';
import { decodeUpx } from '../../src/dus/upx-codec.js';
import { encodeUpxRequest } from '../../src/dus/upx-encode.js';
import type { FaultName } from '../../src/serve/faults.js';
import { runPhone, type PhoneOptions } from '../../src/serve/phone-client.js';
import { startServe, type RunningServe, type ServeOptions } from '../../src/serve/server.js';

const KEYS = fileURLToPath(new URL('../../captures/make/tls/keys/', import.meta.url));

const INV: Inventory = {
  serverVersion: '3.5.6907.0',
  serviceVersion: '3.5.6907.0',
  updates: [
    { deviceType: 'UCPhone', vendor: 'LG-Nortel', model: 'IP8540', revision: 'A', locale: 'ENU', version: '3.5.6907.0', state: 'approved' },
    { deviceType: 'UCPhone', vendor: 'LG-Nortel', model: 'IP8540', revision: 'A', locale: 'NLD', version: '3.5.6907.0', state: 'approved' },
    { deviceType: 'UCPhone', vendor: 'LG-Nortel', model: 'IP8540', revision: 'A', locale: 'ENU', version: '3.5.6907.207', state: 'pending' },
  ],
  testDevices: [{ mac: '00215A000001' }],
};

let running: RunningServe[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.close()));
  running = [];
});

async function serve(over: Partial<ServeOptions> & { faults?: ReadonlySet<FaultName> } = {}) {
  const log: string[] = [];
  const r = await startServe({ inventory: INV, httpPort: 0, log: (l) => log.push(l), ...over });
  running.push(r);
  return { r, log, base: `http://127.0.0.1:${r.http?.port}` };
}

const phone = (base: string, o: Partial<PhoneOptions> = {}) => runPhone({ url: base, timeoutSeconds: 5, ...o });

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}
function get(base: string, path: string, method = 'GET', body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers: body ? { 'Content-Type': 'text/xml' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const checkInBody = (version: string, over: Record<string, string> = {}) =>
  encodeUpxRequest({ deviceType: 'UCPhone', macAddress: '0021630F207B', vendor: 'LG-Nortel', model: 'IP8540', revision: 'A', locale: 'ENU', files: [{ fileName: 'cpe.nbt', version }], ...over });

describe('upxray serve + phone: update cycles', () => {
  it('takes a phone below 1.0.522.98 to the approved version in two cycles (interim first)', async () => {
    const { base, log } = await serve();
    const run = await phone(base, { version: '1.0.452.0' });
    expect(run.finalVersion).toBe('3.5.6907.0');
    expect(run.updates).toBe(2);
    expect(run.cycles.map((c) => c.offered.map((o) => o.version))).toEqual([['1.0.522.103'], ['3.5.6907.0'], []]);
    expect(run.cycles[0].offered[0].url).toBe(`${base}/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt`);
    // Each cycle fetched the image and the catalog beside it, completely.
    expect(run.cycles[0].downloads.map((d) => [d.url.replace(base, ''), d.status, d.complete])).toEqual([
      ['/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt', 200, true],
      ['/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.cat', 200, true],
    ]);
    expect(run.cycles[1].downloads[0].bytes).toBe(64 * 1024);
    expect(log.filter((l) => / POST /.test(l))).toHaveLength(3);
  });

  it('takes a phone at or above 1.0.522.98 there in one cycle', async () => {
    const { base } = await serve();
    for (const v of ['1.0.522.98', '1.0.522.103']) {
      const run = await phone(base, { version: v });
      expect(run.finalVersion).toBe('3.5.6907.0');
      expect(run.updates).toBe(1);
    }
  });

  it('gives a test device the pending build, over the external handler with _Ext URLs', async () => {
    const { base } = await serve();
    const run = await phone(base, { version: '1.0.522.103', mac: '00-21-5A-00-00-01', handler: 'external' });
    expect(run.cycles[0].offered[0].url).toBe(`${base}/DeviceUpdateFiles_Ext/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.207/CPE/CPE.nbt`);
    expect(run.finalVersion).toBe('3.5.6907.207');
  });

  it('answers the legacy UCDeviceUpdates path like the internal handler', async () => {
    const { base } = await serve();
    const run = await phone(base, { version: '1.0.522.103', handler: 'legacy' });
    expect(run.finalVersion).toBe('3.5.6907.0');
  });

  it('provisions a first check-in without version in-band, then offers the interim build', async () => {
    const { base } = await serve({ provisioning: true });
    const first = await phone(base, { version: '0.0.0.0', maxCycles: 1 });
    expect(first.cycles[0].offered).toEqual([]);
    const second = await phone(base, { version: '0.0.0.0', maxCycles: 1 });
    expect(second.cycles[0].offered.map((o) => o.version)).toEqual(['1.0.522.103']);
  });

  it('works over HTTPS with a given certificate and key (check-in over TLS, files over HTTP)', async () => {
    const { r } = await serve({
      httpsPort: 0,
      tls: { cert: readFileSync(join(KEYS, 'server.crt.pem')), key: readFileSync(join(KEYS, 'server.rsa.pem')) },
    });
    const run = await phone(`https://127.0.0.1:${r.https!.port}`, { version: '1.0.522.103', insecure: true });
    expect(run.cycles[0].status).toBe(200);
    expect(run.finalVersion).toBe('3.5.6907.0');
    // Refuses the self-signed certificate unless told otherwise.
    const strict = await phone(`https://127.0.0.1:${r.https!.port}`, { version: '1.0.522.103' });
    expect(strict.cycles[0].status).toBeUndefined();
    expect(strict.cycles[0].error).toBeDefined();
  });
});

describe('upxray serve: fault switches', () => {
  const withFault = (f: FaultName) => serve({ faults: new Set([f]) });

  it('no-server-version / no-service-version drop the field, and the phone ignores the answer', async () => {
    for (const f of ['no-server-version', 'no-service-version'] as const) {
      const { base } = await withFault(f);
      const res = await get(base, '/RequestHandler/ucdevice.upx', 'POST', checkInBody('1.0.522.103'));
      const d = decodeUpx(res.body, { kind: 'response' });
      expect(d.ok).toBe(true);
      if (!d.ok) return;
      expect(f === 'no-server-version' ? d.value.serverVersion : d.value.serviceVersion).toBeUndefined();
      const run = await phone(base, { version: '1.0.522.103' });
      expect(run.cycles[0].ignored).toBe('no ServerVersion or ServiceVersion');
      expect(run.finalVersion).toBe('1.0.522.103');
    }
  });

  it('other-locale offers another locale when the phone locale has none', async () => {
    const { base } = await withFault('other-locale');
    const run = await phone(base, { version: '1.0.522.103', locale: 'FRA', maxCycles: 1 });
    expect(run.cycles[0].offered[0].url).toMatch(/\/A\/(ENU|NLD)\/3\.5\.6907\.0\//);
    const healthy = await serve();
    expect((await phone(healthy.base, { version: '1.0.522.103', locale: 'FRA' })).cycles[0].offered).toEqual([]);
  });

  it('skip-interim offers the approved build to a phone that needs the interim one', async () => {
    const { base } = await withFault('skip-interim');
    const run = await phone(base, { version: '1.0.452.0', maxCycles: 1 });
    expect(run.cycles[0].offered.map((o) => o.version)).toEqual(['3.5.6907.0']);
  });

  it('no-offer answers Downloads 0 where an update applies, but still the interim build', async () => {
    const { base } = await withFault('no-offer');
    expect((await phone(base, { version: '1.0.522.103' })).cycles[0].offered).toEqual([]);
    expect((await phone(base, { version: '1.0.452.0', maxCycles: 1 })).cycles[0].offered).toHaveLength(1);
  });

  it('wrong-area writes _Ext URLs for the internal handler', async () => {
    const { base } = await withFault('wrong-area');
    const run = await phone(base, { version: '1.0.522.103', maxCycles: 1 });
    expect(run.cycles[0].offered[0].url).toContain('/DeviceUpdateFiles_Ext/');
  });

  it.each([
    ['acl-500-19', '/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt', 500, 'HTTP Error 500.19'],
    ['ssl-403-4', '/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt', 403, 'HTTP Error 403.4'],
    ['file-404', '/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt', 404, 'HTTP Error 404.0'],
    ['interim-404', '/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt', 404, 'HTTP Error 404.0'],
  ] as const)('%s answers firmware GETs with the IIS error page', async (fault, path, status, heading) => {
    const { base } = await withFault(fault);
    const res = await get(base, path);
    expect(res.status).toBe(status);
    expect(res.body.toString('latin1')).toContain(heading);
    const healthy = await serve();
    expect((await get(healthy.base, path)).status).toBe(200);
  });

  it('legacy-404 answers the legacy path with 404, other handlers still work', async () => {
    const { base } = await withFault('legacy-404');
    expect((await phone(base, { version: '1.0.522.103', handler: 'legacy' })).cycles[0].status).toBe(404);
    expect((await phone(base, { version: '1.0.522.103' })).finalVersion).toBe('3.5.6907.0');
  });

  it('no-answer never answers a check-in (the phone times out)', async () => {
    const { base, log } = await withFault('no-answer');
    const run = await runPhone({ url: base, version: '1.0.522.103', timeoutSeconds: 0.5 });
    expect(run.cycles[0].status).toBeUndefined();
    expect(run.cycles[0].error).toMatch(/timed out/);
    expect(log.some((l) => l.includes('no-answer'))).toBe(true);
  });

  it('reset cuts a CPE.nbt short with a reset', async () => {
    const { base } = await withFault('reset');
    const run = await phone(base, { version: '1.0.522.103' });
    const d = run.cycles[0].downloads[0];
    expect(d.complete).toBe(false);
    expect(d.bytes).toBeLessThan(64 * 1024);
    expect(run.finalVersion).toBe('1.0.522.103');
  });
});

describe('upxray serve: requests', () => {
  it('refuses a malformed request line as HTTP.sys does (400 Invalid URL)', async () => {
    const { base, log } = await serve();
    const run = await phone(base, { version: '1.0.522.103', badRequestLine: true });
    expect(run.cycles[0].status).toBe(400);
    expect(log.some((l) => l.includes('unparsable request'))).toBe(true);
  });

  it('logs one terminal-safe line per request', async () => {
    const { base, log } = await serve();
    await get(base, '/DeviceUpdateFiles_Int/%1b[31m/CPE.nbt');
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/^\S+Z 127\.0\.0\.1 http GET \/DeviceUpdateFiles_Int\/%1b\[31m\/CPE\.nbt 404 \d+ \d+ms$/);
    expect(log[0]).not.toMatch(/[\u0000-\u001f]/);
  });

  it('answers a body that is no ucdevice.upx request with 400', async () => {
    const { base } = await serve();
    expect((await get(base, '/RequestHandler/ucdevice.upx', 'POST', 'not xml <')).status).toBe(400);
    expect((await get(base, '/RequestHandler/ucdevice.upx', 'GET')).status).toBe(405);
  });
});

describe('upxray serve: the download tree of an updates folder', () => {
  function folder() {
    const root = mkdtempSync(join(tmpdir(), 'upx-serve-'));
    const put = (p: string, body: string) => {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), body);
    };
    put('UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt', 'IMAGE-ENU');
    put('UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.cat', 'CATALOG-ENU');
    put('OCInterim/ENU/CPE.nbt', 'INTERIM');
    put('OCInterim/ENU/CPE.cat', 'INTERIM-CAT');
    const outside = mkdtempSync(join(tmpdir(), 'upx-secret-'));
    writeFileSync(join(outside, 'secret.txt'), 'SECRET');
    symlinkSync(outside, join(root, 'UCPhone', 'escape'));
    return { root, outside };
  }

  it('serves the files of the folder and updates a phone from them', async () => {
    const { root } = folder();
    const inv = loadInventory(root);
    if (!inv.ok) throw new Error(inv.error);
    const { base } = await serve({ inventory: inv.value });
    const res = await get(base, '/DeviceUpdateFiles_Ext/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.cat');
    expect(res.body.toString()).toBe('CATALOG-ENU');
    expect((await get(base, '/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt', 'HEAD')).headers['content-length']).toBe('9');
    const run = await phone(base, { version: '1.0.452.0' });
    expect(run.finalVersion).toBe('3.5.6907.0');
    expect(run.cycles[0].downloads[0].bytes).toBe('INTERIM'.length);
  });

  it('never serves a file outside the folder, however the path is spelled', async () => {
    const { root } = folder();
    const inv = loadInventory(root);
    if (!inv.ok) throw new Error(inv.error);
    const { base } = await serve({ inventory: inv.value });
    const raw = (target: string) =>
      new Promise<string>((resolve) => {
        const s = connect(Number(new URL(base).port), '127.0.0.1', () => s.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        let out = '';
        s.on('data', (c) => (out += c.toString('latin1')));
        s.on('close', () => resolve(out));
        s.on('error', () => resolve(out));
      });
    for (const target of [
      '/DeviceUpdateFiles_Int/../../../../etc/passwd',
      '/DeviceUpdateFiles_Int/UCPhone/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/DeviceUpdateFiles_Int/UCPhone/..%2f..%2f..%2fetc%2fpasswd',
      '/DeviceUpdateFiles_Int/UCPhone/..%5c..%5cetc%5cpasswd',
      '/DeviceUpdateFiles_Int/UCPhone/escape/secret.txt',
      '/DeviceUpdateFiles_Int/%2fetc%2fpasswd',
      '/DeviceUpdateFiles_Int/UCPhone/%00/CPE.nbt',
    ]) {
      const out = await raw(target);
      expect(out, target).toMatch(/^HTTP\/1\.1 (400|404) /);
      expect(out, target).not.toContain('SECRET');
      expect(out, target).not.toContain('root:');
    }
  });
});
