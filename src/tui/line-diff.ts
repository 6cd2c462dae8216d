// Expected-versus-actual as a line diff (longest common subsequence), for the
// exchange detail. Inputs are short (a ucdevice.upx answer is a few dozen
// lines); past MAX_DIFF_LINES per side the table would be too large to build,
// so both sides are then shown whole, expected first, rather than aligned.

/** Lines per side above which no alignment is attempted. @default 400 */
export const MAX_DIFF_LINES = 400;

export interface DiffLine {
  /** `same` on both sides, `expected` only (missing in the actual), `actual` only (not expected). */
  op: 'same' | 'expected' | 'actual';
  text: string;
}

export function lineDiff(expected: readonly string[], actual: readonly string[]): DiffLine[] {
  const n = expected.length;
  const m = actual.length;
  if (n > MAX_DIFF_LINES || m > MAX_DIFF_LINES) {
    return [...expected.map((text) => ({ op: 'expected' as const, text })), ...actual.map((text) => ({ op: 'actual' as const, text }))];
  }
  // lcs[i][j] = length of the LCS of expected[i..] and actual[j..].
  const lcs: Uint16Array[] = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = expected[i] === actual[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (expected[i] === actual[j]) {
      out.push({ op: 'same', text: expected[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      out.push({ op: 'expected', text: expected[i++] });
    } else {
      out.push({ op: 'actual', text: actual[j++] });
    }
  }
  while (i < n) out.push({ op: 'expected', text: expected[i++] });
  while (j < m) out.push({ op: 'actual', text: actual[j++] });
  return out;
}
