// TCP header (RFC 9293 section 3.1) and the options an analyzer needs to
// follow a connection: MSS (RFC 9293 3.2), window scale and timestamps
// (RFC 7323), SACK-permitted and SACK blocks (RFC 2018). The option walk is
// bounded by the header length; a malformed option stops the walk with a note
// but keeps the segment, as the sequence numbers and payload are still good.
import { decodeError, fail, ok, type Decoded, type DecodeError } from './decode-error.js';
import type { TcpOptions, TcpSegment } from './packet.js';

export const TCP_MIN_HEADER_LENGTH = 20;

export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WINDOW_SCALE = 3;
export const TCPOPT_SACK_PERMITTED = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;

/** The options of every header without any (most segments): shared, so frozen. */
export const NO_TCP_OPTIONS: TcpOptions = Object.freeze({});

function u32(b: Uint8Array, o: number): number {
  return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}

/**
 * Decode the TCP header at `offset`, with `end` the end of the captured
 * segment and `segmentLength` the length the IP header claims for it.
 * Option anomalies go to `notes`.
 */
export function decodeTcp(
  data: Uint8Array,
  offset: number,
  end: number,
  segmentLength: number,
  notes?: DecodeError[],
): Decoded<TcpSegment> {
  const available = end - offset;
  if (available < TCP_MIN_HEADER_LENGTH) {
    return fail(
      decodeError('tcp', 'tcp.header-too-short', offset, {
        required: TCP_MIN_HEADER_LENGTH,
        available: Math.max(0, available),
        lenSource: 'slice',
      }),
    );
  }
  const dataOffset = data[offset + 12] >> 4;
  const headerLength = dataOffset * 4;
  if (dataOffset < 5) {
    return fail(
      decodeError('tcp', 'tcp.bad-data-offset', offset + 12, {
        required: TCP_MIN_HEADER_LENGTH,
        available: headerLength,
        lenSource: 'tcp.data-offset',
        detail: `data offset ${dataOffset} is below 5`,
      }),
    );
  }
  if (headerLength > segmentLength) {
    return fail(
      decodeError('tcp', 'tcp.bad-data-offset', offset + 12, {
        required: headerLength,
        available: segmentLength,
        lenSource: 'ip.payload-length',
        detail: `header length ${headerLength} exceeds the segment length ${segmentLength}`,
      }),
    );
  }
  if (headerLength > available) {
    return fail(
      decodeError('tcp', 'tcp.header-too-short', offset, {
        required: headerLength,
        available,
        lenSource: 'tcp.data-offset',
      }),
    );
  }
  let options = NO_TCP_OPTIONS;
  if (headerLength > TCP_MIN_HEADER_LENGTH) {
    options = {};
    decodeTcpOptions(data, offset + TCP_MIN_HEADER_LENGTH, offset + headerLength, options, notes);
  }
  return ok({
    srcPort: (data[offset] << 8) | data[offset + 1],
    dstPort: (data[offset + 2] << 8) | data[offset + 3],
    seq: u32(data, offset + 4),
    ack: u32(data, offset + 8),
    // The low bits of byte 12 hold the old NS/AE bit; flags proper are byte 13.
    flags: data[offset + 13],
    window: (data[offset + 14] << 8) | data[offset + 15],
    headerLength,
    options,
    payload: data.subarray(offset + headerLength, end),
    payloadLength: segmentLength - headerLength,
  });
}

function optionNote(code: string, at: number, detail: string): DecodeError {
  return decodeError('tcp', code, at, { detail });
}

/** Walk options in [start, end) into `out`. Every step advances, so the walk ends. */
export function decodeTcpOptions(
  data: Uint8Array,
  start: number,
  end: number,
  out: TcpOptions,
  notes?: DecodeError[],
): void {
  let off = start;
  while (off < end) {
    const kind = data[off];
    if (kind === TCPOPT_EOL) return;
    if (kind === TCPOPT_NOP) {
      off++;
      continue;
    }
    if (off + 1 >= end) {
      notes?.push(
        decodeError('tcp', 'tcp.option-truncated', off, {
          required: 2,
          available: end - off,
          lenSource: 'tcp.data-offset',
          detail: `option ${kind} has no length byte`,
        }),
      );
      return;
    }
    const len = data[off + 1];
    if (len < 2) {
      // A length of 0 or 1 would not advance the walk (a classic hang).
      notes?.push(optionNote('tcp.bad-option-length', off, `option ${kind} has length ${len}`));
      return;
    }
    if (off + len > end) {
      notes?.push(
        decodeError('tcp', 'tcp.option-truncated', off, {
          required: len,
          available: end - off,
          lenSource: 'tcp.data-offset',
          detail: `option ${kind} runs past the header`,
        }),
      );
      return;
    }
    const v = off + 2;
    switch (kind) {
      case TCPOPT_MSS:
        if (len === 4) out.mss = (data[v] << 8) | data[v + 1];
        else notes?.push(optionNote('tcp.bad-option-length', off, `MSS option length ${len}`));
        break;
      case TCPOPT_WINDOW_SCALE:
        if (len === 3) out.windowScale = data[v];
        else notes?.push(optionNote('tcp.bad-option-length', off, `window scale option length ${len}`));
        break;
      case TCPOPT_SACK_PERMITTED:
        if (len === 2) out.sackPermitted = true;
        else notes?.push(optionNote('tcp.bad-option-length', off, `SACK-permitted option length ${len}`));
        break;
      case TCPOPT_SACK:
        if (len >= 10 && (len - 2) % 8 === 0) {
          const blocks: Array<[number, number]> = [];
          for (let b = v; b < off + len; b += 8) blocks.push([u32(data, b), u32(data, b + 4)]);
          out.sack = blocks;
        } else {
          notes?.push(optionNote('tcp.bad-option-length', off, `SACK option length ${len}`));
        }
        break;
      case TCPOPT_TIMESTAMP:
        if (len === 10) out.timestamp = [u32(data, v), u32(data, v + 4)];
        else notes?.push(optionNote('tcp.bad-option-length', off, `timestamp option length ${len}`));
        break;
      default:
        break; // other options (MD5, TFO, MPTCP...) are skipped by their length
    }
    off += len;
  }
}
