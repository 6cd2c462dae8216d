// `upxray live` on a real interface: two network namespaces joined by a veth
// pair, the fake Device Update Service in one, the phone in the other, and
// upxray capturing on the phone's end with the real tcpdump. What it reports
// as it goes must be what `analyze` finds in the file it wrote. Needs root
// (CI runs as root) and tcpdump (.ci/run installs it).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { BIN, ROOT } from '../helpers/cli.js';

const NS_PHONE = 'upx-live-p';
const NS_SERVER = 'upx-live-s';
const IF_PHONE = 'upx-live-ph';
const IF_SERVER = 'upx-live-sv';
const PHONE_IP = '10.99.9.123';
const SERVER_IP = '10.99.9.90';
const PHONE_MAC = '00:21:63:0f:20:7b';
const SERVER_MAC = '00:15:5d:0a:09:5a';
const DUS = join(ROOT, 'captures/make/dus');

const tmp = mkdtempSync(join(tmpdir(), 'upx-live-'));
const started: ChildProcess[] = [];

function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function inNs(ns: string, cmd: string, args: string[]): void {
  sh('ip', ['netns', 'exec', ns, cmd, ...args]);
}

function teardown(): void {
  for (const ns of [NS_PHONE, NS_SERVER]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves when `text` has appeared on the child's stderr (or rejects after 15 s). */
function waitForStderr(child: ChildProcess, text: string, seen: { err: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${JSON.stringify(text)}; stderr: ${seen.err}`)), 15_000);
    const check = (): void => {
      if (seen.err.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    child.once('exit', () => {
      clearTimeout(timer);
      if (!seen.err.includes(text)) reject(new Error(`exited before ${JSON.stringify(text)}; stderr: ${seen.err}`));
    });
    check();
  });
}

interface Running {
  child: ChildProcess;
  out: { text: string; err: string };
  exited: Promise<number | null>;
}

function run(ns: string, cmd: string, args: string[]): Running {
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const out = { text: '', err: '' };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out.text += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out.err += s));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out, exited };
}

async function startServer(args: string[]): Promise<Running> {
  const s = run(NS_SERVER, 'python3', [join(DUS, 'dus_server.py'), '--bind', SERVER_IP, ...args]);
  await waitForStderr(s.child, 'listening', { get err() { return s.out.err; } } as { err: string });
  return s;
}

async function stopServer(s: Running): Promise<void> {
  s.child.kill('SIGTERM');
  await s.exited;
}

function phone(args: string[]): void {
  inNs(NS_PHONE, 'python3', [join(DUS, 'phone.py'), '--server-ip', SERVER_IP, ...args]);
}

async function startLive(args: string[]): Promise<Running> {
  const live = run(NS_PHONE, process.execPath, [BIN, 'live', '-i', IF_PHONE, ...args]);
  await waitForStderr(live.child, 'Ctrl-C to stop', { get err() { return live.out.err; } } as { err: string });
  await sleep(300);
  return live;
}

async function stopLive(live: Running): Promise<number | null> {
  // Let the last segments through the kernel and tcpdump before stopping.
  await sleep(1200);
  live.child.kill('SIGINT');
  return live.exited;
}

function ndjson(text: string): Array<Record<string, any>> {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, any>);
}

function key(f: Record<string, any>): string {
  return `${f.code}|${f.phone.mac ?? ''}|${f.phone.ip ?? ''}|${f.evidence.frames[0] ?? ''}`;
}

async function recordsIn(path: string): Promise<{ count: number; warnings: number; format: string }> {
  const src = await openCapture(path);
  let count = 0;
  for await (const b of src.batches()) count += b.length;
  return { count, warnings: src.warnings.length, format: src.info.format };
}

beforeAll(() => {
  teardown();
  sh('ip', ['netns', 'add', NS_PHONE]);
  sh('ip', ['netns', 'add', NS_SERVER]);
  for (const ns of [NS_PHONE, NS_SERVER]) {
    inNs(ns, 'ip', ['link', 'set', 'lo', 'up']);
    inNs(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  }
  sh('ip', ['link', 'add', IF_PHONE, 'netns', NS_PHONE, 'address', PHONE_MAC, 'type', 'veth', 'peer', 'name', IF_SERVER, 'netns', NS_SERVER, 'address', SERVER_MAC]);
  sh('ip', ['-n', NS_PHONE, 'addr', 'add', `${PHONE_IP}/24`, 'dev', IF_PHONE]);
  sh('ip', ['-n', NS_SERVER, 'addr', 'add', `${SERVER_IP}/24`, 'dev', IF_SERVER]);
  sh('ip', ['-n', NS_PHONE, 'link', 'set', IF_PHONE, 'up']);
  sh('ip', ['-n', NS_SERVER, 'link', 'set', IF_SERVER, 'up']);
  // Static neighbours: no ARP in the capture, so it holds the scenario's traffic only.
  sh('ip', ['-n', NS_PHONE, 'neigh', 'replace', SERVER_IP, 'lladdr', SERVER_MAC, 'dev', IF_PHONE, 'nud', 'permanent']);
  sh('ip', ['-n', NS_SERVER, 'neigh', 'replace', PHONE_IP, 'lladdr', PHONE_MAC, 'dev', IF_SERVER, 'nud', 'permanent']);
});

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  teardown();
  rmSync(tmp, { recursive: true, force: true });
});

describe('upxray live on a veth pair with tcpdump', () => {
  it('reports as it goes what analyze finds in the file it wrote', { timeout: 90_000 }, async () => {
    const file = join(tmp, 'live.pcapng');
    const live = await startLive(['--tool', 'tcpdump', '--write', file, '--json']);

    // Three phones' stories on one link: offered an update in an answer without
    // ServerVersion, so it fetches nothing; then, a while later, one up to date
    // and one that updates (check-in, then the download).
    let server = await startServer(['--fault', 'no-server-version']);
    phone(['--version', '1.0.522.103', '--src-port', '49220', '--mac', '00:21:63:0f:20:7d']);
    await stopServer(server);
    await sleep(2500);
    server = await startServer([]);
    phone(['--version', '3.5.6907.0', '--src-port', '49200']);
    phone(['--version', '1.0.522.103', '--src-port', '49210', '--mac', '00:21:63:0f:20:7c']);
    await stopServer(server);

    const code = await stopLive(live);
    expect(live.out.err).not.toMatch(/internal error|Error:/);
    expect(code).toBe(0);

    const events = ndjson(live.out.text);
    expect(events[0].event).toBe('start');
    expect(events[0].tool).toBe('tcpdump');
    const summary = events[events.length - 1];
    expect(summary.event).toBe('summary');
    expect(summary.error).toBeNull();
    expect(summary.capture.captured).toBe(summary.records);
    expect(summary.files).toEqual([file]);

    // The exchanges were told as they completed: two check-ins and a download at least.
    const exchanges = events.filter((e) => e.event === 'exchange');
    expect(exchanges.filter((e) => e.kind === 'check-in').length).toBeGreaterThanOrEqual(3);
    expect(exchanges.filter((e) => e.kind === 'download').length).toBeGreaterThanOrEqual(1);

    // analyze on the written file: the same findings, the same exchanges.
    const a = spawnSync(process.execPath, [BIN, 'analyze', '--json', file], { cwd: ROOT, encoding: 'utf8' });
    expect(a.status).toBe(0);
    const doc = JSON.parse(a.stdout) as Record<string, any>;
    expect(doc.captures[0].records).toBe(summary.records);
    expect(summary.findings).toEqual(doc.findings);
    const codes = doc.findings.map((f: any) => f.code);
    expect(codes).toContain('missing-server-version');
    expect(exchanges.map((e) => e.id).sort()).toEqual(doc.exchanges.map((e: any) => e.id).sort());

    // Each finding was told once; what was told and not withdrawn is exactly analyze's.
    const told = events.filter((e) => e.event === 'finding').map(key);
    const withdrawn = new Set(events.filter((e) => e.event === 'finding-withdrawn').map(key));
    expect(new Set(told).size).toBe(told.length);
    expect(told.filter((k) => !withdrawn.has(k)).sort()).toEqual(doc.findings.map(key).sort());
    // A finding is told as it happens, before the traffic that came after it.
    const at = (code: string) => events.findIndex((e) => e.event === 'finding' && e.code === code);
    const lastExchange = events.map((e) => e.event).lastIndexOf('exchange');
    expect(at('missing-server-version')).toBeGreaterThan(0);
    expect(at('missing-server-version')).toBeLessThan(lastExchange);

    expect(summary.phones.map((p: any) => p.mac).sort()).toEqual(doc.phones.map((p: any) => p.mac).sort());
    const read = await recordsIn(file);
    expect(read).toEqual({ count: summary.records, warnings: 0, format: 'pcapng' });
  });

  it('keeps a ring of files that each read on their own, with -f replacing the filter', { timeout: 90_000 }, async () => {
    const file = join(tmp, "ring.pcapng");
    const live = await startLive(['--tool', 'tcpdump', '-f', 'udp port 9', '--write', file, '--ring', '3', '--ring-size', '1', '--json']);
    // About 6 MB of 1400-byte datagrams, paced so the capture keeps up: the ring turns over several times.
    const blast = `import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(4400):
    s.sendto(b"x" * 1400, ("${SERVER_IP}", 9))
    if i % 100 == 99: time.sleep(0.005)`;
    inNs(NS_PHONE, 'python3', ['-c', blast]);
    const code = await stopLive(live);
    expect(code).toBe(0);
    const summary = ndjson(live.out.text).pop()!;
    expect(summary.event).toBe('summary');
    // Every datagram passed the filter; under load the kernel may drop some, and says so.
    expect(summary.capture.received).toBeGreaterThanOrEqual(4400);
    expect(summary.records + summary.capture.droppedByKernel).toBeGreaterThanOrEqual(4400);
    expect(summary.records).toBeGreaterThanOrEqual(2500);
    expect(summary.files).toEqual([file, `${file}.1`, `${file}.2`]);
    expect(existsSync(`${file}.3`)).toBe(false);
    let kept = 0;
    for (const f of summary.files as string[]) {
      const r = await recordsIn(f);
      expect(r.warnings).toBe(0);
      expect(r.count).toBeGreaterThan(0);
      // At most the ring size (1 MB) per file.
      expect(readFileSync(f).length).toBeLessThanOrEqual(1024 * 1024);
      kept += r.count;
    }
    // The ring dropped the oldest packets, never the newest.
    expect(kept).toBeLessThan(summary.records);
    expect(summary.capture.captured).toBe(summary.records);
  });
});

describe('upxray live errors: one line, exit 2', () => {
  it('no such interface', () => {
    const r = spawnSync(process.execPath, [BIN, 'live', '-i', 'upx-live-none', '--tool', 'tcpdump'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['upxray: no such interface: upx-live-none (tcpdump cannot open it; \'ip link\' lists the interfaces)']);
  });

  it('no capture tool on PATH', () => {
    const r = spawnSync(process.execPath, [BIN, 'live', '-i', 'lo'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { PATH: tmp } });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^upxray: live capture needs dumpcap \(Wireshark\) or tcpdump, and none is on PATH/);
  });

  it('no permission to capture (an unprivileged user)', () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'live', '-i', 'lo', '--tool', 'tcpdump'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^upxray: no permission to capture on lo: run upxray as root, or give tcpdump the CAP_NET_RAW/);
  });

  it('a bad filter', () => {
    const r = spawnSync(process.execPath, [BIN, 'live', '-i', 'lo', '--tool', 'tcpdump', '-f', 'tcp port'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['upxray: bad capture filter "tcp port": syntax error']);
  });

  it('an unreadable key or inventory is refused before the capture starts', () => {
    for (const args of [['--rsa-key', '/nonexistent/key.pem'], ['--inventory', '/nonexistent/inventory.json']]) {
      const r = spawnSync(process.execPath, [BIN, 'live', '-i', 'lo', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/capturing on/);
    }
  });
});
