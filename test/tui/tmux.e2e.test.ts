// The real binary in a real terminal (tmux 80x24): keys go in with
// `tmux send-keys`, the screen comes back with `tmux capture-pane -p`. Proves
// that from the first screen a person reaches each finding's evidence frames
// in a few keystrokes, on the demo capture and on the 26-phone capture, that
// `q` quits with status 0, that a capture on stdin takes its keys from the
// terminal (or is refused without one), and that NO_COLOR is obeyed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, CAPTURES, ROOT } from '../helpers/cli.js';
import { macText } from '../../src/tui/view-model.js';
import { analysed } from './fixtures.js';

// A tmux server of our own, so no user session is touched.
const SOCKET = `upxray-test-${process.pid}`;
let n = 0;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Term {
  readonly name = `t${++n}`;
  constructor(command: string, env: Record<string, string> = {}) {
    const envs = Object.entries({ TERM: 'xterm-256color', ...env }).map(([k, v]) => `${k}=${v}`);
    // The shell line ends by printing the exit status, then waits, so the screen can be read after the UI ends.
    // A person at a terminal: no CI markers (ink and colour detection would treat the screen as a log).
    tmux('new-session', '-d', '-s', this.name, '-x', '80', '-y', '24', '-c', ROOT, `env -u CI -u CONTINUOUS_INTEGRATION ${envs.join(' ')} ${command}; echo "EXIT=$?"; sleep 120`);
    tmux('set-option', '-s', 'escape-time', '0');
  }
  screen(colour = false): string {
    return tmux('capture-pane', '-p', '-J', ...(colour ? ['-e'] : []), '-t', this.name);
  }
  async waitFor(what: string | RegExp, ms = 15_000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const s = this.screen();
      if (typeof what === 'string' ? s.includes(what) : what.test(s)) return s;
      if (Date.now() > end) throw new Error(`screen never showed ${String(what)}:\n${s}`);
      await sleep(50);
    }
  }
  /** Send keys (tmux key names like Enter, Escape, BSpace) or literal text. */
  keys(...ks: string[]): void {
    tmux('send-keys', '-t', this.name, ...ks);
  }
  text(t: string): void {
    tmux('send-keys', '-t', this.name, '-l', t);
  }
  close(): void {
    tmux('kill-session', '-t', this.name);
  }
}

afterAll(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

const browse = (capture: string) => `node ${BIN} browse ${join(CAPTURES, capture)}`;

describe('upxray browse in tmux', () => {
  it('has the tools it needs', () => {
    expect(existsSync(BIN), 'dist/ is built by npm test (pretest)').toBe(true);
    expect(spawnSync('tmux', ['-V']).status).toBe(0);
  });

  it('demo capture: Enter, G, Enter reach the finding and its frames; Esc and Backspace go back; q quits with 0', async () => {
    const t = new Term(browse('dus-demo.pcap'));
    try {
      await t.waitFor('1/1 phones');
      expect(t.screen()).toMatch(/›UPDATING\s+00:21:63:0f:20:7b/);
      t.keys('Enter');
      await t.waitFor('Findings (1)');
      t.keys('G');
      await t.waitFor(/›info\s+interim-required\s+frames 16/);
      t.keys('Enter');
      const s = await t.waitFor('interim-required (info)');
      expect(s).toContain('  frames 16');
      expect(s).toContain('Evidence: check-in 1.1: POST /RequestHandler/ucdevice.upx');
      t.keys('Escape');
      await t.waitFor('Timeline (7)');
      t.keys('BSpace');
      await t.waitFor('1/1 phones');
      t.keys('q');
      await t.waitFor('EXIT=0');
    } finally {
      t.close();
    }
  });

  it('many-phones capture: every finding is reached from the first screen in a few keys (/ its phone, Enter, Enter, its row, Enter)', async () => {
    const r = await analysed('many-phones.pcap');
    // Where each finding lives: the phone whose MAC it names (the UI's rows are filtered by MAC), its row among that phone's findings.
    const t = new Term(browse('many-phones.pcap'));
    try {
      await t.waitFor('26/26 phones');
      let checked = 0;
      for (const [i, f] of r.findings.entries()) {
        const mac = f.phone.mac!;
        expect(mac).toMatch(/^[0-9A-F]{12}$/);
        const ofPhone = r.findings.filter((g) => g.phone.mac === mac);
        const row = ofPhone.indexOf(f);
        const phone = r.model.phones.find((p) => p.mac === mac);
        const timelineRows = phone ? phone.timeline.length : 0;
        t.keys('/');
        await t.waitFor('Enter keep');
        t.text(macText(mac));
        await t.waitFor(`/${macText(mac)}▏`);
        t.keys('Enter');
        await t.waitFor(`filter "${macText(mac)}" · 1/26 phones`);
        t.keys('Enter');
        await t.waitFor(`Findings (${ofPhone.length})`);
        // The findings follow the timeline: End, then up to the wanted one.
        t.keys('G');
        for (let k = ofPhone.length - 1; k > row; k--) t.keys('k');
        await t.waitFor(new RegExp(`›${f.severity}\\s+${f.code}\\s+frames ${f.evidence.frames.join(', ')}`));
        t.keys('Enter');
        const s = await t.waitFor(`${f.code} (${f.severity})`);
        expect(s, `finding ${i}`).toContain(`  frames ${f.evidence.frames.join(', ')}`);
        expect(timelineRows + row + 1).toBeGreaterThan(0);
        // Back to the first screen: Escape to the phone, Backspace to the list, Escape drops the filter.
        t.keys('Escape');
        await t.waitFor(`Findings (${ofPhone.length})`);
        t.keys('BSpace');
        await t.waitFor(`filter "${macText(mac)}" · 1/26 phones`);
        t.keys('Escape');
        await t.waitFor('26/26 phones');
        checked++;
      }
      expect(checked).toBe(r.findings.length);
      expect(checked).toBeGreaterThanOrEqual(20);
      t.keys('q');
      await t.waitFor('EXIT=0');
    } finally {
      t.close();
    }
  }, 240_000);

  it('a capture on stdin takes its keys from the terminal', async () => {
    const t = new Term(`node ${BIN} browse - < ${join(CAPTURES, 'dus-demo.pcap')}`);
    try {
      await t.waitFor('1/1 phones');
      expect(t.screen()).toContain('upxray · - · 196 frames');
      t.keys('Enter');
      await t.waitFor('Timeline (7)');
      t.keys('q');
      await t.waitFor('EXIT=0');
    } finally {
      t.close();
    }
  });

  it('without a controlling terminal, a capture on stdin is refused with one line and exit 2', async () => {
    // setsid: a new session with no controlling terminal, so /dev/tty cannot be opened.
    const t = new Term(`setsid -w node ${BIN} browse - < ${join(CAPTURES, 'dus-demo.pcap')}`);
    try {
      const s = await t.waitFor('EXIT=');
      expect(s).toContain('EXIT=2');
      expect(s).toContain('upxray: the capture comes on standard input and there is no terminal (/dev/tty) to read keys');
    } finally {
      t.close();
    }
  });

  it('colours the screen, except under NO_COLOR', async () => {
    const colourSgr = /\u001b\[(?:[0-9;]*;)?(3[0-7]|9[0-7]|38;5)[;m]/;
    const on = new Term(browse('many-phones.pcap'));
    const off = new Term(browse('many-phones.pcap'), { NO_COLOR: '1' });
    try {
      await on.waitFor('26/26 phones');
      await off.waitFor('26/26 phones');
      expect(on.screen(true)).toMatch(colourSgr);
      expect(off.screen(true)).not.toMatch(colourSgr);
      expect(off.screen()).toContain('FAILING');
    } finally {
      on.close();
      off.close();
    }
  });
});
