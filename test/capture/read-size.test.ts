// The read size is a speed knob: any size, even smaller than one record, must
// give the same records, and a batch's views must hold their bytes for as long
// as the batch is being used (the reader reuses its buffers for later reads).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { CAPTURES } from '../helpers/cli.js';

async function digest(path: string, readSize?: number): Promise<{ records: number; sha: string; warnings: string[] }> {
  const source = await openCapture(path, { readSize });
  const h = createHash('sha256');
  let records = 0;
  for await (const batch of source.batches()) {
    const sums = batch.map((rec) => createHash('sha256').update(rec.data).digest('hex'));
    for (const rec of batch) {
      records++;
      h.update(`${rec.frame} ${rec.timestampNs} ${rec.origLen} ${rec.linkType} ${rec.interfaceId}|`).update(rec.data);
    }
    // After a tick (as an async consumer might take), the batch's bytes are still its own.
    await new Promise((r) => setImmediate(r));
    batch.forEach((rec, i) => expect(createHash('sha256').update(rec.data).digest('hex'), `frame ${rec.frame}`).toBe(sums[i]));
  }
  return { records, sha: h.digest('hex'), warnings: source.warnings.map((w) => `${w.code}@${w.offset}`) };
}

describe('read size', () => {
  it.each(['many-phones.pcap', 'http-chunked-gzip.pcapng', 'http-chunked-gzip.pcapng.gz', 'http-keepalive.pcap.gz', 'derived/cut-mid-record.pcap', 'derived/cut-mid-block.pcapng'])(
    'gives the same records and warnings on %s with reads of 64 bytes, 1 KiB, 64 KiB and the default',
    async (name) => {
      const path = join(CAPTURES, name);
      const want = await digest(path);
      expect(want.records).toBeGreaterThan(0);
      for (const size of [64, 1024, 65536]) expect(await digest(path, size)).toEqual(want);
    },
  );
});

describe('lent read buffers', () => {
  it.each(['many-phones.pcap', 'tcp-retransmissions.pcap', 'http-chunked-gzip.pcapng', 'http-keepalive.pcap.gz', 'derived/cut-mid-record.pcap', 'derived/cut-mid-block.pcapng'])(
    'give the same records and warnings on %s, shared and read two buffers ahead, and each record keeps its bytes until its buffer is reclaimed',
    async (name) => {
      const path = join(CAPTURES, name);
      // Small reads put the end of the file under every kind of read: the first read ahead, the second, a join.
      for (const readSize of [64, 1000, 1024, 4096, 65536]) {
        const want = await digest(path, readSize);
        const source = await openCapture(path, { readSize });
        // Records not yet reclaimed, with the digest of their bytes.
        let held: Array<{ data: Uint8Array; sum: string; frame: number }> = [];
        let reclaimed = 0;
        source.lendBuffers!((buffer) => {
          expect(buffer).toBeInstanceOf(SharedArrayBuffer);
          reclaimed++;
          // Everything in this buffer is still as it was read: the reader writes it only after this returns.
          for (const r of held) if (r.data.buffer === buffer) expect(createHash('sha256').update(r.data).digest('hex'), `frame ${r.frame}`).toBe(r.sum);
          held = held.filter((r) => r.data.buffer !== buffer);
        });
        const h = createHash('sha256');
        let records = 0;
        let shared = 0;
        for await (const batch of source.batches()) {
          for (const rec of batch) {
            records++;
            h.update(`${rec.frame} ${rec.timestampNs} ${rec.origLen} ${rec.linkType} ${rec.interfaceId}|`).update(rec.data);
            if (rec.data.buffer instanceof SharedArrayBuffer) {
              shared++;
              held.push({ data: rec.data, sum: createHash('sha256').update(rec.data).digest('hex'), frame: rec.frame });
            }
          }
        }
        for (const r of held) expect(createHash('sha256').update(r.data).digest('hex'), `frame ${r.frame}`).toBe(r.sum);
        expect({ records, sha: h.digest('hex'), warnings: source.warnings.map((w) => `${w.code}@${w.offset}`) }).toEqual(want);
        if (name === 'many-phones.pcap' && readSize === 4096) {
          // Big enough for buffers to come round (small files are read before lending starts).
          expect(shared).toBeGreaterThan(records / 10);
          expect(reclaimed).toBeGreaterThan(0);
        }
      }
    },
  );
});
