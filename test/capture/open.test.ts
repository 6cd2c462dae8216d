// openCapture: what is detected by magic, what is refused and how it is said,
// gzip, stdin, and stopping early.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { records } from '../../src/capture/records.js';
import { CaptureError } from '../../src/capture/source.js';
import { codes, DERIVED, derived, readAll, readFile } from './helpers.js';

async function refusal(path: string, opts = {}): Promise<CaptureError> {
  try {
    await openCapture(path, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(CaptureError);
    const e = err as CaptureError;
    expect(e.message).not.toContain('\n');
    return e;
  }
  throw new Error(`${path} was opened`);
}

describe('openCapture refuses what is not a capture, in one line', () => {
  it('names a missing file', async () => {
    const e = await refusal(derived('no-such.pcap'));
    expect(e.message).toBe(`upxray: ${derived('no-such.pcap')}: no such file`);
  });

  it('names a directory', async () => {
    const e = await refusal(DERIVED);
    expect(e.message).toBe(`upxray: ${DERIVED}: is a directory, not a capture file`);
  });

  it('refuses a path through a file', async () => {
    const e = await refusal(join(derived('http-lo.pcap'), 'x'));
    expect(e.message).toMatch(/^upxray: .*http-lo\.pcap\/x: cannot open \(.*ENOTDIR/);
  });

  it('refuses an empty file', async () => {
    const e = await refusal(derived('empty.pcap'));
    expect(e.message).toBe(`upxray: ${derived('empty.pcap')}: empty file`);
  });

  it('shows the magic of something else', async () => {
    const e = await refusal(derived('html.pcap'));
    expect(e.message).toBe(`upxray: ${derived('html.pcap')}: not a pcap or pcapng file (magic 3c68746d)`);
  });

  it('refuses a pcap header cut short', async () => {
    const e = await refusal(derived('short-header.pcap'));
    expect(e.message).toBe(`upxray: ${derived('short-header.pcap')}: pcap file header cut short (10 of 24 bytes)`);
  });

  it('refuses gzip magic followed by no gzip data', async () => {
    const e = await refusal(derived('not-gzip.pcap.gz'));
    expect(e.message).toMatch(/^upxray: .*not-gzip\.pcap\.gz: not valid gzip data \(.+\)$/);
  });

  it('says stdin for "-"', async () => {
    const e = await refusal('-', { stdin: Readable.from([Buffer.from('GET / HTTP/1.1\r\n')]) });
    expect(e.message).toBe('upxray: stdin: not a pcap or pcapng file (magic 47455420)');
  });

  it('refuses a file shorter than a magic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upxray-capture-'));
    writeFileSync(join(dir, 'two.pcap'), Buffer.from([0xd4, 0xc3]));
    const e = await refusal(join(dir, 'two.pcap'));
    expect(e.message).toBe(`upxray: ${join(dir, 'two.pcap')}: not a pcap or pcapng file (only 2 bytes)`);
  });
});

describe('openCapture detects gzip by magic', () => {
  it('reads gzipped pcap and pcapng like the plain files', async () => {
    for (const name of ['http-lo.pcap', 'http-lo.pcapng']) {
      const plain = await readFile(name);
      const zipped = await readFile(`${name}.gz`);
      expect(zipped.source.info).toEqual({ ...plain.source.info, gzip: true });
      expect(zipped.records).toEqual(plain.records);
    }
  });

  it('does not go by the name: gzip data named .pcap is still gunzipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upxray-capture-'));
    const file = join(dir, 'plain-name.pcap');
    writeFileSync(file, readFileSync(derived('http-lo.pcapng.gz')));
    const { source, records: recs } = await readAll(await openCapture(file));
    expect(source.info).toMatchObject({ format: 'pcapng', gzip: true });
    expect(recs).toHaveLength(12);
  });

  it('keeps the records before a cut in the gzip stream', async () => {
    for (const [name, code] of [
      ['cut.pcap.gz', 'pcap.read-error'],
      ['cut.pcapng.gz', 'pcapng.read-error'],
    ]) {
      const { records: recs, warnings } = await readFile(name);
      const full = await readFile(name.startsWith('cut.pcapng') ? 'http-lo.pcapng' : 'http-lo.pcap');
      expect(recs.length).toBeGreaterThan(0);
      expect(recs.length).toBeLessThan(12);
      expect(recs).toEqual(full.records.slice(0, recs.length));
      expect(codes(warnings)).toEqual([code]);
      expect(warnings[0].detail).toContain(`after ${recs.length} record`);
    }
  });

  it('refuses gzip of nothing', async () => {
    const e = await refusal('-', { stdin: Readable.from([gzipSync(Buffer.alloc(0))]) });
    expect(e.message).toBe('upxray: stdin: empty after gunzip');
  });
});

describe('stdin and consumers', () => {
  it('reads stdin through opts.stdin', async () => {
    const bytes = readFileSync(derived('http-lo.pcapng'));
    const source = await openCapture('-', { stdin: Readable.from([bytes]) });
    const fromStdin = await readAll(source);
    const fromFile = await readFile('http-lo.pcapng');
    expect(fromStdin.records).toEqual(fromFile.records);
  });

  it('reads gzip on stdin', async () => {
    const bytes = readFileSync(derived('be-nsec.pcap.gz'));
    const { source, records: recs } = await readAll(await openCapture('-', { stdin: Readable.from([bytes]) }));
    expect(source.info).toMatchObject({ format: 'pcap', gzip: true });
    expect(recs.map((r) => r.frame)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('flattens batches with records()', async () => {
    const source = await openCapture(derived('skipped-blocks.pcapng'));
    const frames: number[] = [];
    for await (const r of records(source)) frames.push(r.frame);
    expect(frames).toEqual([1, 2, 3, 5, 6, 8, 10, 12, 13, 14, 15, 16]);
    expect(source.recordCount).toBe(12);
  });

  it('stops when the signal is aborted', async () => {
    // One-byte chunks make many batches; abort after the first.
    const bytes = readFileSync(derived('http-lo.pcap'));
    const source = await openCapture('-', { stdin: Readable.from(Array.from(bytes, (b) => Buffer.of(b))) });
    const ac = new AbortController();
    const frames: number[] = [];
    for await (const batch of source.batches(ac.signal)) {
      frames.push(...batch.map((r) => r.frame));
      ac.abort();
    }
    expect(frames).toEqual([1]);
  });

  it('closes the input when the consumer stops early', async () => {
    const stream = Readable.from(Array.from(readFileSync(derived('http-lo.pcapng')), (b) => Buffer.of(b)));
    const source = await openCapture('-', { stdin: stream });
    for await (const r of records(source)) {
      expect(r.frame).toBe(1);
      break;
    }
    expect(stream.destroyed).toBe(true);
  });

  it('can be iterated only once', async () => {
    const source = await openCapture(derived('http-lo.pcap'));
    await readAll(source);
    await expect(readAll(source)).rejects.toThrow(/only once/);
  });
});
