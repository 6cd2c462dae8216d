// Every decoder, on arbitrary bytes, returns a value or an error value: no
// exception escapes (a throw would be an upxray bug, not bad input).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import type { Decoded } from '../../src/net/decode-error.js';
import { decodeEthernet } from '../../src/net/ethernet.js';
import { decodeIpv4 } from '../../src/net/ipv4.js';
import { decodeIpv6 } from '../../src/net/ipv6.js';
import { decodeLoop, decodeNull } from '../../src/net/null.js';
import { decodeRaw } from '../../src/net/raw.js';
import { decodeSll, decodeSll2 } from '../../src/net/sll.js';
import { decodeTcp } from '../../src/net/tcp.js';
import { decodeUdp } from '../../src/net/udp.js';
import { decodeVlanStack } from '../../src/net/vlan.js';
import { decodeDns, DnsTcpStream } from '../../src/net/dns.js';
import { decodeDhcp } from '../../src/net/dhcp.js';
import { FrameDecoder } from '../../src/net/frame-decoder.js';
import { ChunkedDecoder } from '../../src/http/chunked.js';
import { decodeContent } from '../../src/http/content-decoding.js';
import { decodeUpx } from '../../src/dus/upx-codec.js';
import { RecordReader } from '../../src/tls/record.js';
import { openCapture } from '../../src/capture/open.js';
import { CaptureError } from '../../src/capture/source.js';
import type { VlanTag } from '../../src/net/packet.js';

const RUNS = 400;
const bytes = (maxLength = 512) => fc.uint8Array({ maxLength });
const CODE = /^[a-z0-9-]+\.[a-z0-9-]+$/;

/** A value, or an error with a dotted code: the shape every decoder promises. */
function wellFormed<T>(r: Decoded<T>): void {
  expect(typeof r.ok).toBe('boolean');
  if (!r.ok) expect(r.error.code).toMatch(CODE);
}

describe('decoders never throw on arbitrary bytes', () => {
  it('link layers', () => {
    fc.assert(
      fc.property(bytes(), fc.nat(64), (b, off) => {
        for (const d of [decodeEthernet, decodeNull, decodeLoop, decodeRaw, decodeSll, decodeSll2]) wellFormed(d(b, off));
        const tags: VlanTag[] = [];
        wellFormed(decodeVlanStack(b, off, 0x8100, tags));
      }),
      { numRuns: RUNS },
    );
  });

  it('IPv4 and IPv6', () => {
    fc.assert(
      fc.property(bytes(), fc.nat(64), (b, off) => {
        wellFormed(decodeIpv4(b, off));
        wellFormed(decodeIpv6(b, off));
        wellFormed(decodeIpv4(b, off, Math.max(off, b.length - 3)));
      }),
      { numRuns: RUNS },
    );
  });

  it('TCP and UDP, whatever the claimed lengths', () => {
    fc.assert(
      fc.property(bytes(), fc.nat(64), fc.integer({ min: -10, max: 70000 }), (b, off, claimed) => {
        wellFormed(decodeTcp(b, off, b.length, claimed, []));
        wellFormed(decodeUdp(b, off, b.length, claimed, []));
      }),
      { numRuns: RUNS },
    );
  });

  it('whole frames of every link type, and fragments across frames', () => {
    const linkTypes = [0, 1, 101, 108, 113, 276, 228, 229, 147, 65535];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...linkTypes), bytes(200)), { maxLength: 20 }), (recs) => {
        const d = new FrameDecoder();
        recs.forEach(([linkType, data], i) => {
          const f = d.decode({ frame: i + 1, timestampNs: BigInt(i), linkType, origLen: data.length, data });
          expect(f.frame).toBe(i + 1);
          if (f.stopError) expect(f.stopError.code).toMatch(CODE);
        });
        d.flush();
      }),
      { numRuns: RUNS },
    );
  });

  it('DNS (UDP, TCP, TCP stream) and DHCP', () => {
    fc.assert(
      fc.property(bytes(700), (b) => {
        wellFormed(decodeDns(b));
        wellFormed(decodeDns(b, { tcp: true }));
        new DnsTcpStream().push(b, [{ frame: 1, timestampNs: 0n, streamOffset: 0, length: b.length }]);
        wellFormed(decodeDhcp(b));
      }),
      { numRuns: RUNS },
    );
  });

  it('chunked framing, fed one piece at a time', () => {
    fc.assert(
      fc.property(fc.array(bytes(64), { maxLength: 10 }), (pieces) => {
        const c = new ChunkedDecoder();
        for (const p of pieces) {
          const step = c.decode(p, 0, p.length, (a, z) => expect(z).toBeGreaterThanOrEqual(a));
          expect(step.next).toBeLessThanOrEqual(p.length);
          if (step.error || step.done) break;
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('content codings, with the output cap kept', () => {
    fc.assert(
      fc.property(bytes(), fc.constantFrom('gzip', 'deflate', 'br', 'gzip, br', 'identity', 'zstd'), (b, coding) => {
        const r = decodeContent(b, coding, 4096);
        if (r.ok) expect(r.bytes.length).toBeLessThanOrEqual(4096);
        else expect(r.error.code).toMatch(CODE);
      }),
      { numRuns: RUNS },
    );
  });

  it('upx bodies: bytes, and XML-looking text', () => {
    const xmlish = fc
      .array(fc.constantFrom('<', '>', '/', '=', '"', 'Request', 'Response', 'File', ' a', '&lt;', '&x;', '<?xml version="1.0"?>', '<!DOCTYPE', '\u001b', 'é', '\u0000'), {
        maxLength: 60,
      })
      .map((parts) => new Uint8Array(Buffer.from(parts.join(''), 'utf8')));
    fc.assert(
      fc.property(fc.oneof(bytes(), xmlish), fc.constantFrom(undefined, 'request', 'response'), (b, kind) => {
        const r = kind ? decodeUpx(b, { kind }) : decodeUpx(b);
        wellFormed(r);
        if (!r.ok) expect(r.error.code).not.toBe('upx.internal');
      }),
      { numRuns: RUNS },
    );
  });

  it('TLS records, in pieces and with holes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(bytes(64), fc.nat(8)), { maxLength: 12 }), (pieces) => {
        const r = new RecordReader();
        let off = 0;
        for (const [p, skip] of pieces) {
          off += skip;
          for (const e of r.push(p, off)) expect(['record', 'lost', 'skipped', 'error']).toContain(e.kind);
          off += p.length;
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('capture files: a source or a one-line CaptureError, nothing else', async () => {
    const magics = [[0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4], [0x0a, 0x0d, 0x0d, 0x0a], [0x1f, 0x8b], [0x4d, 0x3c, 0xb2, 0xa1]];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...magics), bytes(300), async (magic, rest) => {
        const input = Buffer.concat([Buffer.from(magic), Buffer.from(rest)]);
        try {
          const src = await openCapture('-', { stdin: Readable.from([input]) });
          for await (const batch of src.batches()) expect(Array.isArray(batch)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(CaptureError);
          expect((e as Error).message).not.toContain('\n');
        }
      }),
      { numRuns: 150 },
    );
  });
});
