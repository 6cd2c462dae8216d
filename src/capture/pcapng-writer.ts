// Writes pcapng (draft-ietf-opsawg-pcapng) that Wireshark and tshark read:
// one Section Header Block, an Interface Description Block per link type, and
// Enhanced Packet Blocks with nanosecond timestamps and optional comments.
// Used by live capture (--write) and ticket export (flows.pcapng). Little-endian.

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_TSRESOL = 9;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Options block: each (code, value) padded to 4 bytes, then opt_endofopt. Empty when none. */
function options(opts: Array<[number, Uint8Array]>): Buffer {
  if (opts.length === 0) return Buffer.alloc(0);
  const size = opts.reduce((n, [, v]) => n + 4 + pad4(v.length), 0) + 4;
  const b = Buffer.alloc(size);
  let o = 0;
  for (const [code, v] of opts) {
    b.writeUInt16LE(code, o);
    b.writeUInt16LE(v.length, o + 2);
    b.set(v, o + 4);
    o += 4 + pad4(v.length);
  }
  b.writeUInt16LE(OPT_ENDOFOPT, o);
  return b;
}

function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  body.copy(b, 8);
  b.writeUInt32LE(total, total - 4);
  return b;
}

/** Longest comment written: option lengths are 16-bit. */
const MAX_COMMENT = 65_000;

function utf8(text: string): Buffer {
  const b = Buffer.from(text, 'utf8');
  return b.length > MAX_COMMENT ? b.subarray(0, MAX_COMMENT) : b;
}

export interface PcapngPacket {
  linkType: number;
  timestampNs: bigint;
  data: Uint8Array;
  /** On-the-wire length, when larger than data (snap length cut). */
  origLen?: number;
  comments?: string[];
}

/**
 * Turns packets into pcapng bytes, block by block: `header()` once, then
 * `packet()` for each packet (it returns the IDB too when a link type is new).
 */
export class PcapngWriter {
  private readonly interfaces = new Map<number, number>();

  constructor(
    private readonly app = 'upxray',
    private readonly snapLen = 262144,
  ) {}

  header(comment?: string): Buffer {
    const body = Buffer.alloc(16);
    body.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
    body.writeUInt16LE(1, 4);
    body.writeUInt16LE(0, 6);
    // Section length unknown (-1): we stream.
    body.writeInt32LE(-1, 8);
    body.writeInt32LE(-1, 12);
    const opts: Array<[number, Uint8Array]> = [[SHB_USERAPPL, utf8(this.app)]];
    if (comment) opts.unshift([OPT_COMMENT, utf8(comment)]);
    return block(BT_SHB, Buffer.concat([body, options(opts)]));
  }

  packet(p: PcapngPacket): Buffer {
    const parts: Buffer[] = [];
    let ifId = this.interfaces.get(p.linkType);
    if (ifId === undefined) {
      ifId = this.interfaces.size;
      this.interfaces.set(p.linkType, ifId);
      const idb = Buffer.alloc(8);
      idb.writeUInt16LE(p.linkType, 0);
      idb.writeUInt32LE(this.snapLen, 4);
      parts.push(block(BT_IDB, Buffer.concat([idb, options([[IF_TSRESOL, Uint8Array.of(9)]])])));
    }
    const head = Buffer.alloc(20);
    const ts = p.timestampNs < 0n ? 0n : p.timestampNs;
    head.writeUInt32LE(ifId, 0);
    head.writeUInt32LE(Number((ts >> 32n) & 0xffffffffn), 4);
    head.writeUInt32LE(Number(ts & 0xffffffffn), 8);
    head.writeUInt32LE(p.data.length, 12);
    head.writeUInt32LE(Math.max(p.origLen ?? p.data.length, p.data.length), 16);
    const data = Buffer.alloc(pad4(p.data.length));
    data.set(p.data);
    const opts = options((p.comments ?? []).map((c): [number, Uint8Array] => [OPT_COMMENT, utf8(c)]));
    parts.push(block(BT_EPB, Buffer.concat([head, data, opts])));
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }
}
