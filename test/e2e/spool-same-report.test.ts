// analyze's JSON and text reports, made from exchanges kept lean with their
// JSON spooled to a temporary file (what the CLI does), must be the very
// reports made from whole exchanges kept in memory, on every test capture.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture, type AnalysisResult } from '../../src/analysis.js';
import { StoredExchange } from '../../src/dus/stored-exchange.js';
import { analyzeDocumentToWrite } from '../../src/report/analyze-json.js';
import { renderAnalyzeText } from '../../src/report/analyze-text.js';
import { palette } from '../../src/report/colour.js';
import { LazyJsonArray, writeJsonPieces } from '../../src/report/json-pieces.js';
import { buildFlowsDocument } from '../../src/cli/commands/flows.js';
import type { CliIo } from '../../src/cli/io.js';

function capturesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? capturesIn(join(dir, e.name)) : /\.(pcap|pcapng)(\.gz)?$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}

const CAPTURES = capturesIn(join(import.meta.dirname, '..', '..', 'captures'));

async function reports(path: string, spool: boolean): Promise<{ json: string; text: string; r: AnalysisResult } | { error: string }> {
  try {
    const r = await analyzeCapture(path, { stdin: process.stdin }, undefined, { keepCheckInBodies: false, spool });
    let json = '';
    writeJsonPieces(analyzeDocumentToWrite(r), (t) => (json += t));
    return { json, text: renderAnalyzeText(r, palette(false, {})), r };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('flows with spooled exchanges', () => {
  it('writes the document JSON.stringify would write of it, each exchange read back from the spool', async () => {
    const io = { stdin: process.stdin } as unknown as CliIo;
    let exchanges = 0;
    for (const path of CAPTURES.filter((p) => /dus-|tls-keylog-embedded/.test(p)).slice(0, 20)) {
      const doc = await buildFlowsDocument([path, path], io);
      expect(doc.exchanges).toBeInstanceOf(LazyJsonArray);
      let pieces = '';
      writeJsonPieces(doc as unknown as Record<string, unknown>, (t) => (pieces += t));
      const whole = JSON.stringify(doc, null, 2);
      expect(pieces, path).toBe(`${whole}\n`);
      const parsed = JSON.parse(whole) as { exchanges: Array<{ id: string; capture: string }> };
      // Two copies of the capture: each exchange twice, numbered per capture.
      expect(parsed.exchanges.filter((x) => x.id.startsWith('1/')).length).toBe(parsed.exchanges.length / 2);
      exchanges += parsed.exchanges.length;
    }
    expect(exchanges).toBeGreaterThan(20);
  }, 120_000);
});

describe('analyze with spooled exchanges', () => {
  it('gives the same JSON and text reports as whole exchanges, on every test capture', async () => {
    let spooled = 0;
    for (const path of CAPTURES) {
      const whole = await reports(path, false);
      const lean = await reports(path, true);
      if ('error' in whole || 'error' in lean) {
        expect(lean, path).toEqual(whole);
        continue;
      }
      expect(lean.json, path).toBe(whole.json);
      expect(lean.text, path).toBe(whole.text);
      expect(JSON.stringify(lean.r.flows.exchanges), path).toBe(JSON.stringify(whole.r.flows.exchanges));
      // Lean without the JSON (analyze's text report): the same text, and no JSON to be had.
      const textOnly = await analyzeCapture(path, { stdin: process.stdin }, undefined, { keepCheckInBodies: false, lean: true });
      expect(renderAnalyzeText(textOnly, palette(false, {})), path).toBe(whole.text);
      if (textOnly.model.exchanges.length > 0) expect(() => writeJsonPieces(analyzeDocumentToWrite(textOnly), () => {}), path).toThrow(/not kept/);
      // And the lean run did keep exchanges lean.
      for (const x of lean.r.model.exchanges) {
        expect(x).toBeInstanceOf(StoredExchange);
        expect((x as StoredExchange).full).toBeUndefined();
        expect((x as StoredExchange).reportText()).toBeDefined();
        spooled++;
      }
    }
    expect(CAPTURES.length).toBeGreaterThan(100);
    expect(spooled).toBeGreaterThan(200);
  }, 300_000);
});
