#!/usr/bin/env node
// Entry point of the `upxray` binary.
import { processIo } from './io.js';
import { runCli } from './program.js';
import { tightenHeapGrowth } from '../util/heap-policy.js';

tightenHeapGrowth();

// A closed pipe (`upxray flows x | head`) is a normal way for output to end.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`upxray: internal error: ${String((e as Error)?.message ?? e)}\n`);
    process.exitCode = 70;
  },
);
