// The terminal's size, following resizes (SIGWINCH reaches Node as the
// stream's 'resize' event). A fixed size can be given instead (tests, or a
// dashboard that lays the UI out in part of the screen).
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** Size assumed when the output is not a terminal. @default 80x24 */
export const DEFAULT_SIZE: TerminalSize = { columns: 80, rows: 24 };

export function useTerminalSize(fixed?: TerminalSize): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout.columns || DEFAULT_SIZE.columns, rows: stdout.rows || DEFAULT_SIZE.rows });
  const [size, setSize] = useState<TerminalSize>(fixed ?? read());
  useEffect(() => {
    if (fixed) {
      setSize(fixed);
      return;
    }
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, fixed?.columns, fixed?.rows]);
  return fixed ?? size;
}
