// Every input the fuzzer ever saved (test/fuzz-regressions/<target>/<sha1>.bin)
// runs again through its target, bound to the sources rather than the build:
// no exception, no failed oracle, and within a generous time bound.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { availableTargets, TARGETS } from '../../scripts/fuzz/targets.mjs';
import * as open from '../../src/capture/open.js';
import * as source from '../../src/capture/source.js';
import * as analysis from '../../src/analysis.js';
import * as pipeline from '../../src/pipeline.js';
import * as frames from '../../src/net/frame-decoder.js';
import * as reassembler from '../../src/reassembly/tcp-reassembler.js';
import * as exchanges from '../../src/http/exchanges.js';
import * as http1 from '../../src/http/http1-parser.js';
import * as content from '../../src/http/content-decoding.js';
import * as upx from '../../src/dus/upx-codec.js';
import * as dns from '../../src/net/dns.js';
import * as dhcp from '../../src/net/dhcp.js';
import * as tls from '../../src/tls/record.js';
import * as analyzeText from '../../src/report/analyze-text.js';
import * as analyzeJson from '../../src/report/analyze-json.js';
import * as flowsText from '../../src/report/flows-text.js';
import * as flowsJson from '../../src/report/flows-json.js';
import * as colour from '../../src/report/colour.js';
import * as safeName from '../../src/report/safe-name.js';

type Target = { name: string; run(b: Uint8Array, m: Record<string, unknown>): unknown };

const modules: Record<string, unknown> = Object.assign(
  {},
  open, source, analysis, pipeline, frames, reassembler, exchanges, http1, content, upx, dns, dhcp, tls,
  analyzeText, analyzeJson, flowsText, flowsJson, colour, safeName,
);
const here = fileURLToPath(new URL('.', import.meta.url));
const targets = new Map((availableTargets(modules) as Target[]).map((t) => [t.name, t]));
const dirs = readdirSync(here).filter((d) => statSync(join(here, d)).isDirectory());

describe('fuzz regressions', () => {
  it('binds every fuzz target to the sources', () => {
    expect([...targets.keys()].sort()).toEqual((TARGETS as Target[]).map((t) => t.name).sort());
  });

  it('keeps saved inputs only under known target names', () => {
    for (const d of dirs) expect(targets.has(d), d).toBe(true);
  });

  for (const d of dirs) {
    for (const f of readdirSync(join(here, d)).filter((n) => n.endsWith('.bin'))) {
      const why = readFileSync(join(here, d, f.replace(/\.bin$/, '.txt')), 'utf8').split('\n')[0];
      it(`${d}/${f.slice(0, 12)}: ${why.slice(0, 80)}`, async () => {
        const bytes = new Uint8Array(readFileSync(join(here, d, f)));
        const t0 = performance.now();
        await targets.get(d)!.run(bytes, modules);
        expect(performance.now() - t0).toBeLessThan(10_000);
      });
    }
  }
});
