// analyze's JSON report made a part at a time, from exchanges put aside in the
// spool (what the CLI does past PUT_ASIDE_AFTER exchanges), must be the very
// report made from every exchange at once, on every test capture: with parts
// of one exchange each, with a few, and with exchanges kept at first and put
// aside on the way; with an inventory too. And what was put aside must not
// stay in memory while the report is written.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeCapture, type AnalyzeOptions } from '../../src/analysis.js';
import { AnalysisCollector } from '../../src/analysis-collector.js';
import { ReportParts } from '../../src/analysis-parts.js';
import { loadInventory, type Inventory } from '../../src/dus/inventory.js';
import type { StoredExchange } from '../../src/dus/stored-exchange.js';
import { analyzeDocumentToWrite } from '../../src/report/analyze-json.js';
import { ExchangeSpool } from '../../src/report/exchange-spool.js';
import { writeJsonPieces } from '../../src/report/json-pieces.js';
import { aliveAfterCollecting, countAlive } from '../helpers/collected.js';
import { loadTlsKeys } from '../../src/cli/tls-options.js';
import { ConnectionLog } from '../../src/reassembly/connection-log.js';
import { Column, CHUNK_ROWS } from '../../src/util/column.js';

function capturesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? capturesIn(join(dir, e.name)) : /\.(pcap|pcapng)(\.gz)?$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}

const ROOT = join(import.meta.dirname, '..', '..');
const CAPTURES = capturesIn(join(ROOT, 'captures'));
const inventory = loadInventory(join(ROOT, 'captures/make/dus/inventory.json'));

type Extra = Pick<AnalyzeOptions, 'inventory' | 'tls' | 'parts' | 'putAsideAfter' | 'asideAfterCloses' | 'forgetAsideAfterNs' | 'partExchanges'>;

/** The JSON report and the findings (which --fail-on reads), or the error; `phones`: narrowed to every other phone (--phone). */
async function report(path: string, extra: Extra, phones = false): Promise<{ json: string; parted: boolean } | { error: string }> {
  try {
    const r = await analyzeCapture(path, { stdin: process.stdin }, undefined, { keepCheckInBodies: false, spool: true, ...extra });
    let json = '';
    const keys = phones ? new Set(r.model.phones.filter((_, i) => i % 2 === 0).map((p) => p.key)) : undefined;
    writeJsonPieces(analyzeDocumentToWrite(r, keys), (t) => (json += t));
    return { json: json + JSON.stringify(r.findings), parted: !Array.isArray(r.model.exchanges) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const restore: Array<() => void> = [];
afterEach(() => {
  for (const undo of restore.splice(0)) undo();
});

describe('analyze made a part at a time', () => {
  it('gives the report made from every exchange at once, on every test capture', async () => {
    if (!inventory.ok) throw new Error(inventory.error);
    let parted = 0;
    for (const path of CAPTURES) {
      const extras: Array<{ inventory?: Inventory }> = /dus|many-phones/.test(path) ? [{}, { inventory: inventory.value }] : [{}];
      for (const extra of extras) {
        const whole = await report(path, extra);
        for (const parts of [
          { putAsideAfter: 0, partExchanges: 1, asideAfterCloses: 0 },
          { putAsideAfter: 0, partExchanges: 5, asideAfterCloses: 1 },
          { putAsideAfter: 3, partExchanges: 2, asideAfterCloses: 2 },
        ]) {
          const made = await report(path, { ...extra, parts: true, ...parts });
          if ('error' in whole || 'error' in made) {
            expect(made, path).toEqual(whole);
            continue;
          }
          expect(made.json, `${path} ${JSON.stringify(parts)}`).toBe(whole.json);
          if (made.parted) parted++;
        }
      }
    }
    expect(CAPTURES.length).toBeGreaterThan(100);
    // Every capture with exchanges went through the parts (one without has nothing to put aside).
    expect(parted).toBeGreaterThan(150);
  }, 300_000);

  it('gives the same report of HTTPS decrypted with a key log', async () => {
    const keylogOf = (p: string) => p.replace(/\.pcap(ng)?$/, '.keylog');
    const logged = CAPTURES.filter((p) => keylogOf(p) !== p && existsSync(keylogOf(p)));
    expect(logged.length).toBeGreaterThan(3);
    let decrypted = 0;
    for (const path of logged) {
      const tls = loadTlsKeys({ keylog: keylogOf(path) }, {});
      const whole = await report(path, { tls });
      const made = await report(path, { tls, parts: true, putAsideAfter: 0, partExchanges: 1, asideAfterCloses: 0 });
      if ('error' in whole || 'error' in made) {
        expect(made, path).toEqual(whole);
        continue;
      }
      expect(made.json, path).toBe(whole.json);
      if (made.parted && made.json.includes('"keySource"')) decrypted++;
    }
    expect(decrypted).toBeGreaterThan(3);
  });

  it('keeps exchanges in memory up to putAsideAfter, and then the report is the one at once', async () => {
    const path = join(ROOT, 'captures/many-phones.pcap');
    const kept = await report(path, { parts: true, putAsideAfter: 1000 });
    const aside = await report(path, { parts: true, putAsideAfter: 5 });
    if ('error' in kept || 'error' in aside) throw new Error('many-phones.pcap did not analyse');
    expect(kept.parted).toBe(false);
    expect(aside.parted).toBe(true);
    expect(aside.json).toBe(kept.json);
    // Narrowed to some of the phones (analyze --phone), the same too.
    const keptSome = await report(path, { parts: true, putAsideAfter: 1000 }, true);
    const asideSome = await report(path, { parts: true, putAsideAfter: 0, partExchanges: 1 }, true);
    if ('error' in keptSome || 'error' in asideSome) throw new Error('many-phones.pcap did not analyse');
    expect(asideSome.json).toBe(keptSome.json);
    expect(asideSome.json.length).toBeLessThan(kept.json.length);
  });

  it('holds the records in memory where no temporary file can be made, with the same report', async () => {
    const path = join(ROOT, 'captures/many-phones.pcap');
    const onDisk = await report(path, { parts: true, putAsideAfter: 0, partExchanges: 3, asideAfterCloses: 0 });
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = join(ROOT, 'no', 'such', 'folder');
    restore.push(() => (tmp === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = tmp)));
    expect(new ExchangeSpool().onDisk).toBe(false);
    const held = await report(path, { parts: true, putAsideAfter: 0, partExchanges: 3, asideAfterCloses: 0 });
    if ('error' in onDisk || 'error' in held) throw new Error('many-phones.pcap did not analyse');
    expect(held.parted).toBe(true);
    expect(held.json).toBe(onDisk.json);
  });

  it('gives the same report when the facts of thousands of exchanges went to the file, and the tuples of connections put aside were forgotten', async () => {
    // More exchanges than a column chunk holds: the benchmark's generator, check-ins only (bench/synth-capture.mjs).
    const dir = mkdtempSync(join(tmpdir(), 'upxray-parts-'));
    restore.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'checkins.pcap');
    const generator = new URL('../../bench/synth-capture.mjs', import.meta.url).href;
    const { synthesize } = (await import(generator)) as { synthesize: (path: string, bytes: number, seed: undefined, downloadShare: number) => { exchanges: number } };
    expect(synthesize(path, 16e6, undefined, 0).exchanges).toBeGreaterThan(CHUNK_ROWS);
    const whole = await report(path, {});
    // Counted by hand: a spy would keep what it saw.
    let broughtBack = 0;
    const logs: ConnectionLog[] = [];
    const bringBack = (Column.prototype as unknown as { bringBack: (c: number) => unknown }).bringBack;
    (Column.prototype as unknown as { bringBack: (c: number) => unknown }).bringBack = function (this: Column, c: number) {
      broughtBack++;
      return bringBack.call(this, c);
    };
    const push = ConnectionLog.prototype.push;
    ConnectionLog.prototype.push = function (this: ConnectionLog, f) {
      if (!logs.includes(this)) logs.push(this);
      push.call(this, f);
    };
    restore.push(() => {
      (Column.prototype as unknown as { bringBack: (c: number) => unknown }).bringBack = bringBack;
      ConnectionLog.prototype.push = push;
    });
    // The capture lasts about 3 s: a tenth of a second stands for the minute a long one waits.
    const made = await report(path, { parts: true, putAsideAfter: 0, forgetAsideAfterNs: 100_000_000n });
    if ('error' in whole || 'error' in made) throw new Error('the generated capture did not analyse');
    expect(made.parted).toBe(true);
    expect(made.json).toBe(whole.json);
    expect(broughtBack).toBeGreaterThan(10);
    expect(logs.length).toBe(1);
    expect(logs[0].tuplesForgotten).toBeGreaterThan(1000);
  });

  it('lets go of the exchanges put aside and of the collector while the report is written', async () => {
    // Wrapped by hand: a spy would keep every argument it saw.
    const added: Array<WeakRef<StoredExchange>> = [];
    const add = ReportParts.prototype.add;
    ReportParts.prototype.add = function (this: ReportParts, x: StoredExchange) {
      added.push(new WeakRef(x));
      add.call(this, x);
    };
    let collector: WeakRef<AnalysisCollector> | undefined;
    const snapshot = AnalysisCollector.prototype.snapshot;
    AnalysisCollector.prototype.snapshot = function (this: AnalysisCollector, ...a: Parameters<AnalysisCollector['snapshot']>) {
      collector = new WeakRef(this);
      return snapshot.apply(this, a);
    };
    restore.push(() => {
      ReportParts.prototype.add = add;
      AnalysisCollector.prototype.snapshot = snapshot;
    });
    const r = await analyzeCapture(join(ROOT, 'captures/many-phones.pcap'), { stdin: process.stdin }, undefined, { keepCheckInBodies: false, spool: true, parts: true, putAsideAfter: 0, partExchanges: 1 });
    expect(added.length).toBeGreaterThan(30);
    // The capture file's reader may still be closing a moment after the analysis.
    await aliveAfterCollecting(() => countAlive([...added, collector]));
    expect(added.filter((x) => x.deref() !== undefined)).toEqual([]);
    expect(collector?.deref()).toBeUndefined();
    // The report is still whole: every exchange and phone read back.
    let json = '';
    writeJsonPieces(analyzeDocumentToWrite(r), (t) => (json += t));
    const doc = JSON.parse(json) as { exchanges: unknown[]; phones: Array<{ timeline: unknown[] }> };
    expect(doc.exchanges.length).toBe(added.length);
    expect(doc.phones.reduce((n, p) => n + p.timeline.length, 0)).toBeGreaterThan(30);
  });
});
