// The live session on recorded captures: whatever order diagnosis runs in
// mid-capture, the final findings are analyze's, each finding is told once,
// and what was told and not withdrawn is exactly the final set.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analysis.js';
import { openCapture } from '../../src/capture/open.js';
import type { CaptureRecord, CaptureSource } from '../../src/capture/source.js';
import type { Finding } from '../../src/diagnose/finding.js';
import { findingKey } from '../../src/live/finding-tracker.js';
import { runLiveSession, type LiveEvent } from '../../src/live/live-session.js';
import { CAPTURES } from '../helpers/cli.js';

const stdin = process.stdin;
const DUS = readdirSync(CAPTURES).filter((f) => /^(dus-|dns-|dhcp-|many-phones).*\.pcap$/.test(f));

/** A source that hands records over one per batch, as a quiet live link does. */
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

async function live(name: string, intervalMs: number, stepMs = 1000) {
  const events: LiveEvent[] = [];
  const src = oneByOne(await openCapture(join(CAPTURES, name)));
  // A clock that moves stepMs per call: with 1 s steps diagnosis runs as often as the interval lets it.
  let t = 0;
  const r = await runLiveSession(src, { label: name, onEvent: (e) => events.push(e), intervalMs, now: () => (t += stepMs) });
  return { r, events };
}

describe('runLiveSession with keys and an inventory, as analyze takes them', () => {
  it('decrypts the HTTPS demo with the RSA key and finds what analyze finds', async () => {
    const { loadTlsKeys } = await import('../../src/cli/tls-options.js');
    const keys = () => loadTlsKeys({ rsaKey: [join(CAPTURES, 'make/tls/keys/server.rsa.pem')] }, {});
    const expected = await analyzeCapture(join(CAPTURES, 'tls-demo.pcap'), { stdin }, undefined, { tls: keys() });
    const src = oneByOne(await openCapture(join(CAPTURES, 'tls-demo.pcap')));
    const r = await runLiveSession(src, { label: 'tls-demo', onEvent: () => {}, intervalMs: 0, tls: keys() });
    expect(r.result.findings).toEqual(expected.findings);
    expect(r.result.model.exchanges.filter((x) => x.cls.kind === 'check-in')).toHaveLength(3);
  });
});

describe('runLiveSession on every Device Update Service capture', () => {
  it.each(DUS)('%s: final findings are analyze\'s; told minus withdrawn is the final set', async (name) => {
    const expected = await analyzeCapture(join(CAPTURES, name), { stdin });
    const { r, events } = await live(name, 0);
    expect(r.result.findings).toEqual(expected.findings);
    expect(r.result.model.phones.map((p) => [p.key, p.status])).toEqual(expected.model.phones.map((p) => [p.key, p.status]));
    const told = events.filter((e): e is Extract<LiveEvent, { kind: 'finding' }> => e.kind === 'finding').map((e) => findingKey(e.finding));
    const withdrawn = new Set(events.filter((e) => e.kind === 'withdrawn').map((e) => findingKey((e as { finding: Finding }).finding)));
    expect(new Set(told).size).toBe(told.length);
    expect(told.filter((k) => !withdrawn.has(k)).sort()).toEqual(expected.findings.map(findingKey).sort());
    const exchanges = events.filter((e) => e.kind === 'exchange').length;
    expect(exchanges).toBe(expected.flows.exchanges.length);
  });

  it('diagnoses during the capture, and tells findings while later phones are still talking', async () => {
    const { r, events } = await live('many-phones.pcap', 0);
    expect(r.diagnoses).toBeGreaterThan(10);
    const firstFinding = events.findIndex((e) => e.kind === 'finding');
    const lastExchange = events.map((e) => e.kind).lastIndexOf('exchange');
    expect(firstFinding).toBeGreaterThanOrEqual(0);
    expect(firstFinding).toBeLessThan(lastExchange);
  });

  it('runs diagnosis no more often than the interval allows', async () => {
    const often = await live('many-phones.pcap', 0);
    const rarely = await live('many-phones.pcap', 60_000, 1);
    expect(rarely.r.diagnoses).toBeLessThan(often.r.diagnoses / 5);
    expect(rarely.r.result.findings).toEqual(often.r.result.findings);
  });

  it('holds update-offered-not-downloaded until the end of a short capture (the phone had no time)', async () => {
    const { events } = await live('dus-update-offered-not-downloaded.pcap', 0);
    const i = events.findIndex((e) => e.kind === 'finding' && e.finding.code === 'update-offered-not-downloaded');
    expect(i).toBe(events.length - 1);
  });

  it('bounds the unrelated exchanges it keeps and counts the rest', async () => {
    const events: LiveEvent[] = [];
    const src = await openCapture(join(CAPTURES, 'http-keepalive.pcap'));
    const r = await runLiveSession(src, { label: 'x', onEvent: (e) => events.push(e), maxOtherExchanges: 1 });
    const n = events.filter((e) => e.kind === 'exchange').length;
    expect(n).toBeGreaterThan(1);
    expect(r.otherDropped).toBe(n - 1);
    expect(r.result.flows.exchanges).toHaveLength(1);
  });
});
