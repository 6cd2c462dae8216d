// flows.pcapng: exactly the packets of the ticket's flows, byte for byte,
// with comments on the finding frames, judged against tshark's reading of
// the same export (fixtures/*.flows.tshark.txt, made by fixtures/make.sh).
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analysis.js';
import { Redactor } from '../../src/report/redact.js';
import { exportFlowsPcapng } from '../../src/ticket/flows-pcapng.js';
import { registerIdentifiers } from '../../src/ticket/identifiers.js';
import { addressText, packetLayout } from '../../src/ticket/packet-layout.js';
import { selectTicket } from '../../src/ticket/select.js';
import { checksumsVerify, FIXTURES, MIXED, oracle, readAll } from './helpers.js';

const io = { stdin: process.stdin };
const GOLDEN = `${FIXTURES}mixed-forbidden-acl.flows.pcapng`;
const GOLDEN_REDACTED = `${FIXTURES}mixed-forbidden-acl.redacted.flows.pcapng`;

async function exportOf(redact: boolean) {
  const r = await analyzeCapture(MIXED, io);
  const sel = selectTicket(r)!;
  const redactor = redact ? new Redactor() : undefined;
  if (redactor) registerIdentifiers(redactor, r);
  const pcap = await exportFlowsPcapng(MIXED, sel, { redactor });
  const bytes = Buffer.concat(pcap.chunks);
  return { r, sel, pcap, bytes, redactor };
}

function mac(b: Buffer, o: number): string {
  return [...b.subarray(o, o + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

describe('flows.pcapng of the mixed capture (unrelated HTTP and DNS around the phone)', () => {
  it('is the same file as the golden export that tshark read', async () => {
    const { bytes } = await exportOf(false);
    if (process.env.UPXRAY_WRITE_GOLDEN) writeFileSync(GOLDEN, bytes);
    expect(bytes.equals(readFileSync(GOLDEN))).toBe(true);
  });

  it('lists what tshark lists: the 22 packets of the two phone connections, comments on frames 47 and 51 only', async () => {
    const want = oracle('mixed-forbidden-acl.flows.tshark.txt');
    expect(want).toHaveLength(22);
    const recs = await readAll(GOLDEN);
    const ours = recs.map((rec, i) => {
      const l = packetLayout(rec.data, rec.linkType);
      const t = l.transport!;
      return [
        String(i + 1),
        String(rec.origLen),
        mac(rec.data, 6),
        mac(rec.data, 0),
        addressText(rec.data, l.ip!.src, 4),
        addressText(rec.data, l.ip!.dst, 4),
        String(t.srcPort),
        String(t.dstPort),
        String(rec.data.readUInt32BE(t.offset + 4)),
        rec.comments.join(','),
      ];
    });
    expect(ours).toEqual(want.map((row) => [...row, ...Array(10 - row.length).fill('')]));
    const commented = want.filter((row) => (row[9] ?? '') !== '').map((row) => row[0]);
    expect(commented).toEqual(['14', '18']);
    expect(want[13][9]).toMatch(/^upxray error download-forbidden-acl: .* \[capture frame 47\]$/);
    expect(want[17][9]).toMatch(/\[capture frame 51\]$/);
  });

  it('copies each packet frame for frame from the original capture (frames 34 to 55), with its time', async () => {
    const { pcap } = await exportOf(false);
    expect(pcap.frames).toEqual(Array.from({ length: 22 }, (_, i) => 34 + i));
    const original = await readAll(MIXED);
    const exported = await readAll(GOLDEN);
    exported.forEach((rec, i) => {
      const o = original[pcap.frames[i] - 1];
      expect(rec.data.equals(o.data)).toBe(true);
      expect(rec.timestampNs).toBe(o.timestampNs);
      expect(rec.origLen).toBe(o.origLen);
    });
  });

  it('--phone with another address selects nothing, and the phone by IP selects the same flows', async () => {
    const r = await analyzeCapture(MIXED, io);
    expect(selectTicket(r, '10.1.2.3')).toBeUndefined();
    expect(selectTicket(r, '00:11:22:33:44:55')).toBeUndefined();
    const byIp = selectTicket(r, '10.99.2.123')!;
    const byMac = selectTicket(r, '00-21-63-0f-20-7b')!;
    expect(byIp.flows).toEqual(byMac.flows);
    expect(byIp.flows.map((f) => [f.firstFrame, f.lastFrame])).toEqual([
      [34, 43],
      [44, 55],
    ]);
  });
});

describe('flows.pcapng redacted', () => {
  it('is the golden redacted export, whose checksums tshark finds good', async () => {
    const { bytes } = await exportOf(true);
    if (process.env.UPXRAY_WRITE_GOLDEN) writeFileSync(GOLDEN_REDACTED, bytes);
    expect(bytes.equals(readFileSync(GOLDEN_REDACTED))).toBe(true);
    const rows = oracle('mixed-forbidden-acl.redacted.flows.tshark.txt');
    expect(rows).toHaveLength(22);
    // ip.checksum.status and tcp.checksum.status: 1 is Good.
    for (const row of rows) expect([row[3], row[4]]).toEqual(['1', '1']);
    expect(new Set(rows.flatMap((row) => [row[1], row[2]]))).not.toContain('10.99.2.123');
  });

  it('keeps lengths, ports and sequence numbers, and every IP and TCP checksum verifies', async () => {
    const { pcap } = await exportOf(true);
    const original = await readAll(MIXED);
    const exported = await readAll(GOLDEN_REDACTED);
    exported.forEach((rec, i) => {
      const o = original[pcap.frames[i] - 1];
      expect(rec.data.length).toBe(o.data.length);
      // Ports, sequence and acknowledgment numbers: bytes 34-41 after a 14-byte Ethernet and 20-byte IPv4 header.
      expect(rec.data.subarray(34, 46).equals(o.data.subarray(34, 46))).toBe(true);
      expect(rec.data.subarray(26, 34).equals(o.data.subarray(26, 34))).toBe(false);
      const c = checksumsVerify(rec.data);
      expect(c).toEqual({ ip: true, transport: true });
      expect(checksumsVerify(o.data)).toEqual({ ip: true, transport: true });
    });
  });
});
