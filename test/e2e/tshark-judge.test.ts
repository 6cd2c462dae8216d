// Wireshark is the judge: for every capture with a committed tshark verdict
// (captures/<name>.tshark.json, made by captures/make/judge.py), upxray must
// list the same HTTP exchanges (request and response frames, method, URI,
// status) and export bodies with the same sha256 as `tshark --export-objects`.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPTURES, cli } from '../helpers/cli.js';
import type { FlowsDocument } from '../../src/report/flows-json.js';

interface Judged {
  exchanges: Array<{
    stream: number | null;
    request: { frame: number; firstFrame: number; method: string; uri: string };
    response: { frame: number; firstFrame: number; status: number } | null;
  }>;
  orphanResponses: Array<{ frame: number; firstFrame: number; status: number }>;
  objects: string[];
}

function captureFor(verdict: string): string | undefined {
  const base = verdict.replace(/\.tshark\.json$/, '');
  return ['.pcapng', '.pcap', '.pcapng.gz', '.pcap.gz'].map((e) => base + e).find((p) => existsSync(p));
}

const verdicts = existsSync(CAPTURES)
  ? readdirSync(CAPTURES)
      .filter((f) => f.endsWith('.tshark.json'))
      .map((f) => join(CAPTURES, f))
  : [];

describe.each(verdicts.map((v) => [v.slice(CAPTURES.length), v]))('%s', (_name, verdictPath) => {
  const judged = JSON.parse(readFileSync(verdictPath, 'utf8')) as Judged;
  const capture = captureFor(verdictPath)!;

  it('has its capture beside it', () => {
    expect(capture).toBeDefined();
  });

  it('lists the HTTP exchanges tshark lists', async () => {
    const run = await cli(['flows', '--json', capture]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as FlowsDocument;
    const ours = doc.exchanges
      .filter((x) => x.request)
      .map((x) => ({
        request: {
          frame: x.request!.frame,
          firstFrame: x.request!.firstFrame,
          method: x.request!.method,
          uri: x.request!.uri,
        },
        response: x.response
          ? { frame: x.response.frame, firstFrame: x.response.firstFrame, status: x.response.status }
          : null,
      }))
      .sort((a, b) => a.request.frame - b.request.frame);
    const theirs = judged.exchanges
      .map((x) => ({ request: x.request, response: x.response }))
      .sort((a, b) => a.request.frame - b.request.frame);
    expect(ours).toEqual(theirs);
    const orphans = doc.exchanges
      .filter((x) => !x.request && x.response)
      .map((x) => ({ frame: x.response!.frame, firstFrame: x.response!.firstFrame, status: x.response!.status }));
    expect(orphans).toEqual(judged.orphanResponses);
  });

  it('exports the bodies tshark exports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'upxray-objects-'));
    try {
      const run = await cli(['objects', capture, '-o', out]);
      expect(run.code).toBe(0);
      const hashes = readdirSync(out)
        .map((f) => createHash('sha256').update(readFileSync(join(out, f))).digest('hex'))
        .sort();
      expect(hashes).toEqual([...judged.objects].sort());
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
