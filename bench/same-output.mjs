#!/usr/bin/env node
// Guard for speed work: `analyze --json`, `analyze` (the text report) and
// `flows --json` of every capture in captures/ (and of any extra files named on
// the command line) must not change.
//
//   node bench/same-output.mjs --save [files...]   record the outputs of the current dist/
//   node bench/same-output.mjs [files...]          compare dist/ against what was saved
//   UPXRAY_ANALYZE_ARGS="--threads 2" node bench/same-output.mjs   ... with a speed-up switch on
//
// The outputs are kept in $UPXRAY_BENCH_DIR/golden (default
// ~/.cache/upxray-bench/golden), outside the repository. Exit 1 on any difference.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// UPXRAY_CLI: another build to run (e.g. one made with tsc --outDir elsewhere, to compare two builds).
const CLI = process.env.UPXRAY_CLI ?? join(ROOT, 'dist', 'bundle', 'upxray.js');
// UPXRAY_ANALYZE_ARGS: extra analyze options (e.g. "--threads 2"): a speed-up switch must not change the output.
const ANALYZE_ARGS = (process.env.UPXRAY_ANALYZE_ARGS ?? '').split(' ').filter(Boolean);
const dir = join(process.env.UPXRAY_BENCH_DIR ?? join(homedir(), '.cache', 'upxray-bench'), 'golden');
const args = process.argv.slice(2);
const save = args.includes('--save');
const extra = args.filter((a) => !a.startsWith('--'));

function capturesIn(d) {
  const out = [];
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...capturesIn(p));
    else if (/\.(pcap|pcapng)(\.gz)?$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

const files = [...capturesIn(join(ROOT, 'captures')), ...extra];
mkdirSync(dir, { recursive: true });
let diffs = 0;
for (const f of files) {
  for (const cmd of ['analyze', 'flows', 'analyze-text']) {
    const argv = cmd === 'analyze-text' ? ['analyze', ...ANALYZE_ARGS, f] : [cmd, '--json', ...(cmd === 'analyze' ? ANALYZE_ARGS : []), f];
    const r = spawnSync(process.execPath, [CLI, ...argv], { maxBuffer: 1 << 30, env: { ...process.env, NO_COLOR: '1' } });
    const out = `exit ${r.status}\n--stdout\n${r.stdout}\n--stderr\n${r.stderr}`;
    const key = createHash('sha256').update(`${cmd} ${f}`).digest('hex').slice(0, 16);
    const golden = join(dir, `${key}-${cmd}-${basename(f)}.out`);
    if (save) writeFileSync(golden, out);
    else if (!existsSync(golden)) {
      console.log(`no saved output: ${cmd} ${f}`);
      diffs++;
    } else if (readFileSync(golden, 'utf8') !== out) {
      console.log(`DIFFERENT: ${cmd} ${f}`);
      diffs++;
    }
  }
}
console.log(`${save ? 'saved' : 'compared'} ${files.length * 3} outputs of ${files.length} captures${save ? '' : `: ${diffs} different`}`);
process.exit(diffs ? 1 : 0);
