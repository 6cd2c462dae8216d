// `upxray logs FILE...`: read Device Update Service audit logs and IIS W3C
// logs (the kind is told by content), settle their dates, and report per phone
// a timeline and the findings the logs alone support.
import { stat } from 'node:fs/promises';
import { analyzeLogs } from '../../logs/log-findings.js';
import { logsDocument, renderLogsText } from '../../logs/logs-report.js';
import { readLogFile, type ParsedLog } from '../../logs/read-log.js';
import { UsageError, type CliIo } from '../io.js';
import type { CommandContext } from '../program.js';

export interface LogsOptions {
  json?: boolean;
}

export async function logsCommand(paths: string[], opts: LogsOptions, io: CliIo): Promise<number> {
  const logs: ParsedLog[] = [];
  for (const path of paths) {
    let isFile: boolean;
    try {
      isFile = (await stat(path)).isFile();
    } catch (e) {
      throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!isFile) throw new UsageError(`${path} is not a file`);
    let log: ParsedLog | undefined;
    try {
      log = await readLogFile(path);
    } catch (e) {
      throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!log) throw new UsageError(`${path} is neither a Device Update Service audit log (no "Logging DateTime," header) nor an IIS W3C log (no #Fields: line)`);
    logs.push(log);
  }
  const analysis = analyzeLogs(logs);
  if (opts.json) io.stdout(JSON.stringify(logsDocument(logs, analysis), null, 2) + '\n');
  else io.stdout(renderLogsText(logs, analysis));
  return 0;
}

export function registerLogs({ program, io, setExit }: CommandContext): void {
  program
    .command('logs')
    .description('read Device Update Service audit logs and IIS logs: a timeline per phone and the findings the logs show')
    .argument('<file...>', 'RequestHandlerAuditLog_*.log and IIS W3C u_ex*.log files, in any order')
    .option('--json', 'print one JSON document (schema 1) instead of text')
    .action(async (paths: string[], opts: LogsOptions) => {
      setExit(await logsCommand(paths, opts, io));
    });
}
