// Reading a log file of either kind: the kind is told by content (the audit
// log's header line, or the W3C `#Software:`/`#Fields:` directives), not by
// file name, and the file is streamed line by line.
import { AUDIT_HEADER_START, AuditLogParser, type AuditLog } from './audit-log.js';
import { IisLogParser, isIisDirective, type IisLog } from './iis-log.js';
import { createReadStream } from 'node:fs';
import { LineSplitter, splitLines, type LogLine } from './line-reader.js';

/** A parsed log of either kind. */
export type ParsedLog = AuditLog | IisLog;

/** Which kind a line says its file is, if it says. */
export function lineKind(text: string): 'audit' | 'iis' | undefined {
  if (text.startsWith(AUDIT_HEADER_START)) return 'audit';
  if (isIisDirective(text)) return 'iis';
  return undefined;
}

/** Non-empty lines looked at before giving up on telling the kind. */
const DETECT_LINES = 50;

/** Feeds lines to the right parser once the kind is known; buffers the few lines before that. */
export class LogReader {
  private parser: AuditLogParser | IisLogParser | undefined;
  private early: LogLine[] = [];
  private seen = 0;
  private lastLine = 0;

  constructor(private readonly file: string) {}

  push(l: LogLine): void {
    this.lastLine = l.line;
    if (this.parser) {
      this.parser.push(l);
      return;
    }
    if (this.seen >= DETECT_LINES) return;
    if (l.text.trim() !== '') this.seen++;
    this.early.push(l);
    const kind = l.truncated ? undefined : lineKind(l.text.trim());
    if (!kind) return;
    this.parser = kind === 'audit' ? new AuditLogParser(this.file) : new IisLogParser(this.file);
    for (const e of this.early) this.parser.push(e);
    this.early = [];
  }

  /** Whether the kind is known. */
  get decided(): boolean {
    return this.parser !== undefined;
  }

  /** Whether enough lines went by without telling the kind. */
  get gaveUp(): boolean {
    return this.parser === undefined && this.seen >= DETECT_LINES;
  }

  /** The parsed log, or undefined when the file is neither kind. */
  finish(): ParsedLog | undefined {
    if (!this.parser) return undefined;
    const log = this.parser.finish();
    log.lines = Math.max(log.lines, this.lastLine);
    return log;
  }
}

/** Parse a log held in memory (tests, stdin). */
export function parseLogText(file: string, text: string | Uint8Array): ParsedLog | undefined {
  const r = new LogReader(file);
  for (const l of splitLines(text)) r.push(l);
  return r.finish();
}

/** Bytes read without telling the kind before giving up on a file (a capture or a binary passed by mistake). */
const DETECT_BYTES = 1024 * 1024;

/** Stream and parse a log file; undefined when it is neither an audit log nor an IIS log. */
export async function readLogFile(path: string, label = path): Promise<ParsedLog | undefined> {
  const r = new LogReader(label);
  const split = new LineSplitter();
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    for (const l of split.push(chunk as Buffer)) r.push(l);
    read += (chunk as Buffer).length;
    if (!r.decided && (read >= DETECT_BYTES || r.gaveUp)) return undefined;
  }
  for (const l of split.end()) r.push(l);
  return r.finish();
}
