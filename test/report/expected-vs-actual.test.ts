// Expected against actual in the three reports, on the captures of `upxray
// serve` and `upxray phone` analysed with the inventory serve ran on (and one
// with a known-good --expected body): the text report's block under each
// check-in that differs, the JSON's `expected` object (valid against the
// schema), and report.md's table of differences with the expected XML after
// the actual (parsed with markdown-it, as test/ticket does). Check-ins that
// match show no block.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analysis.js';
import { loadInventory } from '../../src/dus/inventory.js';
import { decodeUpx } from '../../src/dus/upx-codec.js';
import type { UpxResponse } from '../../src/dus/upx-types.js';
import { palette } from '../../src/report/colour.js';
import { renderAnalyzeText } from '../../src/report/analyze-text.js';
import { renderTicketMarkdown } from '../../src/report/markdown.js';
import { CAPTURES, cli, ROOT } from '../helpers/cli.js';

const INV = join(ROOT, 'captures/make/dus/inventory.json');
const GOOD = join(ROOT, 'test/dus/fixtures/canonical-response.xml');
const serve = (n: string) => join(CAPTURES, `serve-${n}.pcap`);
const SERVE = readdirSync(CAPTURES)
  .filter((n) => /^serve-.*\.pcap$/.test(n))
  .map((n) => n.replace(/^serve-|\.pcap$/g, ''))
  .sort();
const dir = mkdtempSync(join(tmpdir(), 'upxray-expected-'));

/** The lines of the text report from the check-in line with these frames up to the next timeline entry. */
function under(text: string, frames: string): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^\s{2}\d{4}-\d\d-\d\d /.test(l) && l.includes(`frames ${frames}`));
  expect(at, `no timeline line with frames ${frames}`).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  for (let i = at + 1; i < lines.length && /^\s{6}/.test(lines[i]); i++) out.push(lines[i]);
  return out;
}

describe('text report', () => {
  it('lists field, expected and actual under the check-in that was answered Downloads 0', async () => {
    const r = await cli(['analyze', serve('no-update-offered'), '--inventory', INV]);
    expect(r.code).toBe(0);
    const block = under(r.stdout, '4, 6');
    expect(block[0].trim()).toBe('expected vs actual (from the inventory, test-device-update)');
    expect(block[1].trim().split(/\s+/)).toEqual(['field', 'expected', 'actual']);
    expect(block[2].trim().split(/\s+/)).toEqual(['Downloads', '1', '0']);
    expect(block[3]).toMatch(/^\s+Files\[1\]\s+http:\/\/ocs\.demo\.local\/DeviceUpdateFi.*….*\/ENU\/3\.5\.6907\.0\/CPE\/CPE\.nbt\s+\(absent\)$/);
    expect(block).toHaveLength(4);
    // Columns line up: each value starts where its heading does.
    const col = block[1].indexOf('actual');
    expect(block[2].indexOf('0', block[2].indexOf('1') + 1)).toBe(col);
    expect(block[3].indexOf('(absent)')).toBe(col);
  });

  it('shows the block only under check-ins that differ', async () => {
    const diff = await cli(['analyze', serve('response-diff'), '--inventory', INV]);
    expect(under(diff.stdout, '4, 6').map((l) => l.trim().split(/\s+/))).toEqual([
      ['expected', 'vs', 'actual', '(from', 'the', 'inventory,', 'test-device-update)'],
      ['field', 'expected', 'actual'],
      ['Files[1].Url.area', 'DeviceUpdateFiles_Int', 'DeviceUpdateFiles_Ext'],
    ]);
    expect(diff.stdout.match(/expected vs actual/g)).toHaveLength(1);
    const interim = await cli(['analyze', serve('interim-not-offered'), '--inventory', INV]);
    expect(under(interim.stdout, '4, 6').slice(2).map((l) => l.trim().split(/\s+/))).toEqual([
      ['Files[1].Version', '1.0.522.103', '3.5.6907.0'],
      ['Files[1].Url.path', 'OCInterim/ENU/CPE.nbt', 'UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt'],
    ]);
    for (const name of ['healthy', 'two-cycles', 'locale-mismatch']) {
      const r = await cli(['analyze', serve(name), '--inventory', INV]);
      expect(r.code).toBe(0);
      expect(r.stdout, name).toMatch(/check-in/);
      expect(r.stdout, name).not.toMatch(/expected vs actual/);
    }
    // Without an inventory nothing is expected, so nothing is shown.
    expect((await cli(['analyze', serve('no-update-offered')])).stdout).not.toMatch(/expected vs actual/);
  });

  it('with --expected, only the check-in that differs from the body gets the block', async () => {
    const r = await cli(['analyze', serve('healthy'), '--expected', GOOD]);
    expect(under(r.stdout, '4, 6')).toEqual([]);
    const block = under(r.stdout, '63, 65');
    expect(block[0].trim()).toBe('expected vs actual (from the --expected body)');
    expect(block[2].trim().split(/\s+/)).toEqual(['Downloads', '1', '0']);
  });

  it('colours only through the palette, and capture text cannot reach the terminal raw', async () => {
    const r = await analyzeCapture(serve('no-update-offered'), { stdin: process.stdin });
    const d = decodeUpx(new Uint8Array(readFileSync(GOOD)), { kind: 'response' });
    if (!d.ok) throw new Error(d.error.code);
    // A hostile expected value (as if a body had carried it): an OSC 52 clipboard write and a bidi override.
    const expected: UpxResponse = { ...d.value, serverVersion: '\u001b]52;c;AAAA\u0007\u202e9' };
    const withBody = { ...r, model: { ...r.model, expected } };
    const plain = renderAnalyzeText(withBody, palette(false, {}));
    expect(plain).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(plain).toMatch(/ServerVersion\s+\\x1b\]52;c;AAAA\\x07\\u202e9\s+3\.5\.6907\.0/);
    const coloured = renderAnalyzeText(withBody, palette(false, { FORCE_COLOR: '1' }));
    // The expected value green, the actual red, and no other ESC than the palette's.
    expect(coloured).toMatch(/\u001b\[32m1\s*\u001b\[39m  \u001b\[31m0\u001b\[39m/);
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });
});

describe('analyze --json', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'schemas/analyze.schema.json'), 'utf8')));
  type Doc = { exchanges: Array<{ id: string; kind: string; upx?: { response: unknown }; expected?: { source: string; decision?: string; response: Record<string, unknown>; differences: unknown[] } }> };
  const json = async (args: string[]): Promise<Doc> => {
    const r = await cli(['analyze', '--json', ...args]);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  it.each(SERVE)('serve-%s: every check-in carries what was expected, and the document validates', async (name) => {
    const doc = await json([serve(name), '--inventory', INV]);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    for (const x of doc.exchanges) {
      if (x.kind !== 'check-in') {
        expect(x.expected).toBeUndefined();
        continue;
      }
      expect(x.expected!.source).toBe('inventory');
      // The same shape as upx.response: the same keys.
      expect(Object.keys(x.expected!.response).sort()).toEqual(Object.keys(x.upx!.response as object).sort());
    }
    // Without the inventory there is nothing to expect.
    expect((await json([serve(name)])).exchanges.every((x) => x.expected === undefined)).toBe(true);
  });

  it('carries each difference with its kind, and none for a check-in that matches', async () => {
    const doc = await json([serve('no-update-offered'), '--inventory', INV]);
    const x = doc.exchanges.find((e) => e.id === '0.1')!;
    expect(x.expected!.decision).toBe('test-device-update');
    expect(x.expected!.response.downloads).toBe('1');
    expect(x.expected!.differences).toEqual([
      { field: 'Downloads', expected: '1', actual: '0', kind: 'different' },
      { field: 'Files[1]', expected: 'http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt', actual: null, kind: 'missing' },
    ]);
    const healthy = await json([serve('healthy'), '--inventory', INV]);
    const ins = healthy.exchanges.filter((e) => e.kind === 'check-in');
    expect(ins.map((e) => [e.expected!.decision, e.expected!.differences])).toEqual([
      ['test-device-update', []],
      ['up-to-date', []],
    ]);
  });

  it('with --expected: the body as the expected response, source expected-file', async () => {
    const doc = await json([serve('healthy'), '--expected', GOOD]);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const ins = doc.exchanges.filter((e) => e.kind === 'check-in');
    expect(ins.map((e) => e.expected!.source)).toEqual(['expected-file', 'expected-file']);
    expect(ins[0].expected!.decision).toBeUndefined();
    expect(ins[0].expected!.response).toEqual(ins[0].upx!.response);
    expect(ins[0].expected!.differences).toEqual([]);
    expect(ins[1].expected!.differences).toHaveLength(2);
  });

  it('the schema rejects a malformed expected object', async () => {
    const doc = await json([serve('no-update-offered'), '--inventory', INV]);
    const at = doc.exchanges.findIndex((e) => e.id === '0.1');
    const broken = (f: (e: Record<string, unknown>) => void) => {
      const d = structuredClone(doc) as unknown as { exchanges: Array<{ expected: Record<string, unknown> }> };
      f(d.exchanges[at].expected);
      return validate(d);
    };
    expect(broken(() => {})).toBe(true);
    expect(broken((e) => ((e.differences as Array<Record<string, unknown>>)[0].kind = 'changed'))).toBe(false);
    expect(broken((e) => (e.source = 'guess'))).toBe(false);
    expect(broken((e) => delete e.response)).toBe(false);
    expect(broken((e) => (e.extra = 1))).toBe(false);
    expect(broken((e) => ((e.response as Record<string, unknown>).files = 'none'))).toBe(false);
  });
});

describe('report.md', () => {
  const md = new MarkdownIt();

  /** The tables of a document: header cells and body rows, as inline text. */
  function tables(text: string): Array<{ head: string[]; rows: string[][] }> {
    const tokens = md.parse(text, {});
    const out: Array<{ head: string[]; rows: string[][] }> = [];
    let cur: { head: string[]; rows: string[][] } | undefined;
    let inHead = false;
    for (const t of tokens) {
      if (t.type === 'table_open') out.push((cur = { head: [], rows: [] }));
      else if (t.type === 'thead_open') inHead = true;
      else if (t.type === 'thead_close') inHead = false;
      else if (t.type === 'tr_open' && !inHead) cur!.rows.push([]);
      else if (t.type === 'inline' && cur && t.level > 0) (inHead ? cur.head : cur.rows[cur.rows.length - 1]).push(t.content);
      else if (t.type === 'table_close') cur = undefined;
    }
    return out;
  }

  const ticket = async (name: string, args: string[]): Promise<string> => {
    const out = join(dir, `${name}-${args.length}`);
    const r = await cli(['ticket', serve(name), '-o', out, ...args]);
    expect(r.code, r.stderr).toBe(0);
    return readFileSync(join(out, 'report.md'), 'utf8');
  };

  it('has the table of differences and the expected XML beside the actual for the check-in that differs', async () => {
    const text = await ticket('no-update-offered', ['--inventory', INV]);
    expect(text.includes('\u001b')).toBe(false);
    const diffs = tables(text).filter((t) => t.head.join('|') === 'Field|Expected|Actual|Difference');
    expect(diffs).toHaveLength(1);
    expect(diffs[0].rows).toEqual([
      ['`Downloads`', '`1`', '`0`', 'different'],
      ['`Files[1]`', '`http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt`', '*absent*', 'missing'],
    ]);
    const tokens = md.parse(text, {});
    const fences = tokens.filter((t) => t.type === 'fence');
    // Request, the actual response, then the expected one.
    expect(fences.map((f) => f.info)).toEqual(['xml', 'xml', 'xml']);
    expect(fences[1].content).toMatch(/<Downloads>0<\/Downloads>/);
    expect(fences[1].content).not.toMatch(/<Files>/);
    expect(fences[2].content).toMatch(/^<\?xml[^]*<Downloads>1<\/Downloads>[^]*<Url>http:\/\/ocs\.demo\.local\/DeviceUpdateFiles_Int\/UCPhone\/LG-Nortel\/IP8540\/A\/ENU\/3\.5\.6907\.0\/CPE\/CPE\.nbt<\/Url>[^]*<\/Response>\n$/);
    // The paragraph before each fence says which it is.
    const before = (i: number) => tokens[tokens.indexOf(fences[i]) - 2].content;
    expect(before(1)).toBe('Response body:');
    expect(before(2)).toBe('Expected response body, from the inventory:');
    expect(md.render(text)).toMatch(/Expected against actual, from the inventory \(decision: test-device-update\): 2 difference\(s\)\./);
  });

  it('only the check-in that differs from the inventory gets the table and the expected body', async () => {
    const text = await ticket('response-diff', ['--inventory', INV]);
    const diffs = tables(text).filter((t) => t.head.join('|') === 'Field|Expected|Actual|Difference');
    expect(diffs.map((t) => t.rows)).toEqual([[['`Files[1].Url.area`', '`DeviceUpdateFiles_Int`', '`DeviceUpdateFiles_Ext`', 'different']]]);
    const fences = md.parse(text, {}).filter((t) => t.type === 'fence');
    // Two check-ins (request and response each) and one expected body.
    expect(fences).toHaveLength(5);
    expect(text.match(/^Expected response body/gm)).toHaveLength(1);
    expect(text).toMatch(/^The response is what the inventory \\\(decision: up-to-date\\\) says it should be\.$/m);
  });

  it('check-ins that match show no block', async () => {
    const text = await ticket('healthy', ['--inventory', INV]);
    expect(tables(text).some((t) => t.head.includes('Expected'))).toBe(false);
    expect(text).not.toMatch(/Expected response body/);
    expect(md.parse(text, {}).filter((t) => t.type === 'fence')).toHaveLength(4);
    expect(text.match(/^The response is what the inventory .* says it should be\.$/gm)).toHaveLength(2);
  });

  it('with --expected, the body is the expected side', async () => {
    const text = await ticket('healthy', ['--expected', GOOD]);
    const diffs = tables(text).filter((t) => t.head.join('|') === 'Field|Expected|Actual|Difference');
    expect(diffs).toHaveLength(1);
    expect(diffs[0].rows.map((r) => r[0])).toEqual(['`Downloads`', '`Files[1]`']);
    expect(text).toMatch(/^Expected response body, from the --expected body:$/m);
  });

  it('notes what the inventory does not pin down', async () => {
    const r = await analyzeCapture(serve('no-update-offered'), { stdin: process.stdin });
    const loaded = loadInventory(INV);
    if (!loaded.ok) throw new Error(loaded.error);
    const withInv = { ...r, model: { ...r.model, inventory: { ...loaded.value, server: undefined, serviceVersion: undefined } } };
    const text = renderTicketMarkdown(withInv, withInv.model.phones, withInv.findings, withInv.model.exchanges, { captureName: 'x.pcap' });
    expect(md.render(text)).toMatch(/<blockquote>\s*<p><strong>Note:<\/strong> the inventory does not say ServiceVersion, host; the expected body holds a placeholder there, and it was not compared\.<\/p>/);
    expect(text).toMatch(/<Url>http:\/\/ocs\.invalid\/DeviceUpdateFiles_Int\//);
  });
});
