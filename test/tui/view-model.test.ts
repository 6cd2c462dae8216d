import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../src/analysis.js';
import { loadInventory } from '../../src/dus/inventory.js';
import { decodeUpx } from '../../src/dus/upx-codec.js';
import type { UpxResponse } from '../../src/dus/upx-types.js';
import {
  buildViewModel,
  exchangeView,
  expectedDiff,
  filterPhones,
  findingView,
  phoneView,
  SITE_KEY,
  windowStart,
  wrapDetail,
} from '../../src/tui/view-model.js';
import { isScreenSafe } from '../../src/tui/sanitize.js';
import { ROOT } from '../helpers/cli.js';
import { analysed } from './fixtures.js';

describe('buildViewModel', () => {
  it('lists the demo phone with its badge and finding counts', async () => {
    const vm = buildViewModel(await analysed('dus-demo.pcap'));
    expect(vm.title).toMatch(/dus-demo\.pcap · 196 frames · 2009-03-06 17:07:20 to 17:18:54$/);
    expect(vm.health).toBe('capture whole');
    expect(vm.phones).toHaveLength(1);
    expect(vm.phones[0]).toMatchObject({ key: '0021630F207B', label: '00:21:63:0f:20:7b', ip: '10.99.2.123', status: 'updating', version: '1.0.522.103', counts: { error: 0, warning: 0, info: 1 } });
  });

  it('lists 25 phones of many-phones plus a row for the refused check-in, and every finding is under some row', async () => {
    const r = await analysed('many-phones.pcap');
    const vm = buildViewModel(r);
    expect(vm.phones).toHaveLength(26);
    expect(vm.phones.at(-1)).toMatchObject({ key: SITE_KEY, status: 'site', counts: { error: 1, warning: 0, info: 0 } });
    const statuses = new Set(vm.phones.map((p) => p.status));
    for (const s of ['up-to-date', 'updating', 'failing', 'stuck']) expect(statuses).toContain(s);
    const total = vm.phones.reduce((n, p) => n + p.counts.error + p.counts.warning + p.counts.info, 0);
    expect(total).toBe(r.findings.length);
  });
});

describe('filterPhones', () => {
  it('matches a MAC in any notation, an IP, a model, a finding code, several words at once', async () => {
    const rows = buildViewModel(await analysed('many-phones.pcap')).phones;
    const keys = (q: string) => filterPhones(rows, q).map((p) => p.key);
    expect(keys('00:21:63:10:00:0c')).toEqual(['00216310000C']);
    expect(keys('00-21-63-10-00-0C')).toEqual(['00216310000C']);
    expect(keys('0021.6310.000c')).toEqual(['00216310000C']);
    expect(keys('10.99.2.115')).toEqual(['00216310000F']);
    expect(keys('CX700')).toEqual(['002163100016']);
    expect(keys('firmware-not-found')).toEqual(['002163100007']);
    expect(keys('check-in-failed')).toEqual([SITE_KEY]);
    expect(keys('failing download-truncated')).toEqual(['00216310000C', '00216310000D']);
    expect(keys('')).toHaveLength(26);
    expect(keys('no-such-thing')).toEqual([]);
  });
});

describe('phoneView', () => {
  it('gives the demo timeline with gaps and frames, and the finding with remedy', async () => {
    const v = phoneView(await analysed('dus-demo.pcap'), '0021630F207B')!;
    expect(v.identity[1]).toBe('LG-Nortel IP8540 rev A · locale ENU · serial C185H001209 · runs 1.0.522.103');
    expect(v.timeline.map((t) => t.kind)).toEqual(['check-in', 'check-in', 'download', 'download', 'check-in', 'download', 'download']);
    expect(v.timeline[0]).toMatchObject({ time: '17:07:20.000', frames: [4, 6], exchange: '0.1' });
    expect(v.timeline[4].gap).toBe('+8 min 15 s, idle reboot');
    expect(v.findings).toEqual([expect.objectContaining({ code: 'interim-required', severity: 'info', frames: [16], exchanges: ['1.1'] })]);
    expect(v.findings[0].remedy).toMatch(/two update cycles/);
  });

  it('puts the finding about a phone that never checked in under the site row', async () => {
    const v = phoneView(await analysed('many-phones.pcap'), SITE_KEY)!;
    expect(v.timeline).toEqual([]);
    expect(v.findings.map((f) => [f.code, f.frames])).toEqual([['check-in-failed', [652, 653]]]);
    expect(phoneView(await analysed('many-phones.pcap'), 'nope')).toBeUndefined();
  });
});

describe('exchangeView and findingView', () => {
  it('shows request and response headers, decoded fields, the XML indented, and the findings', async () => {
    const v = exchangeView(await analysed('dus-demo.pcap'), '1.1')!;
    const text = v.lines.map((l) => l.text);
    expect(v.title).toBe('check-in 1.1: POST /RequestHandler/ucdevice.upx → 200 OK');
    expect(text).toContain('  User-Agent: Microsoft UCPhone Device');
    expect(text).toContain('  Content-Type: text/xml; charset=utf-8');
    expect(text).toContain('  Model         IP8540');
    expect(text).toContain('  ServerVersion  3.5.6907.0');
    expect(text).toContain('  Downloads      1');
    expect(text).toContain('        <Version>1.0.522.103</Version>');
    expect(text).toContain('Findings (1)');
    expect(text).toContain('  frames 16');
    expect(text.some((t) => t.startsWith('  remedy: Nothing is wrong'))).toBe(true);
    expect(exchangeView(await analysed('dus-demo.pcap'), '9.9')).toBeUndefined();
  });

  it('a finding detail carries its evidence exchange in full, the error page included', async () => {
    const r = await analysed('many-phones.pcap');
    const i = r.findings.findIndex((f) => f.code === 'firmware-not-found');
    const v = findingView(r, i)!;
    const text = v.lines.map((l) => l.text);
    expect(v.title).toBe('firmware-not-found (error)');
    expect(text).toContain('  frames 152, 156');
    expect(text.some((t) => /^Evidence: download 8\.1: GET .*CPE\.nbt → 404 Not Found$/.test(t))).toBe(true);
    expect(text).toContain('  HTTP/1.1 404 Not Found');
    expect(text.some((t) => t.includes('<title>'))).toBe(true);
    expect(findingView(r, 9999)).toBeUndefined();
  });

  it('shows no firmware bytes', async () => {
    const v = exchangeView(await analysed('dus-demo.pcap'), '2.1')!;
    expect(v.lines.map((l) => l.text)).toContain('  body: 65536 bytes, not shown');
  });
});

describe('expected versus actual', () => {
  const withModel = (r: AnalysisResult, extra: object): AnalysisResult => ({ ...r, model: { ...r.model, ...extra } });

  it('lists the differing fields and aligns the two bodies, tones marking each side', async () => {
    const r = await analysed('dus-demo.pcap');
    const body = new TextEncoder().encode('<Response><ServerVersion>3.5.6907.0</ServerVersion><ServiceVersion>3.5.6907.0</ServiceVersion><Downloads>0</Downloads></Response>');
    const dec = decodeUpx(body, { kind: 'response' });
    expect(dec.ok).toBe(true);
    const expected = (dec as { ok: true; value: UpxResponse }).value;
    const m = withModel(r, { expected }).model;
    const x = m.exchanges.find((e) => e.id === '1.1')!;
    const lines = expectedDiff(m, x);
    expect(lines[0].text).toMatch(/^Expected \(from the --expected body\) versus actual: \d+ difference\(s\)$/);
    expect(lines).toContainEqual({ tone: 'expected', text: '  Downloads: expected "0", got "1"' });
    expect(lines.some((l) => l.tone === 'expected' && l.text === '  -   <Downloads>0</Downloads>')).toBe(true);
    expect(lines.some((l) => l.tone === 'actual' && l.text === '  +   <Downloads>1</Downloads>')).toBe(true);
    expect(lines.some((l) => l.tone === 'dim' && l.text === '      <ServerVersion>3.5.6907.0</ServerVersion>')).toBe(true);
    const view = exchangeView(withModel(r, { expected }), '1.1')!;
    expect(view.lines.some((l) => l.text.startsWith('Expected (from the --expected body)'))).toBe(true);
    // A download has no expected answer, and without expected or inventory nothing is shown.
    expect(expectedDiff(m, m.exchanges.find((e) => e.id === '2.1')!)).toEqual([]);
    expect(expectedDiff(r.model, r.model.exchanges.find((e) => e.id === '1.1')!)).toEqual([]);
  });

  it('uses the inventory when there is no --expected body', async () => {
    const inv = loadInventory(join(ROOT, 'captures/make/dus/inventory.json'));
    expect(inv.ok).toBe(true);
    const r = await analysed('dus-demo.pcap');
    const m = withModel(r, { inventory: (inv as { ok: true; value: unknown }).value }).model;
    const lines = expectedDiff(m, m.exchanges.find((e) => e.id === '1.1')!);
    expect(lines[0].text).toMatch(/^Expected answer \(from the inventory\)/);
  });
});

describe('layout helpers', () => {
  it('wraps long lines to the width with an indent and keeps short ones', () => {
    const out = wrapDetail([{ text: '  ' + 'x'.repeat(50), tone: 'plain' }, { text: 'short', tone: 'dim' }], 20);
    expect(out.map((l) => l.text)).toEqual(['  ' + 'x'.repeat(18), '    ' + 'x'.repeat(16), '    ' + 'x'.repeat(16), 'short']);
    expect(out.every((l) => [...l.text].length <= 20)).toBe(true);
    expect(out.at(-1)).toEqual({ text: 'short', tone: 'dim' });
  });

  it('keeps the selected row in the window', () => {
    expect(windowStart(0, 5, 10)).toBe(0);
    expect(windowStart(25, 26, 10)).toBe(16);
    expect(windowStart(12, 26, 10)).toBe(7);
  });
});

describe('hostile capture', () => {
  it('every string of every screen is screen-safe', async () => {
    for (const name of ['tui-hostile.pcap', 'http-hostile-names.pcap']) {
      const r = await analysed(name);
      const texts: string[] = [];
      const vm = buildViewModel(r);
      texts.push(vm.title, vm.health);
      for (const p of vm.phones) {
        texts.push(p.label, p.ip, p.model, p.version, p.key);
        const v = phoneView(r, p.key)!;
        texts.push(...v.identity, ...v.timeline.map((t) => t.summary), ...v.findings.flatMap((f) => [f.message, f.remedy ?? '']));
      }
      for (const x of r.model.exchanges) texts.push(...exchangeView(r, x.id)!.lines.map((l) => l.text), exchangeView(r, x.id)!.title);
      r.findings.forEach((_, i) => texts.push(...findingView(r, i)!.lines.map((l) => l.text)));
      expect(texts.length).toBeGreaterThan(20);
      for (const t of texts) expect(isScreenSafe(t), JSON.stringify(t)).toBe(true);
    }
    const r = await analysed('tui-hostile.pcap');
    const all = r.model.exchanges.flatMap((x) => exchangeView(r, x.id)!.lines.map((l) => l.text)).join('\n');
    expect(all).toContain('X-Upx-Note: \\x1b]52;c;cHduZWQ=\\x07\\x1b[2J');
    expect(all).toContain('\\x1b]0;owned\\x07\\u202etxt.exe');
    expect(all).toContain('Host: ocs.demo.local\\x1b[?1049h');
  });
});
