// The `ticket` job: from an analysis and its capture, the files a support
// ticket needs (report.md, flows.har, flows.pcapng, analysis.json), then
// written to a folder or packed into one .zip or .tar.gz.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AnalysisResult } from '../analysis.js';
import { analyzeDocument } from '../report/analyze-json.js';
import { buildHar, harText } from '../report/har.js';
import { renderTicketMarkdown } from '../report/markdown.js';
import { Redactor } from '../report/redact.js';
import { tarGzBytes, zipBytes, type ArchiveEntry } from './archive.js';
import { exportFlowsPcapng, type FlowsPcapng } from './flows-pcapng.js';
import { registerIdentifiers } from './identifiers.js';
import type { TicketSelection } from './select.js';

export interface TicketBuildOptions {
  redact?: boolean;
  creatorVersion: string;
  stdin?: NodeJS.ReadableStream;
}

export interface TicketBuild {
  entries: ArchiveEntry[];
  pcap: FlowsPcapng;
  redactor?: Redactor;
}

export type OutputKind = 'folder' | 'zip' | 'tar.gz';

/** What OUT names: an archive when it ends in .zip, .tar.gz or .tgz, else a folder. */
export function outputKind(out: string): OutputKind {
  if (/\.zip$/i.test(out)) return 'zip';
  if (/\.(tar\.gz|tgz)$/i.test(out)) return 'tar.gz';
  return 'folder';
}

const FILES = [
  { name: 'report.md', what: 'this report' },
  { name: 'flows.har', what: 'the HTTP exchanges above as an HTTP Archive 1.2 (frames in _-prefixed fields)' },
  { name: 'flows.pcapng', what: 'the packets of those flows, findings as packet comments (open in Wireshark)' },
  { name: 'analysis.json', what: 'the upxray analyze --json document (schema 1)' },
];

/** Build the ticket's files in memory (the packets of the flows only; the capture is streamed). */
export async function buildTicket(path: string, r: AnalysisResult, sel: TicketSelection, opts: TicketBuildOptions): Promise<TicketBuild> {
  const captureName = basename(path);
  const redactor = opts.redact ? new Redactor() : undefined;
  if (redactor) registerIdentifiers(redactor, r);
  const pcap = await exportFlowsPcapng(path, sel, { redactor, stdin: opts.stdin });
  const exported = new Map(pcap.frames.map((f, i) => [f, i + 1]));
  const notes: string[] = [];
  if (sel.phoneSelector === undefined)
    notes.push(
      r.findings.length
        ? 'Relevant here: the phones with findings, their exchanges and connections, and the connections and packets any finding points at.'
        : 'Nothing was found, so every phone of the capture is in this ticket.',
    );
  else notes.push('Relevant here: the chosen phone, its exchanges and connections, and the connections and packets its findings point at.');
  if (redactor) {
    notes.push(
      'Redacted: MAC and IP addresses, serial numbers, host names and user names are replaced by pseudonyms of the same length, the same in every file; credentials in Authorization and Cookie headers are blanked with x.',
    );
    notes.push('flows.pcapng was rewritten to match: link and IP addresses in headers, identifiers inside payloads byte for byte, IP, TCP and UDP checksums adjusted.');
    if (pcap.leftOut.length) notes.push(`${pcap.leftOut.length} packet(s) were left out of flows.pcapng because they could not be rewritten: ${pcap.leftOut[0].reason}.`);
    if (pcap.checksumsNotAdjusted.length)
      notes.push(`TCP/UDP checksums of ${pcap.checksumsNotAdjusted.length} IP fragment(s) were not adjusted (frames ${pcap.checksumsNotAdjusted.slice(0, 10).join(', ')}).`);
  }
  const md = renderTicketMarkdown(r, sel.phones, sel.findings, sel.exchanges, {
    captureName,
    phoneSelector: sel.phoneSelector,
    exportedFrames: exported,
    notes,
    files: FILES,
  });
  const har = buildHar(sel.exchanges, { creatorVersion: opts.creatorVersion, redactor, comment: `upxray ticket of ${captureName}` });
  const doc = analyzeDocument(r, sel.phoneSelector !== undefined ? new Set(sel.phones.map((p) => p.key)) : undefined);
  doc.captures = doc.captures.map((c) => ({ ...c, path: basename(c.path) }));
  if (redactor) {
    for (const x of doc.exchanges) {
      for (const m of [x.request, x.response]) if (m) m.headers = m.headers.map((h) => ({ name: h.name, value: redactor.headerValue(h.name, h.value) }));
    }
  }
  const json = JSON.stringify(doc, null, 2) + '\n';
  const text = (s: string) => Buffer.from(redactor ? redactor.text(s) : s, 'utf8');
  const entries: ArchiveEntry[] = [
    { name: 'report.md', data: text(md) },
    { name: 'flows.har', data: Buffer.from(harText(har, redactor), 'utf8') },
    { name: 'flows.pcapng', data: Buffer.concat(pcap.chunks) },
    { name: 'analysis.json', data: text(json) },
  ];
  return { entries, pcap, redactor };
}

/** Write the entries to OUT (a folder, made if needed, or one archive file). Returns what was written. */
export async function writeTicket(out: string, entries: readonly ArchiveEntry[], mtimeSeconds: number): Promise<OutputKind> {
  const kind = outputKind(out);
  if (kind === 'folder') {
    await mkdir(out, { recursive: true });
    for (const e of entries) await writeFile(join(out, e.name), e.data);
    return kind;
  }
  const st = await stat(out).catch(() => undefined);
  if (st?.isDirectory()) throw Object.assign(new Error(`${out} is a folder: an archive name must name a file`), { code: 'EISDIR' });
  await writeFile(out, kind === 'zip' ? zipBytes(entries, mtimeSeconds) : tarGzBytes(entries, mtimeSeconds));
  return kind;
}
