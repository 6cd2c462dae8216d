// Every decoder, fed every truncation (and every single-byte corruption) of
// every real frame, returns a value or an error and never throws (Wireshark's
// "must not cause an exception", node_pcap's shouldBehaveLikeADecoder).
import { describe, expect, it } from 'vitest';
import type { Decoded, DecodeError } from '../../src/net/decode-error.js';
import { decodeEthernet } from '../../src/net/ethernet.js';
import { FrameDecoder } from '../../src/net/frame-decoder.js';
import { decodeIpv4 } from '../../src/net/ipv4.js';
import { decodeIpv6 } from '../../src/net/ipv6.js';
import { decodeLoop, decodeNull } from '../../src/net/null.js';
import { decodeRaw } from '../../src/net/raw.js';
import { decodeSll, decodeSll2 } from '../../src/net/sll.js';
import { decodeTcp } from '../../src/net/tcp.js';
import { decodeUdp } from '../../src/net/udp.js';
import { decodeVlanStack } from '../../src/net/vlan.js';
import type { DecodedFrame } from '../../src/net/packet.js';
import { readFixture, withData } from './helpers.js';

const FIXTURES = ['lo4.pcap', 'lo6.pcap', 'sll1.pcap', 'sll2.pcap', 'frag4.pcap', 'frag6.pcap', 'snap.pcap', 'pad.pcap'];
const CODE = /^[a-z0-9-]+\.[a-z0-9-]+$/;

/** An error names a code and a byte in the frame (or the start of a header that is missing). */
function checkError(e: DecodeError, length: number, start: number): void {
  expect(e.code).toMatch(CODE);
  expect(e.offset).toBeGreaterThanOrEqual(0);
  expect(e.offset).toBeLessThanOrEqual(Math.max(length, start));
}

/** A result is either a value or a well-formed error. */
function checkDecoded<T>(r: Decoded<T>, length: number, start = 0): void {
  if (r.ok) expect(r.value).toBeDefined();
  else checkError(r.error, length, start);
}

function checkFrame(f: DecodedFrame, data: Uint8Array): void {
  expect(f.capLen).toBe(data.length);
  if (f.stopError) {
    expect(f.stopError.code).toMatch(CODE);
    expect(f.stopError.frame).toBe(f.frame);
  }
  for (const n of f.notes) expect(n.code).toMatch(CODE);
  // A view into this frame never reaches past it (reassembled payloads are their own buffers).
  if (f.payload.buffer === data.buffer) {
    expect(f.payload.byteOffset + f.payload.length).toBeLessThanOrEqual(data.byteOffset + data.length);
  }
}

/** Each layer decoder at the offsets it would be called at for this link type. */
function everyDecoder(data: Uint8Array, linkType: number): void {
  const n = data.length;
  checkDecoded(decodeEthernet(data, 0), n);
  checkDecoded(decodeSll(data, 0), n);
  checkDecoded(decodeSll2(data, 0), n);
  checkDecoded(decodeNull(data, 0), n);
  checkDecoded(decodeLoop(data, 0), n);
  checkDecoded(decodeRaw(data, 0), n);
  checkDecoded(decodeVlanStack(data, 0, 0x8100, []), n);
  const ipAt = linkType === 1 ? 14 : linkType === 113 ? 16 : 20;
  for (const d of [decodeIpv4(data, ipAt), decodeIpv6(data, ipAt)]) {
    checkDecoded(d, n, ipAt);
    if (!d.ok) continue;
    const { payloadOffset, payloadEnd, header } = d.value;
    expect(payloadEnd).toBeLessThanOrEqual(n);
    expect(payloadOffset).toBeLessThanOrEqual(payloadEnd + 40);
    checkDecoded(decodeTcp(data, payloadOffset, payloadEnd, header.payloadLength, []), n, payloadOffset);
    checkDecoded(decodeUdp(data, payloadOffset, payloadEnd, header.payloadLength, []), n, payloadOffset);
  }
}

describe.each(FIXTURES)('conformance: %s', (name) => {
  const records = readFixture(name);

  it('every truncation of every frame decodes to a value or a stopError', () => {
    const dec = new FrameDecoder();
    let stopped = 0;
    for (const rec of records) {
      for (let len = 0; len <= rec.data.length; len++) {
        const data = rec.data.subarray(0, len);
        everyDecoder(data, rec.linkType);
        // As a snap-length cut (origLen kept) and as a frame that is just short.
        for (const origLen of [rec.origLen, len]) {
          const f = dec.decode({ ...rec, data, origLen });
          checkFrame(f, data);
          if (f.stopError) stopped++;
        }
      }
      // The whole frame decodes cleanly.
      const whole = dec.decode(rec);
      expect(whole.stopError).toBeUndefined();
    }
    // Cutting inside the link, IP and transport headers must stop frames.
    expect(stopped).toBeGreaterThan(records.length * 2 * 20);
    dec.flush();
    expect(dec.stats.frames).toBe(records.reduce((n, r) => n + 2 * (r.data.length + 1) + 1, 0));
  });

  it('every single-byte corruption decodes without throwing', () => {
    const dec = new FrameDecoder();
    for (const rec of records) {
      for (let i = 0; i < Math.min(rec.data.length, 120); i++) {
        for (const v of [0x00, 0xff, rec.data[i] ^ 0x0f]) {
          const data = Uint8Array.from(rec.data);
          data[i] = v;
          everyDecoder(data, rec.linkType);
          checkFrame(dec.decode(withData(rec, data)), data);
        }
      }
    }
    expect(dec.stats.frames).toBeGreaterThan(0);
  });
});
