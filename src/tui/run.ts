// Start the UI on a real terminal: pick where keys come from, switch to the
// alternate screen (so quitting gives the shell its screen back), render, and
// wait for `q`. When the capture itself is read from standard input, keys
// come from the controlling terminal (/dev/tty) instead; without one the UI
// refuses with one line (UsageError, exit 2).
import { openSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { render } from 'ink';
import { createElement } from 'react';
import type { AnalysisResult } from '../analysis.js';
import { UsageError } from '../cli/io.js';
import { App } from './App.js';

export interface TuiStreams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

/** Colour unless NO_COLOR is set (no-color.org) or the terminal is dumb. */
export function colourWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}

/** The stream keys are read from: stdin when it is a terminal not carrying the capture, else /dev/tty. */
export function keyInput(capturePath: string, stdin: NodeJS.ReadStream, openTty: () => NodeJS.ReadStream = openDevTty): NodeJS.ReadStream {
  if (capturePath !== '-' && stdin.isTTY) return stdin;
  try {
    return openTty();
  } catch {
    throw new UsageError(
      capturePath === '-'
        ? 'the capture comes on standard input and there is no terminal (/dev/tty) to read keys from; save it to a file, or use analyze without --tui'
        : 'standard input is not a terminal and there is no /dev/tty to read keys from; run it in a terminal, or use analyze without --tui',
    );
  }
}

function openDevTty(): NodeJS.ReadStream {
  const fd = openSync('/dev/tty', 'r');
  return new ReadStream(fd) as NodeJS.ReadStream;
}

/** Run the UI until the user quits. The caller has checked that stdout is a terminal. */
export async function runTui(result: AnalysisResult, capturePath: string, s: TuiStreams): Promise<void> {
  const stdin = keyInput(capturePath, s.stdin);
  // Alternate screen on, cursor hidden; both undone however the UI ends.
  s.stdout.write('\u001b[?1049h\u001b[H');
  try {
    const app = render(createElement(App, { result, color: colourWanted(s.env) }), { stdin, stdout: s.stdout, exitOnCtrlC: true, patchConsole: false });
    await app.waitUntilExit();
  } finally {
    s.stdout.write('\u001b[?1049l');
    if (stdin !== s.stdin) stdin.destroy();
  }
}
