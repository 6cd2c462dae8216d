// The live dashboard fed what a live session really produces: runLiveSession
// over a recorded capture (records one per batch, a test clock), every event
// and snapshot recorded, then replayed into a LiveStore under ink-testing-library.
// Phones appear as they are seen, findings arrive newest first with their
// frames, the browse keys work on the growing analysis, q asks to stop, and
// nothing a hostile capture or feed holds reaches the terminal raw.
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../src/analysis.js';
import { openCapture } from '../../src/capture/open.js';
import type { CaptureRecord, CaptureSource } from '../../src/capture/source.js';
import type { Finding } from '../../src/diagnose/finding.js';
import { runLiveSession, type LiveEvent } from '../../src/live/live-session.js';
import { framesText } from '../../src/tui/components/FindingsList.js';
import { LiveDashboard, countersText, elapsedText } from '../../src/tui/LiveDashboard.js';
import { LiveStore } from '../../src/tui/live-store.js';
import { buildViewModel } from '../../src/tui/view-model.js';
import { CAPTURES } from '../helpers/cli.js';
import { tick, withoutSgr } from './fixtures.js';

const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const ENTER = '\r';
const ESC = '\u001b';

type Step = { kind: 'event'; e: LiveEvent } | { kind: 'snapshot'; r: AnalysisResult };

function oneByOne(src: CaptureSource): CaptureSource {
  return {
    get info() {
      return src.info;
    },
    get warnings() {
      return src.warnings;
    },
    get recordCount() {
      return src.recordCount;
    },
    async *batches(signal?: AbortSignal) {
      for await (const b of src.batches(signal)) for (const r of b) yield [r] as readonly CaptureRecord[];
    },
  };
}

const recordings = new Map<string, Promise<{ steps: Step[]; final: AnalysisResult }>>();

/** Everything a live session on `name` tells, in order (diagnosis every `intervalMs` of a 1 s-per-call clock). */
function record(name: string, intervalMs: number): Promise<{ steps: Step[]; final: AnalysisResult }> {
  const id = `${name}@${intervalMs}`;
  let p = recordings.get(id);
  if (!p) {
    p = (async () => {
      const steps: Step[] = [];
      let t = 0;
      const s = await runLiveSession(oneByOne(await openCapture(join(CAPTURES, name))), {
        label: `live:${name}`,
        intervalMs,
        now: () => (t += 1000),
        onEvent: (e) => steps.push({ kind: 'event', e }),
        onSnapshot: (r) => steps.push({ kind: 'snapshot', r }),
      });
      return { steps, final: s.result };
    })();
    recordings.set(id, p);
  }
  return p;
}

function mount(store: LiveStore, size = { columns: 120, rows: 80 }) {
  const quits: number[] = [];
  const ui = render(<LiveDashboard store={store} onQuit={() => quits.push(Date.now())} color={false} size={size} now={() => 65_000} />);
  return { ui, quits };
}

async function keys(ui: ReturnType<typeof render>, ...ks: string[]): Promise<string> {
  for (const k of ks) {
    ui.stdin.write(k);
    await tick(100);
  }
  return withoutSgr(ui.lastFrame() ?? '');
}

function apply(store: LiveStore, s: Step): void {
  if (s.kind === 'event') store.event(s.e);
  else {
    store.snapshot(s.r);
    store.counters({ packets: s.r.flows.captures[0].records });
  }
}

describe('runLiveSession onSnapshot', () => {
  it('hands over each diagnosis mid-capture and, last, the final analysis itself', async () => {
    const { steps, final } = await record('many-phones.pcap', 60_000);
    const snaps = steps.filter((s): s is Extract<Step, { kind: 'snapshot' }> => s.kind === 'snapshot');
    expect(snaps.length).toBeGreaterThan(3);
    expect(snaps.at(-1)!.r).toBe(final);
    // Mid-capture snapshots count the records seen so far, growing.
    const counts = snaps.map((s) => s.r.flows.captures[0].records);
    expect(counts.slice(0, -1).every((c, i) => i === 0 || c >= counts[i - 1])).toBe(true);
    expect(counts[0]).toBeLessThan(counts.at(-1)!);
  });
});

describe('LiveDashboard replaying a live session on many-phones.pcap', () => {
  it('shows phones as they are seen and findings as they arrive, newest first with frames', async () => {
    const { steps, final } = await record('many-phones.pcap', 60_000);
    const store = new LiveStore({ label: 'live:lo', tool: 'tcpdump', startedMs: 0 }, 10);
    const { ui } = mount(store);
    await tick();
    let frame = withoutSgr(ui.lastFrame()!);
    expect(frame).toContain('upxray live · live:lo · tcpdump · 1 min 05 s');
    expect(frame).toContain('waiting for the first packets');
    const seen: number[] = [];
    const told: Finding[] = [];
    for (const s of steps) {
      apply(store, s);
      if (s.kind === 'event' && s.e.kind === 'finding') told.push(s.e.finding);
      if (s.kind !== 'snapshot') continue;
      store.flush();
      await tick(30);
      frame = withoutSgr(ui.lastFrame()!);
      // The phones of the snapshot, with the findings told so far (those still settling wait).
      const shown = store.getState().result!;
      expect(shown.findings.length).toBeLessThanOrEqual(told.length);
      expect(shown.model.phones.map((p) => p.key)).toEqual(s.r.model.phones.map((p) => p.key));
      const vm = buildViewModel(shown);
      seen.push(vm.phones.length);
      expect(frame).toContain(`Phones (${vm.phones.length})`);
      // 120x80 leaves room for every phone: each one seen so far is on screen.
      for (const p of vm.phones) expect(frame).toContain(p.label);
      expect(frame).toContain(`${s.r.flows.captures[0].records} packets`);
      expect(frame).toContain(`Findings (${told.length}), newest first`);
      if (told.length > 0) {
        // The newest finding is the first row of the feed, with its frames.
        const newest = told.at(-1)!;
        const firstRow = frame.split('\n').findIndex((l) => l.startsWith('Findings (')) + 1;
        expect(frame.split('\n')[firstRow]).toContain(`${newest.code}  ${framesText(newest.evidence.frames)}`);
      }
    }
    // Phones are never lost between snapshots, and they did arrive over time.
    expect(seen.every((n, i) => i === 0 || n >= seen[i - 1])).toBe(true);
    expect(seen[0]).toBeLessThan(seen.at(-1)!);
    expect(seen.at(-1)).toBe(buildViewModel(final).phones.length);
    // At the end the dashboard holds exactly the final analysis's findings.
    expect(store.getState().result!.findings).toEqual(final.findings);
    expect(seen.at(-1)).toBeGreaterThanOrEqual(26);
    expect(told.length).toBeGreaterThan(0);
    expect(frame).toContain('exchanges');
    ui.unmount();
  });

  it('uses the browse keys on the live analysis: Enter, Esc, /, ?, then q asks to stop and Ctrl+C again to kill', async () => {
    const { steps, final } = await record('many-phones.pcap', 60_000);
    const store = new LiveStore({ label: 'live:eth0', tool: 'dumpcap', startedMs: 0 }, 10);
    for (const s of steps) apply(store, s);
    store.flush();
    const { ui, quits } = mount(store, { columns: 80, rows: 24 });
    await tick();
    let f = withoutSgr(ui.lastFrame()!);
    const vm = buildViewModel(final);
    const first = vm.phones[0];
    expect(f).toMatch(new RegExp(`›\\S+\\s+${first.label}`));
    // It fits the 80x24 terminal.
    const lines = f.split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(f).toContain(`Latest of ${first.label}`);

    f = await keys(ui, 'j');
    expect(f).toMatch(new RegExp(`›\\S+\\s+${vm.phones[1].label}`));
    expect(f).toContain(`Latest of ${vm.phones[1].label}`);
    f = await keys(ui, ENTER);
    expect(f).toMatch(/Timeline \(\d+\)/);
    expect(f).toContain('phone · ↑↓ jk move');
    f = await keys(ui, ENTER);
    expect(f).toContain('exchange · ↑↓ jk move');
    expect(f).toContain('Request  frame');
    f = await keys(ui, ESC, ESC);
    expect(f).toContain(`${vm.phones.length}/${vm.phones.length} phones`);

    const mac = vm.phones[5].label;
    f = await keys(ui, '/', ...mac.replace(/:/g, '').slice(-6), ENTER);
    expect(f).toContain(`1/${vm.phones.length} phones`);
    expect(f).toContain(mac);
    f = await keys(ui, ESC);
    expect(f).toContain(`${vm.phones.length}/${vm.phones.length} phones`);

    f = await keys(ui, '?');
    expect(f).toContain('upxray live: keys');
    expect(f).toContain('stop the capture, then print the summary');
    f = await keys(ui, 'x');
    expect(f).toContain('Phones (');

    expect(quits).toHaveLength(0);
    f = await keys(ui, 'q');
    expect(quits).toHaveLength(1);
    expect(store.getState().stopping).toBe(true);
    expect(f).toContain('stopping the capture and finishing the analysis');
    // Keys no longer move anything; a further Ctrl+C reaches the caller (which kills the tool).
    f = await keys(ui, 'j', 'q');
    expect(quits).toHaveLength(1);
    await keys(ui, '\u0003');
    expect(quits).toHaveLength(2);
    ui.unmount();
  });

  it('Ctrl+C asks to stop as q does', async () => {
    const store = new LiveStore({ label: 'live:lo', tool: 'tcpdump', startedMs: 0 }, 10);
    const { ui, quits } = mount(store);
    await tick();
    await keys(ui, '\u0003');
    expect(quits).toHaveLength(1);
    expect(withoutSgr(ui.lastFrame()!)).toContain('stopping the capture');
    ui.unmount();
  });

  it('marks a withdrawn finding in the feed and shows drop counts once the tool gives them', async () => {
    const store = new LiveStore({ label: 'live:lo', tool: 'tcpdump', startedMs: 0 }, 10);
    const f: Finding = { code: 'update-offered-not-downloaded', severity: 'warning', phone: { mac: '00216300AABB', ip: '10.0.0.9' }, message: 'no download followed the offer', evidence: { frames: [7, 9] } };
    store.event({ kind: 'finding', finding: f, nowNs: 0n });
    store.event({ kind: 'withdrawn', finding: f });
    store.counters({ packets: 12, stats: { captured: 12, droppedByKernel: 3, droppedByTool: 1 } });
    store.flush();
    const { ui } = mount(store, { columns: 200, rows: 30 });
    await tick();
    const frame = withoutSgr(ui.lastFrame()!);
    expect(frame).toContain('update-offered-not-downloaded  frames 7, 9  (withdrawn: the capture went on and shows otherwise) 00:21:63:00:aa:bb 10.0.0.9: no download followed the offer');
    expect(frame).toContain('12 packets · 0 exchanges (0 service) · 1 findings · dropped: kernel 3, interface ?, tool 1');
    ui.unmount();
  });
});

describe('LiveDashboard and hostile strings', () => {
  it('a hostile capture replayed live, a hostile finding and a hostile download URL reach no screen raw', async () => {
    const evil = 'x\u001b]0;t\u0007\u001b[2J\u009b31m\u202e';
    const { steps } = await record('tui-hostile.pcap', 0);
    const store = new LiveStore({ label: `live:${evil}`, tool: 'tcpdump', startedMs: 0 }, 10);
    for (const s of steps) apply(store, s);
    store.event({ kind: 'finding', finding: { code: 'http-error', severity: 'error', phone: { ip: evil }, message: evil, evidence: { frames: [1] } }, nowNs: 0n });
    store.counters({
      downloads: [{ flow: 3, client: { ip: '10.0.0.9', port: 5000 }, server: { ip: '10.0.0.1', port: 80 }, uri: `/DeviceUpdateFiles_Int/${evil}`, frame: 4, status: 200, total: 2048, received: 1024, lastNs: 0n }],
    });
    store.flush();
    const { ui } = mount(store, { columns: 100, rows: 40 });
    await tick();
    const frames = [ui.lastFrame()!];
    const phones = buildViewModel(store.getState().result!).phones.length;
    for (let p = 0; p < phones; p++) {
      frames.push(await keys(ui, ENTER));
      for (let row = 0; row < 4; row++) {
        frames.push(await keys(ui, ENTER, ' ', ' '));
        frames.push(await keys(ui, ESC, 'j'));
      }
      frames.push(await keys(ui, ESC, 'j'));
    }
    ui.unmount();
    for (const f of frames) {
      const bare = withoutSgr(f);
      expect(RAW.test(bare), JSON.stringify(bare.match(RAW))).toBe(false);
    }
    const all = frames.map(withoutSgr).join('\n');
    expect(all).toContain('live:x\\x1b]0;t\\x07');
    expect(all).toContain('http-error  frames 1  x\\x1b]0;t\\x07');
    expect(all).toContain('200 1.0 KB of 2.0 KB (50%)  /DeviceUpdateFiles_Int/x\\x1b]0;t\\x07');
    expect(all).toContain('\\x1b]0;pwned\\x07\\x1b[2JENU');
  });
});

describe('dashboard text helpers', () => {
  it('elapsed time and counters', () => {
    expect(elapsedText(12_400)).toBe('12 s');
    expect(elapsedText(185_000)).toBe('3 min 05 s');
    expect(elapsedText(3_720_000)).toBe('1 h 02 min');
    const s = new LiveStore({ label: 'l', tool: 't', startedMs: 0 }).getState();
    expect(countersText(s)).toBe('0 packets · 0 exchanges (0 service) · 0 findings · drops counted when the capture stops');
  });
});
