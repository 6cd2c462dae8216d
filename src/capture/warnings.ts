// The warning list every capture reader keeps. Anomalies that can repeat once
// per record (a record above the snap length, a packet on an unknown
// interface) are kept as one warning with a count, so a hostile file cannot
// grow the list with its size.
import { decodeError, type DecodeError } from '../net/decode-error.js';

/** What a reader knows about its input, for messages. */
export interface ReaderContext {
  /** The name to show: the path, or 'stdin'. */
  name: string;
  gzip: boolean;
}

export class WarningList {
  readonly list: DecodeError[] = [];
  private readonly repeated = new Map<string, { warning: DecodeError; count: number; describe: (n: number) => string }>();

  add(code: string, offset: number, detail: string, extra: Partial<DecodeError> = {}): DecodeError {
    const w = decodeError('capture', code, offset, { ...extra, detail });
    this.list.push(w);
    return w;
  }

  /**
   * Record a repeatable anomaly. The first occurrence becomes the warning (its
   * offset and frame); later ones only raise the count that `describe` words.
   */
  addRepeated(code: string, offset: number, describe: (count: number) => string, extra: Partial<DecodeError> = {}): void {
    const seen = this.repeated.get(code);
    if (seen) {
      seen.count += 1;
      seen.warning.detail = seen.describe(seen.count);
      return;
    }
    const warning = this.add(code, offset, describe(1), extra);
    this.repeated.set(code, { warning, count: 1, describe });
  }
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
