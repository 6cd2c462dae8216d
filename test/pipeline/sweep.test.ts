// Idle flows end on the capture's clock: the same records must give the same
// connections and exchanges however they are cut into batches (read sizes) —
// also when a keep-alive connection goes quiet for more than the idle timeout
// and then carries on, which makes it two connections.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import type { CaptureRecord, CaptureSource } from '../../src/capture/source.js';
import { runPipeline } from '../../src/pipeline.js';
import { CAPTURES } from '../helpers/cli.js';

const HOUR_NS = 3_600_000_000_000n;

async function recordsOf(name: string): Promise<{ source: CaptureSource; records: CaptureRecord[] }> {
  const source = await openCapture(join(CAPTURES, name));
  const records: CaptureRecord[] = [];
  for await (const batch of source.batches()) for (const r of batch) records.push({ ...r, data: r.data.slice() });
  return { source, records };
}

function batched(info: CaptureSource['info'], records: CaptureRecord[], size: number): CaptureSource {
  return {
    info,
    warnings: [],
    recordCount: records.length,
    async *batches() {
      for (let i = 0; i < records.length; i += size) yield records.slice(i, i + size);
    },
  };
}

async function summary(source: CaptureSource): Promise<string[]> {
  const out: string[] = [];
  const r = await runPipeline(source, {
    onStreamEvent: (e) => {
      if (e.kind === 'open' || e.kind === 'end') out.push(`${e.kind} ${e.flow.index} ${e.kind === 'end' ? `${e.dir} ${e.reason}` : ''} @${e.frame}`);
    },
    onExchange: (x) => out.push(`exchange ${x.id} ${x.request?.uri ?? '-'} ${x.response?.status ?? '-'}`),
  });
  out.push(`flows ${r.reassembly.flows}`);
  return out;
}

describe('idle timeout', () => {
  it('ends a connection quiet for over an hour at the same record whatever the batch size', async () => {
    const { source, records } = await recordsOf('http-keepalive.pcap');
    expect(records.length).toBeGreaterThan(10);
    const plain = await summary(batched(source.info, records, records.length));
    const opens = (lines: string[]) => lines.filter((l) => l.startsWith('open')).length;
    // Two hours of silence inside the first keep-alive connection (between two of its requests):
    // the rest of it becomes a new connection.
    const withGapAt = (at: number) => records.map((r, i) => (i >= at ? { ...r, timestampNs: r.timestampNs + 2n * HOUR_NS } : r));
    let mid = -1;
    let whole: string[] = [];
    for (let at = 3; at < 14 && mid < 0; at++) {
      whole = await summary(batched(source.info, withGapAt(at), records.length));
      if (opens(whole) > opens(plain) && whole.some((l) => / timeout @/.test(l))) mid = at;
    }
    expect(mid).toBeGreaterThan(0);
    const shifted = withGapAt(mid);
    for (const size of [1, 3, 17, mid, mid + 1]) expect(await summary(batched(source.info, shifted, size))).toEqual(whole);
  });
});
