// Server logs arrive as text files of any size, possibly hostile: a line may
// be megabytes long, the encoding may be UTF-8 with or without a BOM, and line
// ends may be LF or CRLF. The splitter keeps at most MAX_LINE_BYTES of a line
// (the rest is skipped, and the line marked truncated), so memory is bounded by
// the line cap, never by the file.

/** Longest line kept, in bytes; IIS and audit lines are a few hundred bytes. */
export const MAX_LINE_BYTES = 64 * 1024;

/** One line of a log file. */
export interface LogLine {
  /** 1-based line number, as an editor shows it. */
  line: number;
  /** The text without its line end (cut at MAX_LINE_BYTES when truncated). */
  text: string;
  /** True when the line was longer than MAX_LINE_BYTES and only its start is kept. */
  truncated: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Push parser: bytes in, complete lines out; survives any split of the input. */
export class LineSplitter {
  private buf: Uint8Array;
  private len = 0;
  private lineNo = 0;
  private overflow = false;
  private first = true;

  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {
    this.buf = new Uint8Array(Math.min(4096, maxLineBytes));
  }

  push(chunk: Uint8Array): LogLine[] {
    const out: LogLine[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== 0x0a) continue;
      this.append(chunk.subarray(start, i));
      out.push(this.emit());
      start = i + 1;
    }
    this.append(chunk.subarray(start));
    return out;
  }

  /** The last line, when the file does not end with a line feed. */
  end(): LogLine[] {
    return this.len > 0 || this.overflow ? [this.emit()] : [];
  }

  private append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const room = this.maxLineBytes - this.len;
    if (bytes.length > room) this.overflow = true;
    const take = Math.min(room, bytes.length);
    if (take <= 0) return;
    if (this.len + take > this.buf.length) {
      const grown = new Uint8Array(Math.min(this.maxLineBytes, Math.max(this.buf.length * 2, this.len + take)));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(bytes.subarray(0, take), this.len);
    this.len += take;
  }

  private emit(): LogLine {
    let end = this.len;
    if (!this.overflow && end > 0 && this.buf[end - 1] === 0x0d) end--; // CRLF
    let text = utf8.decode(this.buf.subarray(0, end));
    if (this.first && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // BOM
    this.first = false;
    const line: LogLine = { line: ++this.lineNo, text, truncated: this.overflow };
    this.len = 0;
    this.overflow = false;
    return line;
  }
}

/** Split a whole text (tests, small inputs) into log lines. */
export function splitLines(text: string | Uint8Array, maxLineBytes = MAX_LINE_BYTES): LogLine[] {
  const s = new LineSplitter(maxLineBytes);
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return [...s.push(bytes), ...s.end()];
}
