#!/usr/bin/env node
// Bundles the compiled program (dist/, from tsc) into dist/bundle/: the
// command `upxray`, the two worker threads, and shared chunks. Node loads one
// file and a few chunks instead of about 150 modules, which is most of a small
// capture's run (0.26 s → 0.17 s for `analyze --json` on a few frames, README); what
// only some commands need (the terminal UI, serve, ticket) stays in chunks of
// its own, loaded when they run. ink and react are left to node_modules.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/bundle`;
rmSync(out, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // The workers keep their names: hash-thread.ts and analyze-sharded.ts find them beside themselves.
  entryPoints: { upxray: 'dist/cli/main.js', 'hash-worker': 'dist/parallel/hash-worker.js', 'shard-worker': 'dist/parallel/shard-worker.js' },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ink', 'react', 'react/*'],
  // commander is CommonJS: its require() of Node's modules needs a real require in ESM output.
  banner: { js: "import { createRequire as __upxrayRequire } from 'node:module'; const require = __upxrayRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning',
});
