// Every derived capture tshark can read must come out of our readers frame
// for frame as tshark shows it: numbers, times, lengths, interfaces, comments.
import { describe, expect, it } from 'vitest';
import { codes, readFile, tshark } from './helpers.js';

/** File, and the warning codes our reader must give for it (tshark reads it the same way up to there). */
const FILES: Array<[string, string[]]> = [
  ['http-lo.pcap', []],
  ['http-lo-ns.pcap', []],
  ['http-lo.pcapng', []],
  ['be-usec.pcap', []],
  ['be-nsec.pcap', []],
  ['http-lo.pcap.gz', []],
  ['http-lo.pcapng.gz', []],
  ['be-nsec.pcap.gz', []],
  ['be.pcapng', []],
  ['spb.pcapng', []],
  ['pb.pcapng', []],
  ['multi-if.pcapng', []],
  ['tsoffset.pcapng', []],
  ['skipped-blocks.pcapng', []],
  ['two-sections.pcapng', []],
  ['cut-mid-record.pcap', ['pcap.truncated-record']],
  ['trailing-bytes.pcap', ['pcap.trailing-bytes']],
  ['incl-len-over-snaplen.pcap', ['pcap.incl-len-over-snaplen']],
  ['cut-mid-block.pcapng', ['pcapng.truncated-block']],
];

describe('derived captures agree with tshark', () => {
  for (const [name, warnings] of FILES) {
    it(name, async () => {
      const { records, warnings: got } = await readFile(name);
      // Frames without an interface are Wireshark's non-packet frames: they
      // take a number but are not delivered.
      // Classic pcap has no interfaces: tshark shows none, we say 0.
      const pcapng = name.includes('.pcapng');
      const rows = tshark(name)
        .filter((r) => !pcapng || r.interfaceId !== undefined)
        .map((r) => ({ ...r, interfaceId: r.interfaceId ?? 0 }));
      expect(rows.length).toBeGreaterThan(0);
      expect(records.map((r) => r.frame)).toEqual(rows.map((r) => r.frame));
      expect(records.map((r) => r.timestampNs)).toEqual(rows.map((r) => r.timestampNs ?? 0n));
      expect(records.map((r) => r.origLen)).toEqual(rows.map((r) => r.len));
      expect(records.map((r) => r.data.length)).toEqual(rows.map((r) => r.capLen));
      expect(records.map((r) => r.interfaceId)).toEqual(rows.map((r) => r.interfaceId));
      expect(records.map((r) => r.comments ?? [])).toEqual(rows.map((r) => r.comments));
      expect(codes(got)).toEqual(warnings);
    });
  }
});
