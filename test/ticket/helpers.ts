// Shared by the ticket tests: the fixture capture, reading records back, and
// an independent Internet checksum (RFC 1071) to judge rewritten packets.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openCapture } from '../../src/capture/open.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const MIXED = `${FIXTURES}mixed-forbidden-acl.pcap`;

export interface Rec {
  frame: number;
  timestampNs: bigint;
  linkType: number;
  origLen: number;
  data: Buffer;
  comments: string[];
}

export async function readAll(path: string): Promise<Rec[]> {
  const src = await openCapture(path);
  const out: Rec[] = [];
  for await (const batch of src.batches()) {
    for (const r of batch)
      out.push({ frame: r.frame, timestampNs: r.timestampNs, linkType: r.linkType, origLen: r.origLen, data: Buffer.from(r.data), comments: r.comments ?? [] });
  }
  return out;
}

export function oracle(name: string): string[][] {
  return readFileSync(`${FIXTURES}${name}`, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

/** RFC 1071 sum over whole 16-bit words, then complemented. */
function rfc1071(parts: Uint8Array[]): number {
  let sum = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i += 2) sum += (p[i] << 8) + (i + 1 < p.length ? p[i + 1] : 0);
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

/** Whether an Ethernet/IPv4 packet's IP header checksum and TCP/UDP checksum verify (sum of all words = 0xffff). */
export function checksumsVerify(frame: Buffer): { ip: boolean; transport: boolean | undefined } {
  const ip = 14;
  const ihl = (frame[ip] & 15) * 4;
  const total = frame.readUInt16BE(ip + 2);
  const ipOk = rfc1071([frame.subarray(ip, ip + ihl)]) === 0xffff;
  const proto = frame[ip + 9];
  if (proto !== 6 && proto !== 17) return { ip: ipOk, transport: undefined };
  const seg = frame.subarray(ip + ihl, ip + total);
  if (proto === 17 && seg.readUInt16BE(6) === 0) return { ip: ipOk, transport: undefined };
  const pseudo = Buffer.alloc(12);
  frame.copy(pseudo, 0, ip + 12, ip + 20);
  pseudo[9] = proto;
  pseudo.writeUInt16BE(seg.length, 10);
  return { ip: ipOk, transport: rfc1071([pseudo, seg]) === 0xffff };
}
