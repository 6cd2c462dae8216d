// Wireshark is the judge. For every capture with a committed verdict
// (captures/<name>.tshark.json, made by captures/make/judge.py, which runs
// tshark with out-of-order TCP reassembly on and off), upxray must list the
// same HTTP requests and pair them with the same responses, and export bodies
// with the sha256 tshark's --export-objects gives.
//
// Where tshark sees less than the capture holds, the rule is precise, not
// loose: tshark with out-of-order reassembly on stops a direction at the first
// hole the capture never fills, and with it off does not reorder; upxray must
// agree with whichever mode saw the message, and a response tshark never
// finishes (body cut by a hole or a reset) may appear only marked incomplete.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPTURES, cli } from '../helpers/cli.js';
import type { ExchangeJson, FlowsDocument } from '../../src/report/flows-json.js';

interface JudgedResponse {
  frame: number;
  firstFrame: number;
  status: number;
}
interface JudgedExchange {
  stream: number | null;
  request: { frame: number; firstFrame: number; method: string; uri: string };
  response: JudgedResponse | null;
  interim?: JudgedResponse[];
}
interface Verdict {
  /** The keys tshark decrypted with (paths relative to captures/). */
  decryptedWith?: { rsaKeys?: Array<{ key: string }>; keylog?: string; password?: string };
  exchanges: JudgedExchange[];
  orphanResponses: JudgedResponse[];
  objects: string[];
  exchangesInOrderOnly: JudgedExchange[];
  orphanResponsesInOrderOnly: JudgedResponse[];
  objectsInOrderOnly: string[];
}
/** captures/<name>.deviations.json: where tshark is wrong, said with a reason. */
interface Deviations {
  why: string;
  /** sha256 of files tshark exports that are not HTTP objects. */
  notObjects?: string[];
  /** Where a message really starts, when tshark lists only its last record's segments. */
  firstFrames?: Array<{ request: { frame: number; method: string; uri: string }; firstFrame: number }>;
  /** Request/response pairs that replace tshark's pairing (each response one tshark lists). */
  pairs?: Array<{ request: { frame: number; method: string; uri: string }; response: JudgedResponse }>;
}

function captureFor(verdict: string): string | undefined {
  const base = verdict.replace(/\.tshark\.json$/, '');
  return ['.pcapng', '.pcap', '.pcapng.gz', '.pcap.gz'].map((e) => base + e).find((p) => existsSync(p));
}

const verdicts = readdirSync(CAPTURES)
  .filter((f) => f.endsWith('.tshark.json'))
  .map((f) => join(CAPTURES, f));

const reqKey = (r: { frame: number; method: string; uri: string }): string => `${r.frame} ${r.method} ${r.uri}`;
const resp = (r: JudgedResponse | null | undefined) => (r ? { frame: r.frame, firstFrame: r.firstFrame, status: r.status } : null);

describe.each(verdicts.map((v) => [v.slice(CAPTURES.length), v]))('%s', (_name, verdictPath) => {
  const judged = JSON.parse(readFileSync(verdictPath, 'utf8')) as Verdict;
  const devPath = verdictPath.replace(/\.tshark\.json$/, '.deviations.json');
  const deviations: Deviations | undefined = existsSync(devPath) ? JSON.parse(readFileSync(devPath, 'utf8')) : undefined;
  const capture = captureFor(verdictPath)!;
  // The same keys tshark was given (an RSA key scoped to a server, a key log).
  const keys: string[] = [];
  for (const k of judged.decryptedWith?.rsaKeys ?? []) keys.push('--rsa-key', join(CAPTURES, k.key));
  if (judged.decryptedWith?.keylog) keys.push('--keylog', join(CAPTURES, judged.decryptedWith.keylog));
  if (judged.decryptedWith?.password) keys.push('--password', judged.decryptedWith.password);
  let doc: FlowsDocument;
  const flows = async (): Promise<FlowsDocument> => {
    if (!doc) {
      const run = await cli(['flows', '--json', ...keys, capture]);
      expect(run.code).toBe(0);
      doc = JSON.parse(run.stdout) as FlowsDocument;
    }
    return doc;
  };

  it('has its capture beside it', () => {
    expect(capture).toBeDefined();
  });

  it('lists every request tshark lists, and no other', async () => {
    const ours = (await flows()).exchanges.filter((x) => x.request).map((x) => reqKey(x.request!));
    const theirs = new Set([...judged.exchanges, ...judged.exchangesInOrderOnly].map((x) => reqKey(x.request)));
    expect([...new Set(ours)].sort()).toEqual([...theirs].sort());
    expect(ours.length).toBe(new Set(ours).size);
  });

  it('starts each request in the frame tshark does', async () => {
    const firstFrames = new Map<string, Set<number>>();
    for (const x of [...judged.exchanges, ...judged.exchangesInOrderOnly]) {
      const k = reqKey(x.request);
      if (!firstFrames.has(k)) firstFrames.set(k, new Set());
      firstFrames.get(k)!.add(x.request.firstFrame);
    }
    for (const d of deviations?.firstFrames ?? []) firstFrames.set(reqKey(d.request), new Set([d.firstFrame]));
    for (const x of (await flows()).exchanges.filter((e) => e.request)) {
      expect(firstFrames.get(reqKey(x.request!)), `request ${reqKey(x.request!)}`).toContain(x.request!.firstFrame);
    }
  });

  const repaired = new Map((deviations?.pairs ?? []).map((p) => [reqKey(p.request), p.response]));
  const repairedFrames = new Set((deviations?.pairs ?? []).map((p) => p.response.frame));

  it('pairs each request with the response tshark pairs it with', async () => {
    const on = new Map(judged.exchanges.map((x) => [reqKey(x.request), x]));
    const off = new Map(judged.exchangesInOrderOnly.map((x) => [reqKey(x.request), x]));
    for (const x of (await flows()).exchanges.filter((e) => e.request)) {
      const k = reqKey(x.request!);
      const theirs = repaired.get(k) ?? on.get(k)?.response ?? off.get(k)?.response ?? null;
      const ours = x.response ? { frame: x.response.frame, firstFrame: x.response.firstFrame, status: x.response.status } : null;
      if (theirs) {
        expect(ours, `response to ${k}`).toEqual(resp(theirs));
      } else if (x.response) {
        // tshark never completed this response: upxray may show it only as cut short.
        expect(x.response.complete, `response to ${k} that tshark never finished`).toBe(false);
      }
      const interim = on.get(k)?.interim ?? off.get(k)?.interim ?? [];
      expect(x.interim.map((i) => ({ frame: i.frame, status: i.status }))).toEqual(
        interim.map((i) => ({ frame: i.frame, status: i.status })),
      );
    }
  });

  it('lists the responses whose request is not in the capture', async () => {
    const ours = (await flows()).exchanges
      .filter((x: ExchangeJson) => !x.request && x.response)
      .map((x) => resp(x.response!));
    const theirs = [...judged.orphanResponses, ...judged.orphanResponsesInOrderOnly]
      .filter((r) => !repairedFrames.has(r.frame))
      .map(resp);
    const unique = [...new Map(theirs.map((r) => [JSON.stringify(r), r])).values()];
    expect(ours).toEqual(unique.sort((a, b) => a!.frame - b!.frame));
  });

  it('exports the bodies tshark exports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'upxray-objects-'));
    try {
      const run = await cli(['objects', ...keys, capture, '-o', out]);
      expect(run.code).toBe(0);
      const ours = readdirSync(out)
        .map((f) => createHash('sha256').update(readFileSync(join(out, f))).digest('hex'))
        .sort();
      const notObjects = new Set(deviations?.notObjects ?? []);
      const must = judged.objects.filter((h) => !notObjects.has(h));
      const may = new Set([...judged.objects, ...judged.objectsInOrderOnly]);
      for (const h of must) expect(ours, 'an object tshark exports').toContain(h);
      for (const h of ours) expect(may.has(h), `object ${h} that tshark does not export`).toBe(true);
      // Repeated bodies are exported once each time, as tshark does.
      expect(ours.filter((h) => must.includes(h)).length).toBeGreaterThanOrEqual(must.length);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('deviation files', () => {
  it.each(readdirSync(CAPTURES).filter((f) => f.endsWith('.deviations.json')))(
    '%s only re-pairs responses tshark itself lists',
    (f) => {
      const d = JSON.parse(readFileSync(join(CAPTURES, f), 'utf8')) as Deviations;
      const v = JSON.parse(readFileSync(join(CAPTURES, f.replace('.deviations.json', '.tshark.json')), 'utf8')) as Verdict;
      const listed = [
        ...v.exchanges.map((x) => x.response),
        ...v.exchangesInOrderOnly.map((x) => x.response),
        ...v.orphanResponses,
        ...v.orphanResponsesInOrderOnly,
      ].filter((r): r is JudgedResponse => r !== null);
      for (const p of d.pairs ?? []) expect(listed.map(resp)).toContainEqual(resp(p.response));
      for (const h of d.notObjects ?? []) expect(v.objects).toContain(h);
    },
  );

  const files = readdirSync(CAPTURES).filter((f) => f.endsWith('.deviations.json'));
  it.each(files)('%s says why, and names its capture', (f) => {
    const d = JSON.parse(readFileSync(join(CAPTURES, f), 'utf8')) as Deviations;
    expect(d.why.length).toBeGreaterThan(40);
    expect(existsSync(join(CAPTURES, f.replace('.deviations.json', '.tshark.json')))).toBe(true);
  });
});
