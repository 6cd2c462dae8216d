// The project's modules the targets call, loaded from the build (dist/). A
// module that does not exist yet (another stage still being written) is left
// out, and the targets that need it are skipped.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const MODULE_FILES = [
  'capture/open.js',
  'capture/source.js',
  'analysis.js',
  'pipeline.js',
  'net/frame-decoder.js',
  'reassembly/tcp-reassembler.js',
  'http/exchanges.js',
  'http/http1-parser.js',
  'http/content-decoding.js',
  'dus/upx-codec.js',
  'net/dns.js',
  'net/dhcp.js',
  'tls/record.js',
  'report/analyze-text.js',
  'report/analyze-json.js',
  'report/flows-text.js',
  'report/flows-json.js',
  'report/colour.js',
  'report/safe-name.js',
];

export async function loadDistModules() {
  const dist = join(ROOT, 'dist');
  if (!existsSync(join(dist, 'pipeline.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` first');
  }
  const m = {};
  for (const f of MODULE_FILES) {
    const path = join(dist, f);
    if (!existsSync(path)) continue;
    Object.assign(m, await import(pathToFileURL(path).href));
  }
  return m;
}
