// Colour for terminal reports, only when it helps: on a terminal, never when
// NO_COLOR is set (no-color.org) or output is piped; FORCE_COLOR turns it on.

export interface Palette {
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  green(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

const ON: Palette = {
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
  green: wrap(32, 39),
  bold: wrap(1, 22),
  dim: wrap(2, 22),
};

const id = (s: string): string => s;
const OFF: Palette = { red: id, yellow: id, cyan: id, green: id, bold: id, dim: id };

export function palette(isTTY: boolean, env: NodeJS.ProcessEnv): Palette {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return OFF;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return ON;
  return isTTY && env.TERM !== 'dumb' ? ON : OFF;
}
