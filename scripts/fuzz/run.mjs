#!/usr/bin/env node
// The mutation fuzzer: `node scripts/fuzz/run.mjs --seconds N [--target NAME[,NAME]] [--seed S]`.
// Needs the build (npx tsc -p tsconfig.json). Each case is a pure function of
// (seed, case number): pick a target by weight, pick a seed input from its
// corpus, stack 1-8 mutations (structure-aware where cheap), run it in-process.
// Reported and saved to test/fuzz-regressions/<target>/<sha1>.bin:
//   crash  an exception escaped, or an oracle (FuzzFinding) failed
//   slow   one case took longer than --max-case-ms (default 2000)
//   hang   one case blocked the loop (watchdog) or its promise never settled
//   memory resident memory grew by more than --max-rss-mb (default 200) in one case
// The number of cases run is appended to scripts/fuzz/ledger.json.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { loadDistModules, ROOT } from './modules.mjs';
import { loadCorpus } from './corpus.mjs';
import { availableTargets, FuzzFinding } from './targets.mjs';
import { byteMutate, captureMutate, httpMutate, pairMutate, xmlMutate, MAX_INPUT } from './mutators.mjs';
import { mix, Rng } from './rng.mjs';

const MUTATORS = {
  capture: captureMutate,
  http: httpMutate,
  pair: pairMutate,
  xml: xmlMutate,
  compressed: byteMutate,
  dns: byteMutate,
  dhcp: byteMutate,
  tls: byteMutate,
  uri: httpMutate,
};

export const OUT_DIR = join(ROOT, 'test', 'fuzz-regressions');
export const LEDGER = join(ROOT, 'scripts', 'fuzz', 'ledger.json');
/** Failures with the same signature saved per run (the first few are enough to fix a bug). */
const SAVE_PER_SIGNATURE = 3;

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    target: { type: 'string' },
    seed: { type: 'string' },
    'max-case-ms': { type: 'string', default: '2000' },
    'hang-ms': { type: 'string', default: '20000' },
    'max-rss-mb': { type: 'string', default: '200' },
    'no-ledger': { type: 'boolean', default: false },
    total: { type: 'boolean', default: false },
  },
});

function readLedger() {
  return existsSync(LEDGER) ? JSON.parse(readFileSync(LEDGER, 'utf8')) : { runs: [] };
}

if (args.total) {
  const l = readLedger();
  const total = l.runs.reduce((a, r) => a + r.cases, 0);
  console.log(`${total} cases in ${l.runs.length} runs`);
  process.exit(0);
}

const seconds = Number(args.seconds);
const seed = args.seed !== undefined ? Number(args.seed) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const maxCaseMs = Number(args['max-case-ms']);
const hangMs = Number(args['hang-ms']);
const maxRss = Number(args['max-rss-mb']) * 1024 * 1024;

const m = await loadDistModules();
let targets = availableTargets(m);
if (args.target) {
  const want = new Set(args.target.split(','));
  const unknown = [...want].filter((n) => !targets.some((t) => t.name === n));
  if (unknown.length) {
    console.error(`fuzz: unknown or unavailable target ${unknown.join(', ')} (have ${targets.map((t) => t.name).join(', ')})`);
    process.exit(2);
  }
  targets = targets.filter((t) => want.has(t.name));
}
const corpus = loadCorpus(ROOT, m);
targets = targets.filter((t) => corpus[t.corpus]?.length);
const totalWeight = targets.reduce((a, t) => a + t.weight, 0);

// Shared with the watchdog: [target, input length, start ms, case] then the input.
const shared = new SharedArrayBuffer(32 + MAX_INPUT);
const meta = new Float64Array(shared, 0, 4);
const sharedInput = new Uint8Array(shared, 32);
const watchdog = new Worker(new URL('./watchdog.mjs', import.meta.url), {
  workerData: { shared, targets: targets.map((t) => t.name), outDir: OUT_DIR, hangMs, seed },
});
watchdog.unref();

/** Deterministic input for case `i`. */
function makeCase(i) {
  const r = new Rng(mix(seed, i));
  let w = r.int(totalWeight);
  let ti = 0;
  while (w >= targets[ti].weight) w -= targets[ti++].weight;
  const t = targets[ti];
  const pool = corpus[t.corpus];
  const mutate = MUTATORS[t.corpus];
  let bytes = r.pick(pool).bytes;
  for (let k = r.small(8); k > 0; k--) bytes = mutate(r, bytes, r.pick(pool).bytes);
  return { ti, t, bytes };
}

const counts = Object.fromEntries(targets.map((t) => [t.name, 0]));
const spent = Object.fromEntries(targets.map((t) => [t.name, 0]));
const signatures = new Map();
const failures = [];

function save(t, bytes, kind, detail, i) {
  const sig = `${t.name}|${kind}|${detail.split('\n').slice(0, 2).join('|').replace(/\d+/g, 'N')}`;
  const n = signatures.get(sig) ?? 0;
  signatures.set(sig, n + 1);
  if (n === 0) failures.push({ target: t.name, kind, detail: detail.split('\n').slice(0, 3).join(' / ') });
  if (n >= SAVE_PER_SIGNATURE) return;
  const sha = createHash('sha1').update(bytes).digest('hex');
  const dir = join(OUT_DIR, t.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${sha}.bin`), bytes);
  writeFileSync(join(dir, `${sha}.txt`), `${kind}: ${detail}\nseed ${seed} case ${i}\n`);
  console.error(`\nfuzz: ${kind.toUpperCase()} in ${t.name} (case ${i}): ${detail.split('\n')[0]}\n  saved ${dir}/${sha}.bin`);
}

const HANG = Symbol('hang');
function withTimeout(p) {
  if (!(p instanceof Promise)) return p;
  let timer;
  return Promise.race([p, new Promise((res) => (timer = setTimeout(() => res(HANG), hangMs)))]).finally(() => clearTimeout(timer));
}

console.error(`fuzz: seed ${seed}, ${seconds} s, targets ${targets.map((t) => `${t.name}(${corpus[t.corpus].length})`).join(' ')}`);
const started = Date.now();
const deadline = started + seconds * 1000;
let i = 0;
let lastReport = started;
while (Date.now() < deadline) {
  const { ti, t, bytes } = makeCase(i);
  meta[0] = ti;
  if (bytes.length <= MAX_INPUT) {
    sharedInput.set(bytes);
    meta[1] = bytes.length;
  } else meta[1] = -1;
  meta[3] = i;
  const rssBefore = process.memoryUsage.rss();
  const t0 = performance.now();
  meta[2] = Date.now();
  try {
    const r = await withTimeout(t.run(bytes, m));
    if (r === HANG) save(t, bytes, 'hang', `promise not settled after ${hangMs} ms`, i);
  } catch (e) {
    const kind = e instanceof FuzzFinding ? 'oracle' : 'crash';
    const frames = e instanceof Error ? (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 5) : [];
    const detail = e instanceof Error ? [`${e.name}: ${e.message}`, ...frames].join('\n') : String(e);
    save(t, bytes, kind, detail, i);
  }
  meta[2] = 0;
  const ms = performance.now() - t0;
  if (ms > maxCaseMs) save(t, bytes, 'slow', `${Math.round(ms)} ms (bound ${maxCaseMs} ms), ${bytes.length} bytes`, i);
  const grew = process.memoryUsage.rss() - rssBefore;
  if (grew > maxRss) save(t, bytes, 'memory', `resident memory grew ${Math.round(grew / 1048576)} MB in one case`, i);
  counts[t.name]++;
  spent[t.name] += ms;
  i++;
  if (Date.now() - lastReport > 10000) {
    lastReport = Date.now();
    const rate = Math.round(i / ((lastReport - started) / 1000));
    process.stderr.write(`fuzz: ${i} cases, ${rate}/s, rss ${Math.round(process.memoryUsage.rss() / 1048576)} MB, ${failures.length} distinct failures\n`);
  }
}
await watchdog.terminate();

const elapsed = (Date.now() - started) / 1000;
console.log(`fuzz: ${i} cases in ${elapsed.toFixed(0)} s (${Math.round(i / elapsed)}/s), seed ${seed}`);
for (const [name, n] of Object.entries(counts)) {
  console.log(`  ${name.padEnd(18)} ${String(n).padStart(8)} cases  ${n ? (spent[name] / n).toFixed(2) : '-'} ms/case`);
}
if (failures.length) {
  console.log(`fuzz: ${failures.length} distinct failures:`);
  for (const f of failures) console.log(`  ${f.target} ${f.kind}: ${f.detail}`);
} else console.log('fuzz: no failures');

if (!args['no-ledger']) {
  const ledger = readLedger();
  ledger.runs.push({
    date: new Date(started).toISOString(),
    seed,
    seconds: Math.round(elapsed),
    cases: i,
    byTarget: counts,
    failures: failures.length,
  });
  writeFileSync(LEDGER, JSON.stringify(ledger, null, 1) + '\n');
  console.log(`fuzz: ledger total ${ledger.runs.reduce((a, r) => a + r.cases, 0)} cases`);
}
process.exitCode = failures.length ? 1 : 0;
