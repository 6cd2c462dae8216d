// Turn what the pipeline counted into warnings worth a line: the capture
// reader's problems first, then what the decoders could not read and the holes
// TCP reassembly found. What the capture cannot show matters as much as what it
// shows: an exchange missing after a hole is absence of evidence, not evidence.
import { decodeError, type DecodeError } from '../net/decode-error.js';
import { linkTypeName } from '../net/link-types.js';
import type { PipelineResult } from '../pipeline.js';

function counted(map: Map<number | string, number>): string {
  return [...map].map(([k, n]) => `${k} (${n})`).join(', ');
}

export function pipelineWarnings(result: PipelineResult): DecodeError[] {
  const out: DecodeError[] = [...result.warnings];
  const d = result.decode;
  for (const [linkType, n] of d.unknownLinkTypes) {
    out.push(
      decodeError('link', 'link.unknown-link-type', 0, {
        detail: `${n} frame(s) of link type ${linkType} (${linkTypeName(linkType)}), which upxray does not decode, were skipped`,
      }),
    );
  }
  if (d.malformed.size > 0) {
    const n = [...d.malformed.values()].reduce((a, b) => a + b, 0);
    out.push(decodeError('link', 'frame.malformed', 0, { detail: `${n} frame(s) could not be decoded fully: ${counted(d.malformed)}` }));
  }
  if (d.incomplete > 0) {
    out.push(
      decodeError('ip-defrag', 'ip-defrag.incomplete', 0, {
        detail: `${d.incomplete} fragmented IP datagram(s) never completed in the capture`,
      }),
    );
  }
  const t = result.reassembly;
  if (t.gaps > 0) {
    out.push(
      decodeError('reassembly', 'tcp.capture-holes', 0, {
        detail: `${t.gaps} hole(s) in TCP streams, ${t.gapBytes} byte(s) the capture never saw: messages across them are incomplete`,
      }),
    );
  }
  if (t.evictedFlows > 0) {
    out.push(
      decodeError('reassembly', 'tcp.flows-evicted', 0, {
        detail: `${t.evictedFlows} TCP connection(s) ended early: more than the open-flow limit were open at once, so the oldest were closed as if idle`,
      }),
    );
  }
  if (t.oneSidedFlows > 0) {
    out.push(
      decodeError('reassembly', 'tcp.one-sided-flows', 0, {
        detail: `${t.oneSidedFlows} TCP connection(s) seen in one direction only (a mirror port that gets half the traffic?)`,
      }),
    );
  }
  return out;
}
