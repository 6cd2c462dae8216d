// Start the live dashboard on a real terminal and take it down again. The
// dashboard lives on the alternate screen while the capture runs; when the
// capture ends it is unmounted and the screen given back, so the summary the
// caller prints next lands on the normal screen and stays in the scrollback.
// Ctrl+C in raw mode is a key, not a signal: it goes to `onQuit` like `q`.
import { render } from 'ink';
import { createElement } from 'react';
import { LiveDashboard } from './LiveDashboard.js';
import type { LiveStore } from './live-store.js';
import { colourWanted, keyInput } from './run.js';

export interface LiveDashboardHandle {
  /** Unmount the dashboard and restore the screen (idempotent). */
  close(): Promise<void>;
}

export interface LiveTuiStreams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

/**
 * Where the dashboard reads keys: stdin when it is a terminal, else the
 * controlling terminal; undefined when there is none (the caller prints lines instead).
 */
export function dashboardKeys(stdin: NodeJS.ReadStream, openTty?: () => NodeJS.ReadStream): NodeJS.ReadStream | undefined {
  try {
    // `live` never reads a capture from stdin, so the name passed is no `-`.
    return keyInput('live', stdin, openTty);
  } catch {
    return undefined;
  }
}

export function startLiveDashboard(store: LiveStore, keys: NodeJS.ReadStream, s: LiveTuiStreams, onQuit: () => void): LiveDashboardHandle {
  s.stdout.write('\u001b[?1049h\u001b[H');
  const app = render(createElement(LiveDashboard, { store, onQuit, color: colourWanted(s.env) }), {
    stdin: keys,
    stdout: s.stdout,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  let closed: Promise<void> | undefined;
  return {
    close() {
      closed ??= (async () => {
        try {
          app.unmount();
          await app.waitUntilExit().catch(() => {});
        } finally {
          s.stdout.write('\u001b[?1049l');
          if (keys !== s.stdin) keys.destroy();
        }
      })();
      return closed;
    },
  };
}
