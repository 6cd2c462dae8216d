// Byte builders for hostile captures: raw IPv4 (LINKTYPE_RAW) frames with TCP
// or fragment headers, wrapped in a classic pcap file. Checksums are left at
// zero: nothing in upxray checks them, as with offloaded captures.
const u16 = (v: number) => [(v >>> 8) & 0xff, v & 0xff];
const u32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const ip4 = (a: string) => a.split('.').map(Number);

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

export function bytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

export interface Ipv4Opts {
  src: string;
  dst: string;
  protocol: number;
  id?: number;
  moreFragments?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragmentOffset?: number;
}

export function ipv4(o: Ipv4Opts, payload: Uint8Array): Uint8Array {
  const flags = (o.moreFragments ? 0x2000 : 0) | ((o.fragmentOffset ?? 0) >>> 3);
  const h = [0x45, 0, ...u16(20 + payload.length), ...u16(o.id ?? 1), ...u16(flags), 64, o.protocol, 0, 0, ...ip4(o.src), ...ip4(o.dst)];
  const out = new Uint8Array(20 + payload.length);
  out.set(h, 0);
  out.set(payload, 20);
  return out;
}

export function tcp(sport: number, dport: number, seq: number, ack: number, flags: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = [...u16(sport), ...u16(dport), ...u32(seq >>> 0), ...u32(ack >>> 0), 0x50, flags, ...u16(65535), 0, 0, 0, 0];
  const out = new Uint8Array(20 + payload.length);
  out.set(h, 0);
  out.set(payload, 20);
  return out;
}

/** A classic pcap file (microseconds, big-endian) of raw-IP frames. */
export function pcap(frames: Uint8Array[], linkType = 101): Uint8Array {
  const parts: number[][] = [[...u32(0xa1b2c3d4), ...u16(2), ...u16(4), ...u32(0), ...u32(0), ...u32(262144), ...u32(linkType)]];
  const chunks: Uint8Array[] = [new Uint8Array(parts[0])];
  frames.forEach((f, i) => {
    chunks.push(new Uint8Array([...u32(1_700_000_000), ...u32(i * 1000), ...u32(f.length), ...u32(f.length)]));
    chunks.push(f);
  });
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * One TCP connection as raw-IP frames: handshake, then each message of
 * `messages` sent by its side in one segment, then FINs.
 */
export function conversation(messages: Array<{ from: 'client' | 'server'; data: Uint8Array }>, client = '10.0.0.1', server = '10.0.0.2'): Uint8Array[] {
  const cp = 50000;
  const sp = 80;
  let cseq = 1000;
  let sseq = 5000;
  const c = (flags: number, data?: Uint8Array) => ipv4({ src: client, dst: server, protocol: 6 }, tcp(cp, sp, cseq, sseq, flags, data));
  const s = (flags: number, data?: Uint8Array) => ipv4({ src: server, dst: client, protocol: 6 }, tcp(sp, cp, sseq, cseq, flags, data));
  const out = [ipv4({ src: client, dst: server, protocol: 6 }, tcp(cp, sp, cseq - 1, 0, SYN)), ipv4({ src: server, dst: client, protocol: 6 }, tcp(sp, cp, sseq - 1, cseq, SYN | ACK)), c(ACK)];
  for (const m of messages) {
    if (m.from === 'client') {
      out.push(c(ACK | PSH, m.data));
      cseq += m.data.length;
    } else {
      out.push(s(ACK | PSH, m.data));
      sseq += m.data.length;
    }
  }
  out.push(c(FIN | ACK));
  cseq++;
  out.push(s(FIN | ACK));
  sseq++;
  out.push(c(ACK));
  return out;
}
