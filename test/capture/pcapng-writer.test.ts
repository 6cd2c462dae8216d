// The writer's output read back by our own pcapng reader (and, by the same
// bytes, by tshark: see the live and ticket tests), with comments kept.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { PcapngWriter } from '../../src/capture/pcapng-writer.js';
import { records } from '../../src/capture/records.js';

async function readBack(bytes: Buffer) {
  const src = await openCapture('-', { stdin: Readable.from([bytes]) });
  const out = [];
  for await (const r of records(src)) out.push({ ...r, data: Buffer.from(r.data) });
  return { src, out };
}

describe('PcapngWriter', () => {
  it('writes packets of several link types with nanosecond times and comments', async () => {
    const w = new PcapngWriter();
    const bytes = Buffer.concat([
      w.header('made by a test'),
      w.packet({ linkType: 1, timestampNs: 1_236_359_240_123_456_789n, data: Buffer.from('abcde'), comments: ['finding: x'] }),
      w.packet({ linkType: 276, timestampNs: 1_236_359_241_000_000_001n, data: Buffer.from('0123456789abcdefghij'), origLen: 1500 }),
      w.packet({ linkType: 1, timestampNs: 5n, data: new Uint8Array(0) }),
    ]);
    const { src, out } = await readBack(bytes);
    expect(src.warnings).toEqual([]);
    expect(src.info.comments).toContain('made by a test');
    expect(out.map((r) => [r.frame, r.linkType, r.timestampNs, r.origLen, r.data.toString()])).toEqual([
      [1, 1, 1_236_359_240_123_456_789n, 5, 'abcde'],
      [2, 276, 1_236_359_241_000_000_001n, 1500, '0123456789abcdefghij'],
      [3, 1, 5n, 0, ''],
    ]);
    expect(out[0].comments).toEqual(['finding: x']);
    expect(out[1].interfaceId).toBe(1);
  });

  it('cuts a comment longer than an option can hold instead of writing a broken block', async () => {
    const w = new PcapngWriter();
    const bytes = Buffer.concat([w.header(), w.packet({ linkType: 1, timestampNs: 1n, data: Buffer.from('x'), comments: ['c'.repeat(70_000)] })]);
    const { src, out } = await readBack(bytes);
    expect(src.warnings).toEqual([]);
    expect(out[0].comments?.[0].length).toBe(65_000);
  });
});
