// HTTP/1.x messages as the parser delivers them (RFC 9112), with the frames
// that carried them so every message can be found in Wireshark.
import type { DecodeError } from '../net/decode-error.js';

/** A header line as sent: name case and order kept. */
export interface HttpHeader {
  name: string;
  value: string;
}

interface HttpMessageBase {
  /** 'HTTP/1.1' or 'HTTP/1.0'. */
  version: string;
  headers: HttpHeader[];
  /** Trailer fields of a chunked body. */
  trailers: HttpHeader[];
  /** Frame holding the first byte of the message (tshark's frame for a one-segment message). */
  firstFrame: number;
  /** Frame in which the message completes, where tshark shows it. */
  frame: number;
  /** Capture timestamps of firstFrame and frame, in ns since the epoch. */
  startNs: bigint;
  endNs: bigint;
  /** Stream offsets of the first byte and one past the last byte of the message. */
  streamStart: number;
  streamEnd: number;
  /**
   * Entity body length as sent, after removing chunked framing, before content decoding.
   * For a body cut by a gap or an early end, the bytes that did arrive.
   */
  bodySize: number;
  /**
   * The body after removing chunked framing (not content-decoded), when the
   * parser was asked to keep bodies and it fit the cap; undefined otherwise.
   */
  body?: Uint8Array;
  /** Hex sha256 of the body as sent (de-chunked, not content-decoded). */
  bodySha256: string;
  /** False when the body ended early (gap, connection closed before Content-Length). */
  complete: boolean;
  /** Protocol anomalies met while parsing this message. */
  notes: DecodeError[];
}

export interface HttpRequest extends HttpMessageBase {
  type: 'request';
  method: string;
  /** The request target as Wireshark shows it (up to the first space). */
  uri: string;
  /** The whole target between method and version, only when it holds spaces (a malformed request line). */
  rawTarget?: string;
}

export interface HttpResponse extends HttpMessageBase {
  type: 'response';
  status: number;
  reason: string;
}

export type HttpMessage = HttpRequest | HttpResponse;

/**
 * The empty lists most messages and exchanges have (no trailers, no notes, no
 * interim responses): one frozen array shared by all, instead of one per
 * message kept for the whole report. Frozen, so a push into one fails loudly.
 */
export const NO_HEADERS = Object.freeze([]) as unknown as HttpHeader[];
export const NO_NOTES = Object.freeze([]) as unknown as DecodeError[];
export const NO_RESPONSES = Object.freeze([]) as unknown as HttpResponse[];

/** Case-insensitive header lookup: the first value, or undefined. */
export function headerValue(headers: readonly HttpHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (let i = 0; i < headers.length; i++) {
    // Lengths first: lowercasing every name of every message is not free.
    const n = headers[i].name;
    if (n.length === lower.length && n.toLowerCase() === lower) return headers[i].value;
  }
  return undefined;
}
