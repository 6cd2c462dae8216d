// Reading a log file of either kind: the kind is told by content (the audit
// log's header line, or the W3C `#Software:`/`#Fields:` directives), not by
// file name, and the file is streamed line by line.
import { AUDIT_HEADER_START, AuditLogParser, type AuditLog } from './audit-log.js';
import { IisLogParser, isIisDirective, type IisLog } from './iis-log.js';
import { readLogLines, splitLines, type LogLine } from './line-reader.js';

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

/** Stream and parse a log file; undefined when it is neither an audit log nor an IIS log. */
export async function readLogFile(path: string, label = path): Promise<ParsedLog | undefined> {
  const r = new LogReader(label);
  for await (const l of readLogLines(path)) r.push(l);
  return r.finish();
}
