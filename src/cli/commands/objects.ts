// `upxray objects <capture> -o DIR`: every HTTP body written out as Wireshark's
// File > Export Objects > HTTP does: de-chunked and content-decoded, request
// bodies (POST) as well as response bodies, named after the URI. Names are
// made safe and every path is checked to stay inside DIR.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openCapture } from '../../capture/open.js';
import { decodeContent } from '../../http/content-decoding.js';
import type { HttpExchange } from '../../http/exchanges.js';
import { headerValue, type HttpMessage } from '../../http/message.js';
import { runPipeline } from '../../pipeline.js';
import { lastSegment, NameAllocator, safeFileName } from '../../report/safe-name.js';
import { terminalSafe } from '../../report/terminal-safe.js';
import { UsageError, type CliIo } from '../io.js';
import { pipelineWarnings } from '../warnings.js';
import type { CommandContext } from '../program.js';
import { addTlsOptions, loadTlsKeys, type TlsOptionValues } from '../tls-options.js';

export interface ObjectsOptions extends TlsOptionValues {
  output: string;
  /** Also write bodies cut short (lost segments, a reset), named `<name>.partial`. */
  includeIncomplete?: boolean;
  /** Largest body kept for export, in bytes. */
  maxBodyBytes?: number;
}

/** Decoded content is capped too: a small gzip body must not expand without bound. */
const MAX_DECODED_BYTES = 256 * 1024 * 1024;

export interface ExportedObject {
  exchange: string;
  frame: number;
  file: string;
  bytes: number;
}

function createExclusive(dir: string, names: NameAllocator, wanted: string): { path: string; fd: number } {
  for (;;) {
    const name = names.take(wanted);
    const path = resolve(dir, name);
    // resolve() of a separator-free name stays in dir; check anyway, cheaply.
    if (dirname(path) !== dir) throw new Error(`refusing to write outside ${dir}: ${name}`);
    try {
      return { path, fd: openSync(path, 'wx', 0o644) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue; // a file from an earlier run
      throw e;
    }
  }
}

export async function objectsCommand(path: string, opts: ObjectsOptions, io: CliIo): Promise<number> {
  const dir = resolve(opts.output);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot create output folder ${opts.output}: ${(e as Error).message}`);
  }
  const source = await openCapture(path, { stdin: io.stdin });
  const names = new NameAllocator();
  const written: ExportedObject[] = [];
  const skipped: string[] = [];

  const exportBody = (x: HttpExchange, m: HttpMessage, uri: string): void => {
    if (m.bodySize === 0) return;
    // Wireshark exports only bodies it could reassemble whole; so do we, unless asked.
    if (!m.complete && !opts.includeIncomplete) {
      skipped.push(`${x.id} frame ${m.frame}: body cut short (${m.bodySize} bytes arrived), not written; --include-incomplete writes it`);
      return;
    }
    if (!m.body) {
      skipped.push(`${x.id} frame ${m.frame}: body of ${m.bodySize} bytes is larger than the export cap`);
      return;
    }
    const decoded = decodeContent(m.body, headerValue(m.headers, 'content-encoding'), MAX_DECODED_BYTES);
    const bytes = decoded.ok ? decoded.bytes : m.body;
    const name = safeFileName(lastSegment(uri)) + (m.complete ? '' : '.partial');
    const { path: file, fd } = createExclusive(dir, names, name);
    try {
      writeSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
    written.push({ exchange: x.id, frame: m.frame, file, bytes: bytes.length });
  };

  const result = await runPipeline(source, {
    tls: loadTlsKeys(opts, io.env),
    keepBodies: true,
    maxBodyBytes: opts.maxBodyBytes,
    onExchange: (x) => {
      const uri = x.request?.uri ?? '/';
      if (x.request) exportBody(x, x.request, uri);
      if (x.response) exportBody(x, x.response, uri);
    },
  });

  written.sort((a, b) => a.frame - b.frame);
  for (const o of written) io.stdout(`${o.frame}\t${o.bytes}\t${terminalSafe(o.file)}\n`);
  io.stdout(`${written.length} object(s) written to ${terminalSafe(dir)}\n`);
  for (const s of skipped) io.stderr(`upxray: warning: ${terminalSafe(s)}\n`);
  for (const w of pipelineWarnings(result)) {
    if (w.layer === 'capture') io.stderr(`upxray: warning: ${terminalSafe(path)}: ${terminalSafe(w.detail ?? w.code)}\n`);
  }
  return 0;
}

export function registerObjects({ program, io, setExit }: CommandContext): void {
  const cmd = program
    .command('objects')
    .description("write every HTTP body to a folder, as Wireshark's Export Objects > HTTP does")
    .argument('<capture>', 'pcap or pcapng file, optionally gzipped; - for standard input')
    .requiredOption('-o, --output <dir>', 'folder to write the bodies into (created if missing)')
    .option('--include-incomplete', 'also write bodies cut short by lost segments or a reset, as <name>.partial');
  addTlsOptions(cmd).action(async (path: string, opts: ObjectsOptions) => {
    setExit(await objectsCommand(path, opts, io));
  });
}
