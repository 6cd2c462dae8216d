// pcapng: sections, interfaces and their timestamp units, every packet block
// kind, skipped blocks, and each way a block can be broken.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codes, derived, readChunks, readFile } from './helpers.js';

describe('pcapng', () => {
  it('reads a dumpcap capture with its section and packet comments', async () => {
    const { source, records, warnings } = await readFile('http-lo.pcapng');
    expect(source.info).toEqual({
      format: 'pcapng',
      gzip: false,
      snapLen: 262144,
      comments: ['upxray capture-reader sample'],
    });
    expect(records).toHaveLength(12);
    expect(records[0].comments).toEqual(['first packet: SYN']);
    expect(records[3].comments).toEqual(['the GET request']);
    expect(records[1].comments).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('gives the same records from a big-endian copy', async () => {
    const le = await readFile('http-lo.pcapng');
    const be = await readFile('be.pcapng');
    expect(be.records).toEqual(le.records);
    expect(be.source.info).toEqual(le.source.info);
  });

  it('reads Simple Packet Blocks: interface 0, no timestamp, cut to the snap length', async () => {
    const { records, source } = await readFile('spb.pcapng');
    expect(source.info.snapLen).toBe(128);
    expect(records.map((r) => r.timestampNs)).toEqual(Array(12).fill(0n));
    expect([records[3].origLen, records[3].data.length]).toEqual([154, 128]);
    expect([records[5].origLen, records[5].data.length]).toEqual([252, 128]);
    const full = await readFile('http-lo.pcapng');
    expect(records[3].data).toEqual(full.records[3].data.subarray(0, 128));
  });

  it('reads obsolete Packet Blocks like Enhanced ones', async () => {
    const pb = await readFile('pb.pcapng');
    const epb = await readFile('http-lo.pcapng');
    expect(pb.records).toEqual(epb.records);
  });

  it('keeps each interface its link type and timestamp unit', async () => {
    const { records, source } = await readFile('multi-if.pcapng');
    expect(records.map((r) => r.interfaceId)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(records.map((r) => r.linkType)).toEqual([1, 113, 1, 1, 113, 1, 1, 113, 1, 1, 113, 1]);
    expect(source.info.comments).toEqual(['upxray capture-reader sample', 'interface in microseconds']);
    // Interface 0 is in microseconds (the default), 1 in nanoseconds, 2 in 2^-20 s.
    const ns = (await readFile('http-lo.pcapng')).records.map((r) => r.timestampNs);
    expect(records[0].timestampNs).toBe((ns[0] / 1000n) * 1000n);
    expect(records[1].timestampNs).toBe(ns[1]);
    const units = (ns[2] << 20n) / 1_000_000_000n;
    expect(records[2].timestampNs).toBe((units * 1_000_000_000n) >> 20n);
  });

  it('adds if_tsoffset seconds', async () => {
    const off = await readFile('tsoffset.pcapng');
    const plain = await readFile('http-lo.pcapng');
    expect(off.records.map((r) => r.timestampNs)).toEqual(plain.records.slice(0, 3).map((r) => r.timestampNs + 1000n * 1_000_000_000n));
  });

  it('skips blocks it does not need, numbering frames as Wireshark lists them', async () => {
    const { records, warnings } = await readFile('skipped-blocks.pcapng');
    // Custom blocks (4, 7), a journal entry (9) and a sysdig event (11) are frames in Wireshark.
    expect(records.map((r) => r.frame)).toEqual([1, 2, 3, 5, 6, 8, 10, 12, 13, 14, 15, 16]);
    expect(records).toHaveLength(12);
    expect(warnings).toEqual([]);
  });

  it('starts a new section with its own byte order and interfaces', async () => {
    const { records, source } = await readFile('two-sections.pcapng');
    expect(records.map((r) => r.frame)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(source.info.comments).toEqual(['section one, little-endian', 'section two, big-endian', 'microsecond interface']);
    // The second section's interface is in microseconds: its times lose the last three digits.
    expect(records.slice(6).every((r) => r.timestampNs % 1000n === 0n)).toBe(true);
    expect(records.slice(0, 6).some((r) => r.timestampNs % 1000n !== 0n)).toBe(true);
  });

  it('reads files with no packets as zero records', async () => {
    const idb = await readFile('header-only.pcapng');
    expect([idb.records.length, idb.warnings.length, idb.source.info.snapLen]).toEqual([0, 0, 262144]);
    const shb = await readFile('shb-only.pcapng');
    expect([shb.records.length, shb.warnings.length, shb.source.info.snapLen]).toEqual([0, 0, 0]);
  });

  it('skips a packet on an unknown interface with a warning and goes on', async () => {
    const { records, warnings, source } = await readFile('unknown-interface.pcapng');
    expect(records.map((r) => r.frame)).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]);
    expect(source.recordCount).toBe(11);
    expect(codes(warnings)).toEqual(['pcapng.unknown-interface']);
    expect(warnings[0]).toMatchObject({ layer: 'capture', frame: 5 });
    expect(warnings[0].detail).toContain('interface 3');
  });

  it('stops at a 4 GB block length without waiting for it', async () => {
    const started = Date.now();
    const { records, warnings } = await readFile('block-len-4g.pcapng');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(records.map((r) => r.frame)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(codes(warnings)).toEqual(['pcapng.bad-block-length']);
    expect(warnings[0].required).toBe(0xfffffffc);
    expect(warnings[0].detail).toContain('after 6 records');
  });

  it('stops at a trailing length that does not match', async () => {
    const { records, warnings } = await readFile('bad-trailing-length.pcapng');
    expect(records).toHaveLength(6);
    expect(codes(warnings)).toEqual(['pcapng.bad-trailing-length']);
  });

  it('stops at a captured length larger than its block', async () => {
    const { records, warnings } = await readFile('bad-caplen.pcapng');
    expect(records).toHaveLength(6);
    expect(codes(warnings)).toEqual(['pcapng.bad-captured-length']);
    expect(warnings[0]).toMatchObject({ frame: 7, required: 4000 });
  });

  it('says where a file was cut and what trails it', async () => {
    const cut = await readFile('cut-mid-block.pcapng');
    expect(cut.records).toHaveLength(7);
    expect(codes(cut.warnings)).toEqual(['pcapng.truncated-block']);
    expect(cut.warnings[0].detail).toContain('cut short in the middle of a packet');
    expect(cut.warnings[0]).toMatchObject({ frame: 8, available: 40 });
    const trailing = await readFile('trailing-bytes.pcapng');
    expect(trailing.records).toHaveLength(12);
    expect(codes(trailing.warnings)).toEqual(['pcapng.trailing-bytes']);
    expect(trailing.warnings[0]).toMatchObject({ offset: 1868, available: 5 });
  });

  it('gives the same records and warnings at every split of the input', async () => {
    for (const name of ['http-lo.pcapng', 'two-sections.pcapng', 'skipped-blocks.pcapng', 'cut-mid-block.pcapng']) {
      const bytes = readFileSync(derived(name));
      const whole = await readChunks([bytes]);
      for (let k = 1; k < bytes.length; k += name === 'http-lo.pcapng' ? 3 : 11) {
        const split = await readChunks([bytes.subarray(0, k), bytes.subarray(k)]);
        expect(split.records, `${name} split at ${k}`).toEqual(whole.records);
        expect(split.warnings, `${name} split at ${k}`).toEqual(whole.warnings);
        expect(split.source.info, `${name} split at ${k}`).toEqual(whole.source.info);
      }
    }
  });

  it('reads one byte at a time', async () => {
    const bytes = readFileSync(derived('multi-if.pcapng'));
    const whole = await readChunks([bytes]);
    const bytewise = await readChunks(Array.from(bytes, (b) => Uint8Array.of(b)));
    expect(bytewise.records).toEqual(whole.records);
    expect(bytewise.records).toHaveLength(12);
  });
});
