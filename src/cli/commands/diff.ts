// `upxray diff A [B]`: compare two ucdevice.upx bodies field by field, or two
// check-ins picked from captures (`capture.pcap#<exchange id>` or
// `capture.pcap@<frame>`): a working phone beside a stuck one. With
// `--inventory` and one check-in, compare what the service answered with what
// it should have answered (section 5).
import { readFileSync } from 'node:fs';
import { analyzeCapture } from '../../analysis.js';
import { describeDiff, describeDiffBetween, diffRequests, diffResponses, type FieldDiff } from '../../dus/diff.js';
import { expectedAnswer } from '../../dus/expected.js';
import type { DusExchange } from '../../dus/model.js';
import { decodeUpx } from '../../dus/upx-codec.js';
import { encodeUpxResponse } from '../../dus/upx-encode.js';
import type { UpxRequest, UpxResponse } from '../../dus/upx-types.js';
import { terminalSafe, terminalSafeBlock } from '../../report/terminal-safe.js';
import { EXIT_OK, UsageError, type CliIo } from '../io.js';
import type { CommandContext } from '../program.js';
import { inventoryOption } from './analyze.js';

export interface DiffCommandOptions {
  inventory?: string;
  json?: boolean;
}

/** One side of the comparison. */
export interface DiffSide {
  label: string;
  request?: UpxRequest;
  response?: UpxResponse;
  /** Frames of the request and response, for a check-in from a capture. */
  frames?: number[];
  handler?: 'internal' | 'external' | 'legacy';
}

/** Largest body file read. */
const MAX_BODY_FILE = 1024 * 1024;

/** `capture.pcap#0.3` / `capture.pcap@17` / a body file. */
export function parseSpec(spec: string): { kind: 'exchange'; path: string; id: string } | { kind: 'frame'; path: string; frame: number } | { kind: 'body'; path: string } {
  const hash = /^(.*\.(?:pcap|pcapng|cap)(?:\.gz)?)#(.+)$/i.exec(spec);
  if (hash) return { kind: 'exchange', path: hash[1], id: hash[2] };
  const at = /^(.*\.(?:pcap|pcapng|cap)(?:\.gz)?)@(\d+)$/i.exec(spec);
  if (at) return { kind: 'frame', path: at[1], frame: Number(at[2]) };
  return { kind: 'body', path: spec };
}

function covers(x: DusExchange, frame: number): boolean {
  for (const m of [x.http.request, x.http.response]) if (m && m.firstFrame <= frame && frame <= m.frame) return true;
  return false;
}

async function loadSide(spec: string, io: CliIo): Promise<DiffSide> {
  const s = parseSpec(spec);
  if (s.kind === 'body') {
    let bytes: Buffer;
    try {
      bytes = readFileSync(s.path);
    } catch (e) {
      throw new UsageError(`${spec}: ${(e as Error).message}`);
    }
    if (bytes.length > MAX_BODY_FILE) throw new UsageError(`${spec}: larger than ${MAX_BODY_FILE} bytes: not a ucdevice.upx body`);
    const d = decodeUpx(bytes);
    if (!d.ok) throw new UsageError(`${spec}: not a ucdevice.upx body (${d.error.code} at byte ${d.error.offset})`);
    return d.value.kind === 'request' ? { label: spec, request: d.value } : { label: spec, response: d.value };
  }
  const r = await analyzeCapture(s.path, io);
  const checkIns = r.model.exchanges.filter((x) => x.cls.kind === 'check-in');
  const x = s.kind === 'exchange' ? checkIns.find((c) => c.id === s.id) : checkIns.find((c) => covers(c, s.frame));
  if (!x) {
    const ids = checkIns.map((c) => `${c.id} (frame ${c.http.request?.frame ?? '?'})`).join(', ');
    throw new UsageError(`${spec}: no check-in ${s.kind === 'exchange' ? `with id ${s.id}` : `in frame ${s.frame}`}; check-ins in ${s.path}: ${ids || 'none'}`);
  }
  const side: DiffSide = { label: spec, frames: [x.http.request?.frame, x.http.response?.frame].filter((f): f is number => f !== undefined) };
  if (x.cls.handler) side.handler = x.cls.handler;
  if (x.upxRequest?.ok) side.request = x.upxRequest.value;
  if (x.upxResponse?.ok) side.response = x.upxResponse.value;
  return side;
}

export interface DiffResult {
  schema: 1;
  a: { label: string; frames?: number[] };
  b: { label: string; frames?: number[] };
  request?: FieldDiff[];
  response?: FieldDiff[];
  /** Sections one side could not provide (no decodable request or response). */
  notCompared: string[];
}

export function compareSides(a: DiffSide, b: DiffSide): DiffResult {
  const out: DiffResult = { schema: 1, a: { label: a.label, ...(a.frames ? { frames: a.frames } : {}) }, b: { label: b.label, ...(b.frames ? { frames: b.frames } : {}) }, notCompared: [] };
  if (a.request && b.request) out.request = diffRequests(a.request, b.request, { unknown: { expected: a.request.unknown, actual: b.request.unknown } });
  else if (a.request || b.request) out.notCompared.push('request');
  if (a.response && b.response) out.response = diffResponses(a.response, b.response, { unknown: { expected: a.response.unknown, actual: b.response.unknown } });
  else if (a.response || b.response) out.notCompared.push('response');
  if (!out.request && !out.response) throw new UsageError(`nothing to compare: ${a.label} and ${b.label} hold no request or response body in common`);
  return out;
}

function renderText(r: DiffResult, expectedBody?: string): string {
  // Two captured sides are A and B; against the inventory, A is what was expected.
  const describe = (d: FieldDiff) => (expectedBody === undefined ? describeDiffBetween(d) : describeDiff(d));
  const side = (s: { label: string; frames?: number[] }) => `${terminalSafe(s.label)}${s.frames?.length ? ` (frames ${s.frames.join(', ')})` : ''}`;
  let t = `A: ${side(r.a)}\nB: ${side(r.b)}\n`;
  let total = 0;
  for (const [name, list] of [['request', r.request], ['response', r.response]] as const) {
    if (!list) continue;
    total += list.length;
    t += `\n${name}: ${list.length === 0 ? 'same' : `${list.length} difference(s)`}\n`;
    for (const d of list) t += `  ${terminalSafe(describe(d))}\n`;
  }
  for (const n of r.notCompared) t += `\n${n}: only one side has one; not compared\n`;
  if (expectedBody) t += `\nexpected response:\n${terminalSafeBlock(expectedBody)}`;
  t += `\n${total === 0 ? 'no differences' : `${total} difference(s) in all`}\n`;
  return t;
}

export async function diffCommand(a: string, b: string | undefined, opts: DiffCommandOptions, io: CliIo): Promise<number> {
  const left = await loadSide(a, io);
  let right: DiffSide;
  let expectedBody: string | undefined;
  if (b !== undefined) right = await loadSide(b, io);
  else {
    if (opts.inventory === undefined) throw new UsageError('give two bodies or check-ins, or one with --inventory');
    if (!left.request) throw new UsageError(`${a}: no decodable check-in request to decide on`);
    const inv = inventoryOption(opts.inventory);
    const handler = left.handler ?? 'internal';
    const ans = expectedAnswer(left.request, inv, { handler });
    expectedBody = encodeUpxResponse(ans.response);
    const exp = decodeUpx(Buffer.from(expectedBody), { kind: 'response' });
    if (!exp.ok) throw new Error('the expected response does not decode');
    // A is what the service should answer; B what it did.
    right = left;
    const expectedSide: DiffSide = { label: `expected (inventory, ${ans.decision.reason})`, request: left.request, response: exp.value };
    if (!left.response) {
      io.stdout(opts.json ? JSON.stringify({ schema: 1, decision: ans.decision, expected: ans.response }, null, 2) + '\n' : `decision: ${ans.decision.reason}\n\n${terminalSafeBlock(expectedBody)}`);
      return EXIT_OK;
    }
    const r = compareSides(expectedSide, right);
    r.response = diffResponses(exp.value, left.response, {
      valueUnknown: ans.valueUnknown.filter((f) => f !== 'host'),
      ignoreHost: ans.valueUnknown.includes('host'),
      ignoreTimeStamps: true,
      unknown: { actual: left.response.unknown },
    });
    delete r.request;
    io.stdout(opts.json ? JSON.stringify({ ...r, decision: ans.decision }, null, 2) + '\n' : renderText(r, expectedBody));
    return EXIT_OK;
  }
  const r = compareSides(left, right);
  io.stdout(opts.json ? JSON.stringify(r, null, 2) + '\n' : renderText(r));
  return EXIT_OK;
}

export function registerDiff({ program, io, setExit }: CommandContext): void {
  program
    .command('diff')
    .description('compare two ucdevice.upx bodies or check-ins field by field (or one check-in with what the inventory says it should get)')
    .argument('<a>', 'a body file, or a check-in from a capture: capture.pcap#<exchange id> or capture.pcap@<frame>')
    .argument('[b]', 'the other side, in the same forms')
    .option('--inventory <path>', "with one check-in: compare its response with what this inventory says it should be")
    .option('--json', 'print one JSON document')
    .action(async (a: string, b: string | undefined, opts: DiffCommandOptions) => {
      setExit(await diffCommand(a, b, opts, io));
    });
}
