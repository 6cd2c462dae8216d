// What the capture holds and lacks is reported with the exchanges: frames
// per link type, IP fragments, TCP holes, and frames upxray could not decode.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPTURES, cli } from '../helpers/cli.js';
import type { FlowsDocument } from '../../src/report/flows-json.js';

async function flows(path: string): Promise<FlowsDocument> {
  const r = await cli(['flows', '--json', path]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as FlowsDocument;
}

describe('capture health', () => {
  it('counts IP fragments and the datagrams made from them', async () => {
    // tshark lists four reassembled UDP datagrams (frames 9, 15, 18, 21), three fragments each.
    const doc = await flows(join(CAPTURES, 'udp-fragments.pcap'));
    expect(doc.captures[0].stats.ipFragments).toEqual({ fragments: 12, reassembled: 4, incomplete: 0 });
    expect(doc.captures[0].stats.linkTypes).toEqual({ '1': 34 });
  });

  it('reports the holes a lossy mirror port left, as tshark flags them', async () => {
    // tshark -Y tcp.analysis.lost_segment flags frames 127 and 161: two holes.
    const doc = await flows(join(CAPTURES, 'tcp-lossy-mirror.pcap'));
    expect(doc.captures[0].stats.tcp.gaps).toBe(2);
    expect(doc.captures[0].stats.tcp.gapBytes).toBe(2 * 1448);
    expect(doc.warnings.map((w) => w.code)).toContain('tcp.capture-holes');
    const text = await cli(['flows', join(CAPTURES, 'tcp-lossy-mirror.pcap')]);
    expect(text.stdout).toMatch(/2 hole\(s\) \(2896 bytes not captured\)/);
  });

  it('reports no holes in a whole capture', async () => {
    const doc = await flows(join(CAPTURES, 'tcp-reordered.pcap'));
    expect(doc.captures[0].stats.tcp.gaps).toBe(0);
    expect(doc.captures[0].stats.tcp.outOfOrder).toBeGreaterThan(0);
    expect(doc.warnings).toEqual([]);
  });

  it('counts an unknown link type and says so, without failing', async () => {
    // No tool here writes LINKTYPE_USER0 (147): take a real capture and relabel its link type.
    const dir = mkdtempSync(join(tmpdir(), 'upxray-link-'));
    try {
      const bytes = Buffer.from(readFileSync(join(CAPTURES, 'derived', 'http-lo.pcap')));
      bytes.writeUInt32LE(147, 20);
      const path = join(dir, 'user0.pcap');
      writeFileSync(path, bytes);
      const doc = await flows(path);
      expect(doc.exchanges).toEqual([]);
      expect(doc.captures[0].stats.unknownLinkTypes).toEqual({ '147': 12 });
      expect(doc.warnings.map((w) => w.code)).toEqual(['link.unknown-link-type']);
      expect(doc.warnings[0].detail).toMatch(/12 frame\(s\) of link type 147/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
