// Turn what the pipeline counted into warnings worth a line: the capture
// reader's problems first, then anything the decoders could not read.
import { decodeError, type DecodeError } from '../net/decode-error.js';
import type { PipelineResult } from '../pipeline.js';

export function pipelineWarnings(result: PipelineResult): DecodeError[] {
  const out: DecodeError[] = [...result.warnings];
  for (const [linkType, count] of Object.entries(result.decode.unknownLinkTypes ?? {})) {
    out.push(
      decodeError('link', 'link.unknown-link-type', 0, {
        detail: `${count} frame(s) with link type ${linkType}, which upxray does not decode, were skipped`,
      }),
    );
  }
  return out;
}
