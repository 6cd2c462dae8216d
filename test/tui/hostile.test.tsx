// A capture whose strings try to drive the terminal (captures/tui-hostile.pcap:
// OSC title, clear screen, alternate screen, OSC 52 clipboard write, C1 CSI,
// bidi override). Walk every screen and prove that nothing but ink's own styling reaches the frame.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { FindingsList } from '../../src/tui/components/FindingsList.js';
import { PhonesList } from '../../src/tui/components/PhonesList.js';
import { Timeline } from '../../src/tui/components/Timeline.js';
import { App } from '../../src/tui/App.js';
import { phoneView, buildViewModel } from '../../src/tui/view-model.js';
import { analysed, tick, withoutSgr } from './fixtures.js';

const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

async function press(ui: ReturnType<typeof render>, k: string): Promise<string> {
  ui.stdin.write(k);
  await tick(40);
  return ui.lastFrame() ?? '';
}

describe('hostile captures in the UI', () => {
  // http-hostile-names.pcap has no phones to browse; view-model.test.ts walks its exchanges.
  it.each(['tui-hostile.pcap'])('%s: no screen lets a raw control or escape through', async (name) => {
    const r = await analysed(name);
    const ui = render(<App result={r} color size={{ columns: 100, rows: 40 }} />);
    await tick();
    const frames: string[] = [ui.lastFrame() ?? ''];
    const vm = buildViewModel(r);
    for (let p = 0; p < vm.phones.length; p++) {
      frames.push(await press(ui, '\r'));
      const v = phoneView(r, vm.phones[p].key)!;
      for (let row = 0; row < v.timeline.length + v.findings.length; row++) {
        frames.push(await press(ui, '\r'));
        // Scroll the detail to its end, page by page.
        for (let i = 0; i < 6; i++) frames.push(await press(ui, ' '));
        if (frames.at(-1)!.includes('Timeline (') === false) await press(ui, '\u007f');
        frames.push(await press(ui, 'j'));
      }
      await press(ui, '\u007f');
      frames.push(await press(ui, 'j'));
    }
    ui.unmount();
    expect(frames.length).toBeGreaterThan(10);
    for (const f of frames) {
      const bare = withoutSgr(f);
      expect(RAW.test(bare), JSON.stringify(bare.match(RAW))).toBe(false);
    }
    const all = frames.map(withoutSgr).join('\n');
    if (name === 'tui-hostile.pcap') {
      expect(all).toContain('\\x1b]0;pwned\\x07\\x1b[2JENU');
      expect(all).toContain('X-Upx-Note: \\x1b]52;c;cHduZWQ=\\x07\\x1b[2J\\x9b31m');
      expect(all).toContain('\\u202etxt.exe\\x1b[?1049h');
    }
  });

  it('the presentational components neutralise what a live feed hands them', async () => {
    const evil = 'x\u001b]0;t\u0007\u001b[2J\u009b\u202e';
    const phones = render(
      <PhonesList
        rows={[{ key: evil, label: evil, ip: evil, model: evil, version: evil, status: 'failing', counts: { error: 1, warning: 0, info: 0 }, search: '' }]}
        selected={0}
        height={5}
        color={false}
      />,
    );
    const timeline = render(<Timeline rows={[{ kind: 'download', time: '10:00:00.000', summary: evil, frames: [3], exchange: evil }]} selected={0} color={false} />);
    const findings = render(
      <FindingsList rows={[{ index: 0, code: 'http-error', severity: 'warning', message: evil, remedy: evil, frames: [1, 2], exchanges: [] }]} selected={0} color={false} />,
    );
    for (const ui of [phones, timeline, findings]) {
      const f = withoutSgr(ui.lastFrame() ?? '');
      expect(RAW.test(f), f).toBe(false);
      expect(f).toContain('x\\x1b]0;t\\x07');
      ui.unmount();
    }
    expect(withoutSgr(findings.lastFrame()!)).toContain('frames 1, 2');
  });
});
