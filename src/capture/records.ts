// One record at a time, for consumers that do not care about batches.
import type { CaptureRecord, CaptureSource } from './source.js';

/** Flatten a source's batches. Each record's data is valid until the next batch is pulled. */
export async function* records(source: CaptureSource, signal?: AbortSignal): AsyncIterable<CaptureRecord> {
  for await (const batch of source.batches(signal)) yield* batch;
}
