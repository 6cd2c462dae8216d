import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { App } from '../../src/tui/App.js';
import { analysed, tick, withoutSgr } from './fixtures.js';

const ESC = '\u001b';
const ENTER = '\r';
const UP = '\u001b[A';
const DOWN = '\u001b[B';
const BACKSPACE = '\u007f';

type Ui = ReturnType<typeof render>;

async function keys(ui: Ui, ...ks: string[]): Promise<string> {
  for (const k of ks) {
    ui.stdin.write(k);
    await tick();
  }
  return withoutSgr(ui.lastFrame() ?? '');
}

async function open(name: string, size = { columns: 80, rows: 24 }, color = false): Promise<Ui> {
  const ui = render(<App result={await analysed(name)} color={color} size={size} />);
  await tick();
  return ui;
}

function fits(frame: string, size: { columns: number; rows: number }): void {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(size.rows);
  for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(size.columns);
}

describe('App on the demo capture', () => {
  it('goes phones → phone → finding (its frames and remedy) → back, with Enter, j/k, G, Esc and Backspace', async () => {
    const ui = await open('dus-demo.pcap');
    let f = withoutSgr(ui.lastFrame()!);
    expect(f).toContain('dus-demo.pcap · 196 frames');
    expect(f).toMatch(/›UPDATING\s+00:21:63:0f:20:7b\s+10\.99\.2\.123\s+0E 0W 1I/);
    expect(f).toContain('1/1 phones');
    f = await keys(ui, ENTER);
    expect(f).toContain('Timeline (7)');
    expect(f).toContain('Findings (1)');
    expect(f).toMatch(/›17:07:20\.000\s+check-in\s+frames 4, 6/);
    f = await keys(ui, 'G');
    expect(f).toMatch(/›info\s+interim-required\s+frames 16/);
    expect(f).toContain('remedy: Nothing is wrong');
    f = await keys(ui, 'k', 'j');
    expect(f).toMatch(/›info\s+interim-required/);
    f = await keys(ui, ENTER);
    expect(f).toContain('interim-required (info)');
    expect(f).toContain('  frames 16');
    expect(f).toContain('Evidence: check-in 1.1: POST /RequestHandler/ucdevice.upx → 200 OK');
    f = await keys(ui, ESC);
    expect(f).toContain('Timeline (7)');
    f = await keys(ui, BACKSPACE);
    expect(f).toContain('1/1 phones');
    ui.unmount();
  });

  it('opens an exchange from the timeline and scrolls it', async () => {
    const ui = await open('dus-demo.pcap');
    let f = await keys(ui, ENTER, DOWN, ENTER);
    expect(f).toContain('check-in 1.1: POST /RequestHandler/ucdevice.upx → 200 OK');
    expect(f).toContain('Request  frame 14');
    expect(f).not.toContain('ServerVersion  3.5.6907.0');
    f = await keys(ui, ' ', ' ');
    expect(f).toContain('  ServerVersion  3.5.6907.0');
    f = await keys(ui, 'G');
    expect(f).toContain('Findings (1)');
    expect(f).toContain('  frames 16');
    f = await keys(ui, 'g', UP);
    expect(f).toContain('Request  frame 14');
    ui.unmount();
  });

  it('shows the help on ? and closes it on any key', async () => {
    const ui = await open('dus-demo.pcap');
    let f = await keys(ui, '?');
    expect(f).toContain('upxray browse: keys');
    expect(f).toContain('filter phones: MAC (any notation), IP, model,');
    f = await keys(ui, 'x');
    expect(f).not.toContain('upxray browse: keys');
    expect(f).toContain('1/1 phones');
    ui.unmount();
  });
});

describe('App on the many-phones capture', () => {
  it('filters by finding code and reaches the evidence frames in a few keys', async () => {
    const ui = await open('many-phones.pcap');
    let f = withoutSgr(ui.lastFrame()!);
    expect(f).toContain('26/26 phones');
    f = await keys(ui, '/', 'firmware-not-found');
    expect(f).toContain('/firmware-not-found');
    expect(f).toContain('1/26 phones');
    f = await keys(ui, ENTER, ENTER, 'G');
    expect(f).toMatch(/›error\s+firmware-not-found\s+frames 152, 156/);
    f = await keys(ui, ENTER);
    expect(f).toContain('  frames 152, 156');
    expect(f).toContain('HTTP/1.1 404 Not Found'.slice(0, 0) + 'Evidence: download 8.1');
    ui.unmount();
  });

  it('filters by MAC in another notation, by IP and by model; Esc drops the filter being typed', async () => {
    const ui = await open('many-phones.pcap');
    let f = await keys(ui, '/', '00-21-63-10-00-0C', ENTER);
    expect(f).toContain('1/26 phones');
    expect(f).toContain('00:21:63:10:00:0c');
    f = await keys(ui, ESC);
    expect(f).toContain('26/26 phones');
    f = await keys(ui, '/', '10.99.2.122');
    expect(f).toMatch(/00:21:63:10:00:16\s+10\.99\.2\.122/);
    f = await keys(ui, ESC);
    expect(f).toContain('26/26 phones');
    f = await keys(ui, '/', 'CX700', ENTER);
    expect(f).toMatch(/00:21:63:10:00:16 .*Polycom/);
    f = await keys(ui, '/', 'zzz');
    expect(f).toContain('no phone matches "CX700zzz"');
    f = await keys(ui, BACKSPACE, BACKSPACE, BACKSPACE, ENTER);
    expect(f).toContain('1/26 phones');
    ui.unmount();
  });

  it('pages through the list and keeps the selection in view', async () => {
    const ui = await open('many-phones.pcap');
    let f = await keys(ui, 'G');
    expect(f).toMatch(/›OTHER\s+other/);
    f = await keys(ui, ENTER);
    expect(f).toMatch(/check-in-failed\s+frames 652, 653/);
    f = await keys(ui, ESC, 'g');
    expect(f).toMatch(/›UP-TO-DATE\s+00:21:63:10:00:01/);
    ui.unmount();
  });
});

describe('layout', () => {
  it('fits 80x24 on every screen and adapts when the terminal is resized', async () => {
    const r = await analysed('many-phones.pcap');
    const big = { columns: 80, rows: 24 };
    const ui = render(<App result={r} color={false} size={big} />);
    await tick();
    fits(ui.lastFrame()!, big);
    for (const k of ['j', 'j', 'j', 'j', 'j', 'j', ENTER, 'G']) await keys(ui, k);
    fits(ui.lastFrame()!, big);
    await keys(ui, ENTER);
    fits(ui.lastFrame()!, big);
    const small = { columns: 50, rows: 12 };
    ui.rerender(<App result={r} color={false} size={small} />);
    await tick();
    const f = withoutSgr(ui.lastFrame()!);
    fits(f, small);
    expect(f).toContain('firmware-not-found (error)');
    await keys(ui, ESC, ESC);
    fits(ui.lastFrame()!, small);
    expect(withoutSgr(ui.lastFrame()!)).toMatch(/›FAILING/);
    ui.unmount();
  });
});

describe('colour', () => {
  it('colours badges and severities only when colour is on (off under NO_COLOR)', async () => {
    // ink styles through chalk, which finds no colour terminal under vitest: give it one.
    const level = chalk.level;
    chalk.level = 1;
    const on = await open('many-phones.pcap', { columns: 80, rows: 24 }, true);
    const off = await open('many-phones.pcap', { columns: 80, rows: 24 }, false);
    const colourSgr = /\u001b\[(3[0-7]|9[0-7]|38;)/;
    expect(on.lastFrame()).toMatch(colourSgr);
    expect(off.lastFrame()).not.toMatch(colourSgr);
    on.unmount();
    off.unmount();
    chalk.level = level;
  });
});
