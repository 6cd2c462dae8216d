// `upxray flows <capture...>`: every HTTP exchange with its frames, as text or
// as the schema-1 JSON document.
import { writeJson } from '../write-json.js';
import { openCapture } from '../../capture/open.js';
import type { HttpExchange } from '../../http/exchanges.js';
import { runPipeline } from '../../pipeline.js';
import {
  captureJson,
  exchangeJson,
  httpExchangeStartFrame,
  FLOWS_SCHEMA,
  tlsByStream,
  warningJson,
  type FlowsDocument,
} from '../../report/flows-json.js';
import { renderFlowsText } from '../../report/flows-text.js';
import { pipelineWarnings } from '../warnings.js';
import { hashThreadOption } from '../threads-option.js';
import type { CliIo } from '../io.js';
import type { CommandContext } from '../program.js';
import { addTlsOptions, loadTlsKeys, type TlsOptionValues } from '../tls-options.js';
import type { TlsKeys } from '../../pipeline.js';

export interface FlowsOptions extends TlsOptionValues {
  json?: boolean;
  /** `1`: one thread in all; otherwise long bodies are hashed on a second thread when there is a core for it. */
  threads?: string;
}

/** Read every capture and build the flows document (shared with later commands). */
export async function buildFlowsDocument(paths: string[], io: CliIo, tlsKeys?: TlsKeys, hashThread = false): Promise<FlowsDocument> {
  const doc: FlowsDocument = { schema: FLOWS_SCHEMA, captures: [], exchanges: [], warnings: [] };
  const several = paths.length > 1;
  for (const [i, path] of paths.entries()) {
    const source = await openCapture(path, { stdin: io.stdin });
    const exchanges: HttpExchange[] = [];
    const result = await runPipeline(source, { onExchange: (x) => exchanges.push(x), tls: tlsKeys, hashThread });
    const label = several ? path : undefined;
    const prefix = several ? `${i + 1}/` : '';
    const tls = tlsByStream(result.tls.sessions);
    // Report order, as analyze's: by first frame, then id (the prefix is the same for the whole capture).
    exchanges.sort((a, b) => httpExchangeStartFrame(a) - httpExchangeStartFrame(b) || a.id.localeCompare(b.id));
    const jsons = exchanges.map((x) => exchangeJson(x, label, prefix, tls.get(x.flow.index)));
    doc.captures.push(captureJson(path, result));
    doc.exchanges.push(...jsons);
    doc.warnings.push(...pipelineWarnings(result).map((w) => warningJson(w, label)));
  }
  return doc;
}

export async function flowsCommand(paths: string[], opts: FlowsOptions, io: CliIo): Promise<number> {
  const doc = await buildFlowsDocument(paths, io, loadTlsKeys(opts, io.env), hashThreadOption(opts.threads));
  // In pieces: a big capture's document never needs to be one string.
  if (opts.json) await writeJson(doc as unknown as Record<string, unknown>, io);
  else io.stdout(renderFlowsText(doc));
  for (const w of doc.warnings) {
    if (w.layer === 'capture') io.stderr(`upxray: warning: ${w.capture ?? paths[0]}: ${w.detail ?? w.code}\n`);
  }
  return 0;
}

export function registerFlows({ program, io, setExit }: CommandContext): void {
  const cmd = program
    .command('flows')
    .description('list every HTTP exchange in the captures, with Wireshark frame numbers')
    .argument('<capture...>', 'pcap or pcapng file(s), optionally gzipped; - for standard input')
    .option('--json', 'print one JSON document (schema 1) instead of text')
    .option('--threads <n|auto>', '1: one thread in all; otherwise, on 2 or more cores, long bodies are hashed on a thread of their own (same output)', 'auto');
  addTlsOptions(cmd).action(async (paths: string[], opts: FlowsOptions) => {
    setExit(await flowsCommand(paths, opts, io));
  });
}
