// --write and --ring: every file reads on its own with upxray's reader, the
// ring keeps the newest packets, and nothing is left half-written.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { RingWriter, ringFileName } from '../../src/capture/ring-writer.js';
import type { CaptureRecord } from '../../src/capture/source.js';
import { CAPTURES } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'upx-ring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Copy {
  frame: number;
  linkType: number;
  timestampNs: bigint;
  origLen: number;
  data: Uint8Array;
}

async function read(path: string): Promise<{ records: Copy[]; warnings: number; comments: string[] }> {
  const src = await openCapture(path);
  const records: Copy[] = [];
  for await (const b of src.batches()) {
    for (const r of b) records.push({ frame: r.frame, linkType: r.linkType, timestampNs: r.timestampNs, origLen: r.origLen, data: Uint8Array.from(r.data) });
  }
  return { records, warnings: src.warnings.length, comments: src.info.comments };
}

const strip = (r: Copy) => ({ linkType: r.linkType, timestampNs: r.timestampNs, origLen: r.origLen, data: Buffer.from(r.data).toString('hex') });

describe('RingWriter', () => {
  it('one file: the same packets as the input, valid pcapng', async () => {
    const input = await read(join(CAPTURES, 'dus-demo.pcap'));
    const out = join(dir, 'one.pcapng');
    const w = new RingWriter(out);
    for (const r of input.records) w.write(r as CaptureRecord);
    w.close();
    const back = await read(out);
    expect(back.warnings).toBe(0);
    expect(back.records.map(strip)).toEqual(input.records.map(strip));
    expect(w.paths).toEqual([out]);
  });

  it('a ring of 3 small files keeps the newest packets, each file whole', async () => {
    const input = await read(join(CAPTURES, 'many-phones.pcap'));
    const out = join(dir, 'ring.pcapng');
    writeFileSync(`${out}.2`, 'left over from an earlier run');
    const w = new RingWriter(out, { files: 3, maxBytes: 64 * 1024, comment: 'test ring' });
    expect(existsSync(`${out}.2`)).toBe(false);
    for (const r of input.records) {
      w.write(r as CaptureRecord);
      w.flush();
    }
    w.close();
    expect(w.rotations).toBeGreaterThan(3);
    expect(w.paths).toEqual([out, `${out}.1`, `${out}.2`]);
    expect(existsSync(`${out}.3`)).toBe(false);
    const files = await Promise.all([2, 1, 0].map((k) => read(ringFileName(out, k))));
    for (const [i, f] of files.entries()) {
      expect(f.warnings).toBe(0);
      expect(f.records.length).toBeGreaterThan(0);
      expect(statSync(ringFileName(out, 2 - i)).size).toBeLessThanOrEqual(64 * 1024);
      expect(f.comments.join(' ')).toMatch(/^test ring; ring of 3 files; the first packet here is frame \d+ of the live session$/);
    }
    // Oldest to newest, the files hold the tail of the input, in order.
    const kept = files.flatMap((f) => f.records);
    expect(kept.map(strip)).toEqual(input.records.slice(input.records.length - kept.length).map(strip));
    const firstFrame = Number(/frame (\d+)/.exec(files[0].comments.join(' '))![1]);
    expect(firstFrame).toBe(input.records.length - kept.length + 1);
  });

  it('a capture of nothing still leaves a valid file', async () => {
    const out = join(dir, 'empty.pcapng');
    new RingWriter(out).close();
    expect(readFileSync(out).length).toBeGreaterThan(0);
    const back = await read(out);
    expect(back.records).toEqual([]);
    expect(back.warnings).toBe(0);
  });

  it('an unwritable path is one clear error', () => {
    expect(() => new RingWriter(join(dir, 'no/such/dir/x.pcapng'))).toThrow(/x\.pcapng: cannot write \(no such directory\)$/);
  });
});
