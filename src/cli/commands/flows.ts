// `upxray flows <capture...>`: every HTTP exchange with its frames, as text or
// as the schema-1 JSON document.
import { writeJson } from '../write-json.js';
import { openCapture } from '../../capture/open.js';
import type { HttpExchange } from '../../http/exchanges.js';
import { runPipeline } from '../../pipeline.js';
import {
  captureJson,
  httpExchangeStartFrame,
  reportOrder,
  FLOWS_SCHEMA,
  tlsByStream,
  warningJson,
  type CaptureJson,
  type ExchangeJson,
  type FlowsDocument,
  type TlsJson,
  type WarningJson,
} from '../../report/flows-json.js';
import { ExchangeSpool, SpoolQueue, type SpoolPlace } from '../../report/exchange-spool.js';
import { exchangeText } from '../../report/exchange-text.js';
import { joinObjects, LazyJsonArray, prettyAt, PrettyJson } from '../../report/json-pieces.js';
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

/** Where a spooled exchange's JSON is, and what orders it. */
interface SpooledExchange {
  startFrame: number;
  id: string;
  stream: number;
  place: SpoolPlace | undefined;
}

/**
 * Read every capture and build the flows document, its exchanges' JSON put
 * aside in a temporary file as each completes (report/exchange-spool.ts) and
 * read back as it is written: memory holds a few numbers an exchange, not the
 * exchanges.
 */
export async function buildFlowsDocument(paths: string[], io: CliIo, tlsKeys?: TlsKeys, hashThread = false): Promise<FlowsDocumentToWrite> {
  const spool = new ExchangeSpool();
  const captures: CaptureJson[] = [];
  const warnings: WarningJson[] = [];
  const parts: Array<{ list: SpooledExchange[]; tls: Map<number, TlsJson> }> = [];
  const several = paths.length > 1;
  for (const [i, path] of paths.entries()) {
    const source = await openCapture(path, { stdin: io.stdin });
    const label = several ? path : undefined;
    const prefix = several ? `${i + 1}/` : '';
    const queue = new SpoolQueue(spool, (x) => exchangeText(x, label, prefix));
    const list: SpooledExchange[] = [];
    const onExchange = (x: HttpExchange) => {
      const entry: SpooledExchange = { startFrame: httpExchangeStartFrame(x), id: x.id, stream: x.flow.index, place: undefined };
      list.push(entry);
      queue.add(x, (place) => (entry.place = place));
    };
    const result = await runPipeline(source, { onExchange, tls: tlsKeys, hashThread });
    queue.drain(true);
    // Report order, as analyze's (the prefix is the same for the whole capture).
    list.sort(reportOrder);
    parts.push({ list, tls: tlsByStream(result.tls.sessions) });
    captures.push(captureJson(path, result));
    warnings.push(...pipelineWarnings(result).map((w) => warningJson(w, label)));
  }
  const exchanges = new LazyJsonArray(function* () {
    for (const { list, tls } of parts) {
      for (const e of list) {
        const text = spool.read(e.place!);
        const t = tls.get(e.stream);
        yield new PrettyJson(t ? joinObjects(text, prettyAt({ tls: t }, 2)!, 2) : text, 2);
      }
    }
  });
  return { schema: FLOWS_SCHEMA, captures, exchanges, warnings };
}

/** The flows document with its exchanges made as they are read (a LazyJsonArray of PrettyJson). */
export type FlowsDocumentToWrite = Omit<FlowsDocument, 'exchanges'> & { exchanges: LazyJsonArray<PrettyJson> };

export async function flowsCommand(paths: string[], opts: FlowsOptions, io: CliIo): Promise<number> {
  const doc = await buildFlowsDocument(paths, io, loadTlsKeys(opts, io.env), hashThreadOption(opts.threads));
  // In pieces, each exchange read back from the spool as it is written.
  if (opts.json) await writeJson(doc as unknown as Record<string, unknown>, io);
  else io.stdout(renderFlowsText({ ...doc, exchanges: [...doc.exchanges].map((x) => x.toJSON() as ExchangeJson) }));
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
