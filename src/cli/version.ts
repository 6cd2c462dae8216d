// Read once from package.json so `upxray --version` never drifts from the release.
import { readFileSync } from 'node:fs';

// dist/cli/version.js and the bundle's chunks in dist/bundle/ are both two folders below package.json.
function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const VERSION = readVersion();
