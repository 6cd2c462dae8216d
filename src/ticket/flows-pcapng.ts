// flows.pcapng: only the packets of the ticket's flows, copied from the
// capture as they were (or rewritten, when redacting), each frame a finding
// points at carrying a pcapng comment that Wireshark shows (frame.comment).
//
// The analysis does not keep packets, so the capture is read again: a first,
// short pass places evidence frames the analysis did not tie to a connection
// (it stops at the last such frame), a second pass copies records. Neither
// holds more than one read chunk of the capture; the output holds only the
// selected packets.
import { openCapture } from '../capture/open.js';
import { PcapngWriter } from '../capture/pcapng-writer.js';
import type { Redactor } from '../report/redact.js';
import { packetConversation, packetLayout } from './packet-layout.js';
import { redactPacket } from './packet-rewrite.js';
import type { FlowSpan, TicketSelection } from './select.js';

export interface FlowsPcapng {
  /** The pcapng file, block by block. */
  chunks: Buffer[];
  /** Original frame numbers of the packets written, in order. */
  frames: number[];
  /** Packets of the flows that were left out, with why (redaction could not rewrite them). */
  leftOut: Array<{ frame: number; reason: string }>;
  /** Packets whose transport checksum could not be adjusted (IP fragments). */
  checksumsNotAdjusted: number[];
}

export interface FlowsPcapngOptions {
  redactor?: Redactor;
  stdin?: NodeJS.ReadableStream;
  signal?: AbortSignal;
}

class SpanIndex {
  private readonly byKey = new Map<string, FlowSpan[]>();

  add(s: FlowSpan): void {
    const list = this.byKey.get(s.key) ?? [];
    list.push(s);
    this.byKey.set(s.key, list);
  }

  has(key: string, frame: number): boolean {
    return (this.byKey.get(key) ?? []).some((s) => s.firstFrame <= frame && frame <= s.lastFrame);
  }
}

/** The frames of a selection's flows from the capture at `path`, as pcapng. */
export async function exportFlowsPcapng(path: string, sel: TicketSelection, opts: FlowsPcapngOptions = {}): Promise<FlowsPcapng> {
  const spans = new SpanIndex();
  for (const f of sel.flows) spans.add(f);
  const evidence = new Set(sel.comments.keys());

  // Pass 1: evidence frames outside every known flow; a TCP one brings its connection.
  const loose = [...evidence].filter((n) => !sel.flows.some((f) => f.firstFrame <= n && n <= f.lastFrame)).sort((a, b) => a - b);
  if (loose.length > 0) {
    const wanted = new Set(loose);
    const last = loose[loose.length - 1];
    const src = await openCapture(path, { stdin: opts.stdin });
    outer: for await (const batch of src.batches(opts.signal)) {
      for (const rec of batch) {
        if (rec.frame > last) break outer;
        if (!wanted.has(rec.frame)) continue;
        const key = packetConversation(rec.data, packetLayout(rec.data, rec.linkType));
        if (!key || !key.startsWith('6|')) continue;
        const conn = sel.connections.find((c) => c.key === key && c.firstFrame <= rec.frame && rec.frame <= c.lastFrame);
        spans.add(conn ?? { key, firstFrame: rec.frame, lastFrame: rec.frame });
      }
    }
  }

  // Pass 2: copy (or rewrite) the records.
  const writer = new PcapngWriter();
  const out: FlowsPcapng = { chunks: [], frames: [], leftOut: [], checksumsNotAdjusted: [] };
  const shb = opts.redactor
    ? 'upxray ticket: packets of the flows in report.md; addresses and identifiers replaced by pseudonyms'
    : 'upxray ticket: packets of the flows in report.md';
  out.chunks.push(writer.header(shb));
  const src = await openCapture(path, { stdin: opts.stdin });
  for await (const batch of src.batches(opts.signal)) {
    for (const rec of batch) {
      const isEvidence = evidence.has(rec.frame);
      let take = isEvidence;
      if (!take) {
        const key = packetConversation(rec.data, packetLayout(rec.data, rec.linkType));
        take = key !== undefined && spans.has(key, rec.frame);
      }
      if (!take) continue;
      let data: Uint8Array = rec.data;
      if (opts.redactor) {
        data = Uint8Array.from(rec.data);
        const res = redactPacket(data, rec.linkType, opts.redactor);
        if (!res.ok) {
          out.leftOut.push({ frame: rec.frame, reason: res.reason });
          continue;
        }
        if (!res.checksumsKept) out.checksumsNotAdjusted.push(rec.frame);
      }
      // Exported frames are numbered anew; the comment keeps the frame number the report uses.
      const comments = (sel.comments.get(rec.frame) ?? []).map((c) => `${opts.redactor ? opts.redactor.text(c) : c} [capture frame ${rec.frame}]`);
      out.chunks.push(writer.packet({ linkType: rec.linkType, timestampNs: rec.timestampNs, data, origLen: rec.origLen, comments: comments.length ? comments : undefined }));
      out.frames.push(rec.frame);
    }
  }
  return out;
}
