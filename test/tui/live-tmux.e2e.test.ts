// `upxray live` in a real terminal (tmux 80x24) capturing on loopback with the
// real tcpdump, while upxray's own `serve` and `phone` exchange check-ins and
// downloads on 127.0.0.1: the dashboard shows the phone as it checks in, its
// downloads and the finding with its frames; Enter opens the phone; `q` stops
// the capture, the dashboard gives the screen back, the summary is printed and
// the written file is whole (analyze reads it and finds the same phone).
// With --no-dashboard the same terminal gets one line per exchange instead.
// Needs root (or tcpdump's capabilities), as test/e2e/live.test.ts does.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, bin } from '../helpers/cli.js';

const SOCKET = `upxray-live-test-${process.pid}`;
const INVENTORY = join(ROOT, 'captures/make/dus/inventory.json');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

class Term {
  readonly name = `l${++n}`;
  constructor(command: string) {
    tmux('new-session', '-d', '-s', this.name, '-x', '80', '-y', '24', '-c', ROOT, `env TERM=xterm-256color NO_COLOR=1 ${command}; echo "EXIT=$?"; sleep 120`);
    tmux('set-option', '-s', 'escape-time', '0');
  }
  screen(): string {
    return tmux('capture-pane', '-p', '-J', '-t', this.name);
  }
  async waitFor(what: string | RegExp, ms = 20_000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const s = this.screen();
      if (typeof what === 'string' ? s.includes(what) : what.test(s)) return s;
      if (Date.now() > end) throw new Error(`screen never showed ${String(what)}:\n${s}`);
      await sleep(100);
    }
  }
  keys(...ks: string[]): void {
    tmux('send-keys', '-t', this.name, ...ks);
  }
  close(): void {
    tmux('kill-session', '-t', this.name);
  }
}

afterAll(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

/** Run upxray serve on `port` and a phone through two update cycles against it; resolves when the phone is done. */
async function phoneUpdates(port: number): Promise<void> {
  const server = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--files-host', `127.0.0.1:${port}`, '--inventory', INVENTORY], { cwd: ROOT, stdio: 'ignore' });
  try {
    await sleep(800);
    await new Promise<void>((resolve, reject) => {
      const p = spawn(process.execPath, [BIN, 'phone', `http://127.0.0.1:${port}`, '--cycles', '2'], { cwd: ROOT, stdio: 'ignore' });
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`phone exited ${code}`))));
    });
  } finally {
    server.kill();
  }
}

const port = (): number => 20_000 + ((process.pid * 7 + n * 131) % 20_000);

describe('upxray live in tmux, capturing on loopback', () => {
  it('the dashboard shows the phone, its downloads and the finding; q stops and the summary follows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upxray-live-tui-'));
    const file = join(dir, 'live.pcapng');
    const p = port();
    const t = new Term(`node ${BIN} live -i lo --tool tcpdump -f 'tcp port ${p}' --write ${file}`);
    try {
      await t.waitFor('waiting for the first packets');
      expect(t.screen()).toContain('upxray live · live:lo · tcpdump');
      // tcpdump is reading by the time the dashboard shows; leave it a moment to open the socket.
      await sleep(1000);
      await phoneUpdates(p);
      let s = await t.waitFor(/Phones \(1\)[\s\S]*00:21:63:0f:20:7b\s+127\.0\.0\.1/);
      s = await t.waitFor(/interim-required\s+frames \d+/);
      // Both cycles done: the last download is on the phone's timeline.
      s = await t.waitFor(/download\s+frames \d+, \d+\s+\/DeviceUpdateFiles_Int\/UCPhone\/[^\n]*\n[\s\S]*Findings \(1\)/);
      expect(s).toMatch(/\d+ packets · \d+ exchanges \(\d+ service\) · 1 findings/);
      // The escape sequences ink draws with never leave control characters in the pane text.
      expect(s).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
      t.keys('Enter');
      s = await t.waitFor(/Timeline \(\d+\)/);
      expect(s).toContain('serial C185H001209 · runs 1.0.522.103');
      t.keys('Escape');
      await t.waitFor('1/1 phones');
      t.keys('q');
      s = await t.waitFor('EXIT=0', 30_000);
      // The dashboard is gone (alternate screen left); the summary stays on the normal screen.
      expect(s).not.toContain('waiting for the first packets');
      expect(s).toMatch(/Summary: 1 phone\(s\), 0 error\(s\), 0 warning\(s\), 1 info/);
      expect(s).toContain(`Written: ${file}`);
      expect(s).toMatch(/upxray: \d+ packet\(s\) analysed, 0 dropped before upxray saw them/);
      const a = bin(['analyze', file, '--json']);
      expect(a.code).toBe(0);
      const doc = JSON.parse(a.stdout);
      expect(doc.findings.map((f: { code: string }) => f.code)).toEqual(['interim-required']);
    } finally {
      t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('--no-dashboard prints lines on the terminal instead', async () => {
    const p = port();
    const t = new Term(`node ${BIN} live -i lo --tool tcpdump -f 'tcp port ${p}' --no-dashboard`);
    try {
      await t.waitFor('Ctrl-C to stop');
      await sleep(1000);
      await phoneUpdates(p);
      const s = await t.waitFor(/INFO\s+interim-required/);
      expect(s).toMatch(/check-in\s+127\.0\.0\.1 -> 127\.0\.0\.1:\d+\s+POST \/RequestHandler\/ucdevice\.upx\s+200/);
      expect(s).not.toContain('Phones (');
      t.keys('C-c');
      await t.waitFor('EXIT=0', 30_000);
    } finally {
      t.close();
    }
  }, 60_000);
});
