// pcap-parser, the project's first classic-pcap reader, kept as an
// independent reference: on every microsecond pcap it can read, our own reader
// (which replaced it for speed and memory, see README) must give the very same
// records: count, timestamps, lengths and bytes.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pcapParser from 'pcap-parser';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import { records } from '../../src/capture/records.js';
import { CAPTURES } from '../helpers/cli.js';

interface Rec {
  ns: bigint;
  capLen: number;
  origLen: number;
  sha: string;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Classic pcap with the microsecond magic in either byte order: what pcap-parser reads. */
function microsecondPcaps(): string[] {
  const out: string[] = [];
  for (const dir of [CAPTURES, join(CAPTURES, 'derived')]) {
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.pcap')) continue;
      const head = readFileSync(join(dir, f)).subarray(0, 4).toString('hex');
      if (head === 'd4c3b2a1' || head === 'a1b2c3d4') out.push(join(dir, f));
    }
  }
  return out;
}

function viaPcapParser(path: string): Promise<Rec[]> {
  return new Promise((resolve, reject) => {
    const recs: Rec[] = [];
    const p = pcapParser.parse(path);
    p.on('packet', (pkt: { header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number }; data: Buffer }) => {
      const h = pkt.header;
      recs.push({
        ns: BigInt(h.timestampSeconds) * 1_000_000_000n + BigInt(h.timestampMicroseconds) * 1000n,
        capLen: h.capturedLength,
        origLen: h.originalLength,
        sha: sha(pkt.data),
      });
    });
    p.on('end', () => resolve(recs));
    p.on('error', reject);
  });
}

async function viaUpxray(path: string): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const r of records(await openCapture(path))) out.push({ ns: r.timestampNs, capLen: r.data.length, origLen: r.origLen, sha: sha(r.data) });
  return out;
}

// Files our reader reads further or stops earlier on purpose (pcap-parser trusts lengths and says nothing).
const BROKEN = /cut-|trailing-bytes|incl-len-|empty|html|short-header/;

describe('our classic pcap reader against pcap-parser', () => {
  const files = microsecondPcaps().filter((f) => !BROKEN.test(f));
  it('has files to compare', () => expect(files.length).toBeGreaterThan(20));
  it.each(files.map((f) => [f.slice(CAPTURES.length), f]))('%s', async (_name, path) => {
    const [ref, ours] = await Promise.all([viaPcapParser(path), viaUpxray(path)]);
    expect(ours.length).toBe(ref.length);
    expect(ours).toEqual(ref);
  });
});
