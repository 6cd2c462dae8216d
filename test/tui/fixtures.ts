// Analyses shared by the UI tests: each capture is analysed once per file.
import { join } from 'node:path';
import { analyzeCapture, type AnalysisResult } from '../../src/analysis.js';
import { CAPTURES } from '../helpers/cli.js';

const runs = new Map<string, Promise<AnalysisResult>>();

export function analysed(name: string): Promise<AnalysisResult> {
  let r = runs.get(name);
  if (!r) {
    r = analyzeCapture(join(CAPTURES, name), { stdin: process.stdin });
    runs.set(name, r);
  }
  return r;
}

/** Let ink process a write and re-render. */
export const tick = (ms = 100): Promise<void> => new Promise((res) => setTimeout(res, ms));

/** ink's own styling (SGR: colour, bold, dim, inverse) removed, so what is left is what the capture put there. */
export function withoutSgr(frame: string): string {
  return frame.replace(/\u001b\[[0-9;]*m/g, '');
}
