// Classic pcap through our reader: byte orders, nanoseconds, the length
// guard, and what is said about a file that ends badly.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codes, derived, readChunks, readFile } from './helpers.js';

describe('classic pcap', () => {
  it('reads a tcpdump capture with its header facts', async () => {
    const { source, records, warnings } = await readFile('http-lo.pcap');
    expect(source.info).toEqual({ format: 'pcap', gzip: false, snapLen: 262144, comments: [] });
    expect(records).toHaveLength(12);
    expect(source.recordCount).toBe(12);
    expect(records.every((r) => r.linkType === 1 && r.interfaceId === 0)).toBe(true);
    // Ethernet frame of a SYN to port 18731: ethertype IPv4 at bytes 12-13.
    expect([records[0].data[12], records[0].data[13]]).toEqual([0x08, 0x00]);
    expect(warnings).toEqual([]);
  });

  it('gives the same records in either byte order', async () => {
    const le = await readFile('http-lo.pcap');
    const be = await readFile('be-usec.pcap');
    expect(be.records).toEqual(le.records);
    const leNs = await readFile('http-lo-ns.pcap');
    const beNs = await readFile('be-nsec.pcap');
    expect(beNs.records).toEqual(leNs.records);
  });

  it('keeps nanoseconds of a nanosecond file (the fraction is not multiplied)', async () => {
    const { records } = await readFile('http-lo-ns.pcap');
    // tcpdump --time-stamp-precision=nano: sub-microsecond digits survive.
    expect(records.some((r) => r.timestampNs % 1000n !== 0n)).toBe(true);
    const us = await readFile('http-lo.pcap');
    expect(us.records.every((r) => r.timestampNs % 1000n === 0n)).toBe(true);
  });

  it('reads a header-only file as zero records without a warning', async () => {
    const { records, warnings, source } = await readFile('header-only.pcap');
    expect(records).toEqual([]);
    expect(warnings).toEqual([]);
    expect(source.recordCount).toBe(0);
  });

  it('stops at an incl_len of 0xffffffff, keeping the four records before it', async () => {
    const { records, warnings } = await readFile('incl-len-huge.pcap');
    expect(records.map((r) => r.frame)).toEqual([1, 2, 3, 4]);
    expect(codes(warnings)).toEqual(['pcap.incl-len-too-large']);
    const w = warnings[0];
    expect(w.layer).toBe('capture');
    expect(w.frame).toBe(5);
    expect(w.required).toBe(0xffffffff);
    // Offset of record 5's incl_len field: 24 + the first four records + 8.
    const bytes = readFileSync(derived('incl-len-huge.pcap'));
    let o = 24;
    for (let i = 0; i < 4; i++) o += 16 + bytes.readUInt32LE(o + 8);
    expect(w.offset).toBe(o + 8);
    expect(w.detail).toContain('after 4 records');
  });

  it('accepts records above the snap length with one counted warning', async () => {
    const { records, warnings } = await readFile('incl-len-over-snaplen.pcap');
    expect(records).toHaveLength(12);
    expect(codes(warnings)).toEqual(['pcap.incl-len-over-snaplen']);
    expect(warnings[0].frame).toBe(4);
    expect(warnings[0].detail).toContain('snap length 100');
    expect(warnings[0].detail).toContain('2 records like this');
  });

  it('says a record was cut short, as Wireshark does, and keeps the records before', async () => {
    const { records, warnings } = await readFile('cut-mid-record.pcap');
    expect(records.map((r) => r.frame)).toEqual([1, 2, 3, 4, 5]);
    expect(codes(warnings)).toEqual(['pcap.truncated-record']);
    expect(warnings[0].detail).toContain('cut short in the middle of a packet');
    expect(warnings[0].detail).toContain('5 records read');
    expect(warnings[0]).toMatchObject({ frame: 6, available: 36 });
  });

  it('calls fewer than 16 leftover bytes trailing bytes', async () => {
    const garbage = await readFile('trailing-bytes.pcap');
    expect(garbage.records).toHaveLength(12);
    expect(codes(garbage.warnings)).toEqual(['pcap.trailing-bytes']);
    expect(garbage.warnings[0]).toMatchObject({ available: 7, offset: 1329 });
    expect(garbage.warnings[0].detail).toContain('12 records read');
    const cut = await readFile('cut-mid-header.pcap');
    expect(cut.records).toHaveLength(5);
    expect(codes(cut.warnings)).toEqual(['pcap.trailing-bytes']);
  });

  it('gives the same records and warnings at every split of the input', async () => {
    for (const name of ['http-lo.pcap', 'be-nsec.pcap', 'cut-mid-record.pcap', 'incl-len-huge.pcap']) {
      const bytes = readFileSync(derived(name));
      const whole = await readChunks([bytes]);
      for (let k = 1; k < bytes.length; k += name === 'http-lo.pcap' ? 3 : 11) {
        const split = await readChunks([bytes.subarray(0, k), bytes.subarray(k)]);
        expect(split.records, `${name} split at ${k}`).toEqual(whole.records);
        expect(split.warnings, `${name} split at ${k}`).toEqual(whole.warnings);
      }
    }
  });

  it('reads one byte at a time', async () => {
    const bytes = readFileSync(derived('http-lo-ns.pcap'));
    const whole = await readChunks([bytes]);
    const bytewise = await readChunks(Array.from(bytes, (b) => Uint8Array.of(b)));
    expect(bytewise.records).toEqual(whole.records);
    expect(bytewise.records).toHaveLength(12);
  });
});
