// A push parser for one direction of an HTTP/1.x connection (RFC 9112), fed
// the reassembled byte stream in whatever pieces TCP delivered it, in the
// manner of llhttp and pg-protocol: push() returns the messages that completed
// and keeps only what it must (a partial head, at most 64 KiB; a resync line;
// bodies only when asked). Message boundaries, once found, never move: the same
// bytes split at any point give the same messages.
//
// Body framing follows RFC 9112 section 6.3. A response needs the method of the
// request it answers (HEAD, CONNECT), which the exchange tracker queues with
// expectResponseTo(). After a gap or an unparseable head the parser looks for
// the next line that starts a message and carries on from there.
import * as crypto from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { DecodeError } from '../net/decode-error.js';
import { decodeError } from '../net/decode-error.js';
import type { FrameSpan, StreamEndReason } from '../reassembly/stream-event.js';
import { ChunkedDecoder } from './chunked.js';
import { NO_HEADERS, NO_NOTES, type HttpHeader, type HttpMessage, type HttpRequest, type HttpResponse } from './message.js';
import { intern, internField, internFieldList } from './intern.js';
import { knownHead, rememberHead, type ParsedHead } from './head-memo.js';
import { PENDING_SHA256, type OffThreadHasher } from './off-thread-hasher.js';
import { findMessageStart, latin1, parseRequestLine, parseStatusLine, type RequestLine, type StatusLine } from './start-line.js';

/** What the parser hands back: a complete message, or a problem between messages. */
export type HttpEvent =
  | { kind: 'message'; message: HttpMessage }
  /** `resumable`: the parser goes on (resynchronising); false once it has stopped. */
  | { kind: 'error'; error: DecodeError; resumable: boolean };

export interface Http1ParserOptions {
  /** Keep de-chunked bodies in messages. @default false */
  keepBodies?: boolean;
  /** Bodies larger than this are hashed and counted but not kept. @default 64 MiB */
  maxBodyBytes?: number;
  /** Largest head (start line and header section). @default 64 KiB */
  maxHeadBytes?: number;
  /** Most header lines in a head. @default 1000 */
  maxHeaders?: number;
  /** Start by searching for a message start (joined mid-stream). @default false */
  resync?: boolean;
  /** Called with the method and target as soon as a request head is parsed, before its body. */
  onRequestHead?: (method: string, uri: string) => void;
  /**
   * Which bodies keepBodies keeps (all, without it): asked at each head. A
   * body not kept is still counted, hashed and noted past maxBodyBytes.
   */
  keepBody?: KeepBody;
  /** Hash long bodies that are not kept on another thread (their bodySha256 is filled in later). */
  hasher?: OffThreadHasher;
}

/**
 * Whether a message's body is worth keeping: a request's by its own request
 * line (`status` undefined), a response's by its status and the request line
 * it answers (undefined when that is not known).
 */
export type KeepBody = (request: { method: string; uri: string } | undefined, status?: number) => boolean;

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_HEAD_BYTES = 64 * 1024;
export const DEFAULT_MAX_HEADERS = 1000;
/** Bytes of a line kept while resynchronising (a request-line longer than this is missed). */
const RESYNC_WINDOW = 16 * 1024;

/** Byte ranges up to this long are copied in a loop rather than through a view. */
const SHORT_COPY = 128;

/** A Content-Length value (15 digits keep it below 2^53). */
const CONTENT_LENGTH = /^[0-9]{1,15}$/;

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

// crypto.hash (Node 20.12 and later) digests bytes in one call, without the
// stream object createHash makes: a check-in's bodies are a few hundred bytes,
// and that object cost more than the hashing.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;

/** The sha256 of `bytes` as hex. */
function sha256Hex(bytes: Uint8Array): string {
  return oneShot ? oneShot('sha256', bytes, 'hex') : crypto.createHash('sha256').update(bytes).digest('hex');
}

/** What push(), gap() and end() return when nothing completed: shared, so frozen. */
const NO_EVENTS: readonly HttpEvent[] = Object.freeze([]);

type State = 'start' | 'head' | 'resync' | 'body-length' | 'body-chunked' | 'body-close' | 'tunnel' | 'ended';

type Head =
  | { type: 'request'; method: string; uri: string; rawTarget?: string; version: string }
  | { type: 'response'; status: number; reason: string; version: string };

/** The message being read: its head is parsed, its body is arriving. */
interface Current {
  head: Head;
  headers: HttpHeader[];
  trailers: HttpHeader[];
  notes: DecodeError[];
  streamStart: number;
  firstFrame: number;
  startNs: bigint;
  bodySize: number;
  hash: Hash | null;
  /** The body's id with the off-thread hasher, 0 when it is hashed here. */
  hashJob: number;
  /** The body so far in its first bodySize bytes (room to grow past them), while it is kept. */
  kept: Uint8Array | null;
  /** keepBodies: a note is due if the body passes maxBodyBytes (whether it was being kept or not). */
  capNote: boolean;
  complete: boolean;
  /** After this message the connection stops carrying HTTP (101, CONNECT 2xx). */
  tunnelAfter: boolean;
}

export class Http1Parser {
  readonly role: 'request' | 'response';
  private readonly keepBodies: boolean;
  private readonly maxBodyBytes: number;
  private readonly maxHeadBytes: number;
  private readonly maxHeaders: number;
  private readonly onRequestHead?: (method: string, uri: string) => void;
  private readonly keepBody?: KeepBody;
  private readonly hasher?: OffThreadHasher;

  private state: State;
  /** Stream offset of the next byte to arrive. */
  private pos = 0;
  private posKnown = false;
  private spans: FrameSpan[] = [];
  private lastFrame = 0;
  private lastNs = 0n;

  // Head accumulation (also the resync line buffer).
  private buf = new Uint8Array(0);
  private bufLen = 0;
  /** Stream offset of buf[0]. */
  private bufStart = 0;
  private lineStart = 0;
  private lineCount = 0;
  /** The start line of the head in progress, once headLine() has parsed it (null after a resync). */
  private startLine: RequestLine | StatusLine | null = null;
  private msgStart = 0;
  private msgFirstFrame = 0;
  private msgStartNs = 0n;
  /**
   * Earliest and latest frames of the message in progress, folded in from spans
   * already dropped. A message completes in the latest frame that carried any of
   * its bytes (a retransmission that fills a hole), as Wireshark reports it.
   */
  private accMinFrame = Infinity;
  private accMaxFrame = 0;
  private accMaxNs = 0n;

  private cur: Current | null = null;
  private remaining = 0;
  private chunked: ChunkedDecoder | null = null;
  /** Response parsers: the requests still to be answered, oldest first. */
  private readonly requests: Array<{ method: string; uri: string }> = [];
  /** Events of the call in progress; allocated only when one is emitted. */
  private out: HttpEvent[] | null = null;

  constructor(role: 'request' | 'response', opts: Http1ParserOptions = {}) {
    this.role = role;
    this.keepBodies = opts.keepBodies ?? false;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.maxHeadBytes = opts.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES;
    this.maxHeaders = opts.maxHeaders ?? DEFAULT_MAX_HEADERS;
    this.onRequestHead = opts.onRequestHead;
    this.keepBody = opts.keepBody;
    this.hasher = opts.hasher;
    this.state = opts.resync ? 'resync' : 'start';
  }

  /** Response parsers: the next request on this connection used `method` (on `uri`, when known). */
  expectResponseTo(method: string, uri = ''): void {
    this.requests.push({ method, uri });
  }

  /** Whether the connection stopped carrying HTTP (101 Switching Protocols, CONNECT tunnel). */
  get tunneled(): boolean {
    return this.state === 'tunnel';
  }

  /** Stop parsing: what follows is a tunnel (the other direction saw 101 or CONNECT 2xx). */
  enterTunnel(): void {
    if (this.state !== 'ended') {
      if (this.cur && this.cur.hashJob !== 0) this.hasher!.discard(this.cur.hashJob);
      this.cur = null;
      this.bufLen = 0;
      this.state = 'tunnel';
    }
  }

  /**
   * Feed the next in-order bytes of this direction; `spans` says which frames carried them.
   * Returns the events of this call (push, gap and end alike): read them, do not modify
   * them (when there are none it is a shared frozen array).
   */
  push(bytes: Uint8Array, spans: FrameSpan[]): readonly HttpEvent[] {
    if (!this.posKnown) {
      this.posKnown = true;
      if (spans.length > 0) this.pos = spans[0].streamOffset;
    }
    for (let k = 0; k < spans.length; k++) this.spans.push(spans[k]);
    const n = bytes.length;
    if (this.state === 'body-length' && n < this.remaining) {
      // The common case (a download segment): all body, and the message does not end here.
      this.body(bytes, 0, n);
      this.remaining -= n;
    } else if (this.state !== 'ended' && this.state !== 'tunnel') {
      this.consume(bytes);
    }
    this.pos += n;
    this.pruneSpans();
    return this.takeOut();
  }

  /** `length` bytes of this direction will never arrive; `frame` is where that was noticed. */
  gap(length: number, frame: number): readonly HttpEvent[] {
    this.posKnown = true;
    const at = this.pos;
    this.spans.push({ frame, timestampNs: this.lastNs, streamOffset: at, length });
    this.pos += length;
    this.gapAt(at, length, frame);
    this.pruneSpans();
    return this.takeOut();
  }

  /**
   * The direction ended: finish a close-delimited body, flag a body or head cut short.
   * `at` is the frame that ended it (FIN or RST): a close-delimited body completes
   * there, which is where Wireshark shows such a response.
   */
  end(reason: StreamEndReason, at?: { frame: number; timestampNs: bigint }): readonly HttpEvent[] {
    const s = this.state;
    if (s === 'body-close') {
      if (reason !== 'fin') {
        this.note('http.close-delimited-unconfirmed', this.pos, `connection ended by ${reason}, not FIN: the body may be cut`);
        this.cur!.complete = false;
      }
      this.finish(this.pos, at && at.frame > 0 ? { frame: at.frame, ns: at.timestampNs } : undefined);
    } else if (s === 'body-length' || s === 'body-chunked') {
      this.note('http.body-cut-short', this.pos, `connection ended (${reason}) inside the body`);
      this.cur!.complete = false;
      this.finish(this.pos);
    } else if (s === 'head' && this.bufLen > 0) {
      this.error('http.incomplete-head', this.msgStart, false, `connection ended (${reason}) inside a message head`);
    }
    this.state = 'ended';
    this.cur = null;
    this.bufLen = 0;
    return this.takeOut();
  }

  // --- byte loop -----------------------------------------------------------

  private consume(data: Uint8Array): void {
    const base = this.pos;
    const n = data.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case 'start': {
          // Empty lines before a message are ignored (RFC 9112 section 2.2).
          while (i < n && (data[i] === 0x0d || data[i] === 0x0a)) i++;
          if (i < n) this.beginHead(base + i);
          break;
        }
        case 'head': {
          // Never negative: a resynchronised start line can already be longer than a small cap.
          const room = Math.max(0, this.maxHeadBytes - (this.bufStart + this.bufLen - this.msgStart));
          const stop = Math.min(n, i + room);
          const nl = indexOfLf(data, i, stop);
          if (nl >= 0) {
            this.append(data, i, nl + 1);
            i = nl + 1;
            this.headLine();
          } else if (stop < n || room <= 0) {
            // The head would pass the cap: stop exactly there, whatever the split.
            this.append(data, i, stop);
            i = stop;
            this.error('http.head-too-large', base + i, true, `message head over ${this.maxHeadBytes} bytes`);
            this.startResync(base + i);
          } else {
            this.append(data, i, n);
            i = n;
          }
          break;
        }
        case 'resync': {
          if (this.bufLen === 0) this.bufStart = base + i;
          const nl = indexOfLf(data, i, n);
          const to = nl >= 0 ? nl + 1 : n;
          this.appendWindow(data, i, to);
          i = to;
          if (nl >= 0) this.resyncLine();
          break;
        }
        case 'body-length': {
          const take = Math.min(this.remaining, n - i);
          this.body(data, i, i + take);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finish(base + i);
          break;
        }
        case 'body-chunked': {
          const step = this.chunked!.decode(data, i, n, (a, b) => this.body(data, a, b));
          i = step.next;
          if (step.error) {
            const e = step.error;
            this.note(e.code, base + e.at, e.detail);
            this.cur!.complete = false;
            this.finish(base + e.at);
            this.startResync(base + e.at);
          } else if (step.done) {
            // The trailer section ends at base + i: its notes point there, not at this push's start.
            const tb = this.chunked!.trailerBytes();
            this.cur!.trailers = parseFieldLines(latin1(tb), this.cur!.notes, base + i - tb.length, true);
            this.finish(base + i);
          }
          break;
        }
        case 'body-close':
          this.body(data, i, n);
          i = n;
          break;
        case 'tunnel':
        case 'ended':
          i = n;
          break;
      }
    }
  }

  private gapAt(at: number, length: number, frame: number): void {
    const where = { frame };
    switch (this.state) {
      case 'body-length': {
        const inBody = Math.min(length, this.remaining);
        this.note('http.body-gap', at, `${inBody} body bytes missing`, where);
        this.cur!.complete = false;
        this.remaining -= inBody;
        if (this.remaining === 0) {
          this.finish(at + inBody);
          if (length > inBody) this.startResync(at + length);
        }
        break;
      }
      case 'body-chunked':
        if (this.chunked!.canSkip(length)) {
          this.note('http.body-gap', at, `${length} body bytes missing`, where);
          this.cur!.complete = false;
          this.chunked!.skip(length);
        } else {
          this.note('http.gap-in-chunked', at, `${length} bytes missing across chunked framing`, where);
          this.cur!.complete = false;
          this.finish(at);
          this.startResync(at + length);
        }
        break;
      case 'body-close':
        this.note('http.body-gap', at, `${length} body bytes missing`, where);
        this.cur!.complete = false;
        break;
      case 'head':
        if (this.lineCount > 0) {
          // The start line arrived: deliver the message with the header lines
          // that did (a frame cut by the snap length shows this way in
          // Wireshark too), then look for the next message.
          this.headCut(at, length, frame);
        } else {
          this.error('http.gap-in-head', at, true, `${length} bytes missing inside a message head`, frame);
        }
        this.startResync(at + length);
        break;
      case 'start':
        this.error('http.gap-between-messages', at, true, `${length} bytes missing where a message could start`, frame);
        this.startResync(at + length);
        break;
      case 'resync':
        this.startResync(at + length);
        break;
      case 'tunnel':
      case 'ended':
        break;
    }
  }

  // --- heads -----------------------------------------------------------------

  private beginHead(at: number): void {
    this.state = 'head';
    this.startLine = null;
    this.bufLen = 0;
    this.bufStart = at;
    this.lineStart = 0;
    this.lineCount = 0;
    this.msgStart = at;
    const s = this.spanAt(at);
    this.msgFirstFrame = s.frame;
    this.msgStartNs = s.ns;
    this.accMinFrame = Infinity;
    this.accMaxFrame = 0;
    this.accMaxNs = 0n;
  }

  /** A complete line (LF included) is at buf[lineStart..bufLen). */
  private headLine(): void {
    const from = this.lineStart;
    const to = this.bufLen;
    this.lineStart = to;
    const lineLen = to - from - (to - from >= 2 && this.buf[to - 2] === 0x0d ? 2 : 1);
    if (this.lineCount++ === 0) {
      const line = latin1(this.buf, from, from + lineLen);
      const ok = this.role === 'request' ? parseRequestLine(line) : parseStatusLine(line);
      this.startLine = ok;
      if (!ok) {
        const what = this.role === 'request' ? 'request-line' : 'status-line';
        this.error('http.bad-start-line', this.msgStart, true, `not an HTTP/1.x ${what}`);
        // The line may still hold a message start past its first byte.
        this.state = 'resync';
        this.resyncLine(1);
      }
      return;
    }
    if (lineLen === 0) {
      this.headDone();
    } else if (this.lineCount > this.maxHeaders + 1) {
      this.error('http.too-many-headers', this.bufStart + from, true, `more than ${this.maxHeaders} header lines`);
      this.startResync(this.bufStart + to);
    }
  }

  /** A gap cut the head after its start line: deliver what arrived, marked incomplete. */
  private headCut(at: number, length: number, frame: number): void {
    this.bufLen = this.lineStart; // a line the gap cut is not trusted
    this.headDone(false);
    if (!this.cur) return;
    this.note('http.head-cut', at, `${length} bytes missing inside the message head: headers may be missing`, { frame });
    this.cur.complete = false;
    if (this.cur.head.type === 'response') {
      const s = this.cur.head.status;
      if (!(s >= 100 && s < 200 && s !== 101)) this.requests.shift();
    }
    this.finish(at);
  }

  /** The head is complete (or, with frameBody false, cut short): build the message state. */
  private headDone(frameBody = true): void {
    const text = latin1(this.buf, 0, this.bufLen);
    const notes: DecodeError[] = [];
    // A head seen before (head-memo.ts): its start line and fields are known.
    const known = frameBody ? knownHead(text) : undefined;
    const { start, headers } = known ?? this.parseHead(text, notes, frameBody);
    const headEnd = this.bufStart + this.bufLen;
    let head: Head;
    if (this.role === 'request') {
      const r = (this.startLine as RequestLine | null) ?? parseRequestLine(start)!;
      head = { type: 'request', method: intern(r.method), uri: intern(r.uri), rawTarget: r.rawTarget, version: intern(r.version) };
    } else {
      const r = (this.startLine as StatusLine | null) ?? parseStatusLine(start)!;
      head = { type: 'response', status: r.status, reason: intern(r.reason), version: intern(r.version) };
    }
    this.bufLen = 0;
    this.cur = {
      head,
      headers,
      trailers: [],
      notes,
      streamStart: this.msgStart,
      firstFrame: this.msgFirstFrame,
      startNs: this.msgStartNs,
      bodySize: 0,
      hash: null,
      hashJob: 0,
      kept: this.keepBodies && this.keeps(head) ? new Uint8Array(0) : null,
      capNote: this.keepBodies,
      complete: true,
      tunnelAfter: false,
    };
    if (head.type === 'request') this.onRequestHead?.(head.method, head.uri);
    if (frameBody) this.frame(head, headers, notes, headEnd);
  }

  /** Split a head's text into its start line and fields (notes go to `notes`); remember a clean parse. */
  private parseHead(text: string, notes: DecodeError[], frameBody: boolean): ParsedHead {
    // One pass over the LF-ended lines (a piece after the last LF is not a line).
    // Field lines lose up to two CRs, as the split-and-join this replaces did.
    const fieldLines: string[] = [];
    let start = '';
    let bareLf = false;
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const cr = nl > from && text.charCodeAt(nl - 1) === 0x0d;
      if (!cr) bareLf = true;
      if (from === 0) {
        start = text.slice(0, cr ? nl - 1 : nl);
      } else {
        let end = cr ? nl - 1 : nl;
        if (end > from && text.charCodeAt(end - 1) === 0x0d) end--;
        fieldLines.push(text.slice(from, end));
      }
      from = nl + 1;
    }
    if (bareLf) {
      notes.push(decodeError('http', 'http.bare-lf', this.msgStart, { detail: 'line ended by LF alone', frame: this.msgFirstFrame }));
    }
    if (frameBody) fieldLines.pop(); // the empty line that ends the head
    const headers = parseFieldArray(fieldLines, notes, this.msgStart);
    if (frameBody && notes.length === 0) rememberHead(text, { start, headers });
    return { start, headers };
  }

  /** Whether keepBody wants this message's body (a response: of the request it answers, the oldest unanswered). */
  private keeps(head: Head): boolean {
    if (!this.keepBody) return true;
    return head.type === 'request' ? this.keepBody(head, undefined) : this.keepBody(this.requests[0], head.status);
  }

  /** Choose the body framing (RFC 9112 section 6.3) and continue. */
  private frame(head: Head, headers: HttpHeader[], notes: DecodeError[], headEnd: number): void {
    if (head.type === 'response') {
      const s = head.status;
      const interim = s >= 100 && s < 200 && s !== 101;
      const method = (interim ? this.requests[0] : this.requests.shift())?.method;
      if (s === 101 || (method === 'CONNECT' && s >= 200 && s < 300)) {
        this.cur!.tunnelAfter = true;
        this.finish(headEnd);
        return;
      }
      if (method === 'HEAD' || interim || s === 204 || s === 304) {
        this.finish(headEnd);
        return;
      }
    }
    const te: string[] = [];
    const cl: string[] = [];
    // Indexed: for-of made an iterator result per field wherever this ran unoptimised.
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i];
      // Lengths first: lowercasing every name of every message is not free.
      const len = h.name.length;
      if (len === 17 && h.name.toLowerCase() === 'transfer-encoding') te.push(h.value);
      else if (len === 14 && h.name.toLowerCase() === 'content-length') cl.push(h.value);
    }
    if (te.length > 0) {
      if (cl.length > 0) this.note('http.te-and-length', headEnd, 'both Transfer-Encoding and Content-Length: Transfer-Encoding wins');
      const codings = te.join(',').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '');
      if (codings[codings.length - 1] === 'chunked') {
        this.chunked = new ChunkedDecoder();
        this.state = 'body-chunked';
      } else if (head.type === 'response') {
        // Not chunked last: the body runs to the close (section 6.3 rule 4).
        this.state = 'body-close';
      } else {
        this.note('http.bad-transfer-encoding', headEnd, `request Transfer-Encoding "${te.join(', ')}" does not end in chunked`);
        this.abandon(headEnd);
      }
      return;
    }
    if (cl.length === 1 && CONTENT_LENGTH.test(cl[0])) {
      // The usual single plain value; the general code below gives the same answer for it.
      this.lengthBody(Number(cl[0]), headEnd);
      return;
    }
    if (cl.length > 0) {
      const values = cl.join(',').split(',').map((v) => v.trim());
      if (values.some((v) => !CONTENT_LENGTH.test(v))) {
        this.note('http.bad-content-length', headEnd, `Content-Length "${cl.join(', ')}"`);
        this.abandon(headEnd);
        return;
      }
      const lengths = new Set(values.map(Number));
      if (lengths.size > 1) {
        this.note('http.conflicting-content-length', headEnd, `Content-Length values ${[...lengths].join(' and ')}`);
        this.abandon(headEnd);
        return;
      }
      this.lengthBody([...lengths][0], headEnd);
      return;
    }
    if (head.type === 'request') this.finish(headEnd);
    else this.state = 'body-close';
  }

  private lengthBody(len: number, headEnd: number): void {
    if (len === 0) {
      this.finish(headEnd);
    } else {
      this.remaining = len;
      this.state = 'body-length';
      const c = this.cur!;
      // Only a body that will not be kept: a kept one may be decoded (by its digest) as soon as it completes.
      if (this.hasher && len >= this.hasher.minBytes && (!c.kept || len > this.maxBodyBytes)) c.hashJob = this.hasher.begin();
    }
  }

  /** The body cannot be framed: deliver the head as an incomplete message, then resync. */
  private abandon(at: number): void {
    this.cur!.complete = false;
    this.finish(at);
    this.startResync(at);
  }

  // --- resync ----------------------------------------------------------------

  private startResync(at: number): void {
    this.state = 'resync';
    this.cur = null;
    this.chunked = null;
    this.bufLen = 0;
    this.bufStart = at;
  }

  /** Keep the last RESYNC_WINDOW bytes of the current line. */
  private appendWindow(data: Uint8Array, from: number, to: number): void {
    const len = to - from;
    if (len >= RESYNC_WINDOW) {
      this.bufLen = 0;
      this.bufStart = this.pos + to - RESYNC_WINDOW;
      this.append(data, to - RESYNC_WINDOW, to);
      return;
    }
    if (this.bufLen + len > RESYNC_WINDOW) {
      const drop = this.bufLen + len - RESYNC_WINDOW;
      this.buf.copyWithin(0, drop, this.bufLen);
      this.bufLen -= drop;
      this.bufStart += drop;
    }
    this.append(data, from, to);
  }

  /** A whole line sits in buf: does a message start in it (at or after `from`)? */
  private resyncLine(from = 0): void {
    let end = this.bufLen - 1;
    if (end > 0 && this.buf[end - 1] === 0x0d) end--;
    const line = latin1(this.buf, 0, end);
    const at = from < line.length ? findMessageStart(line, this.role, from) : -1;
    if (at < 0) {
      this.bufStart += this.bufLen;
      this.bufLen = 0;
      this.state = 'resync';
      return;
    }
    // Re-enter head parsing with the start line already complete.
    const startOffset = this.bufStart + at;
    const lineBytes = this.buf.slice(at, this.bufLen);
    this.beginHead(startOffset);
    this.append(lineBytes, 0, lineBytes.length);
    this.lineCount = 1;
    this.lineStart = this.bufLen;
  }

  // --- bodies and completion -------------------------------------------------

  private body(data: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    const c = this.cur!;
    const piece = from === 0 && to === data.length ? data : data.subarray(from, to);
    if (c.hashJob !== 0) {
      this.hasher!.update(c.hashJob, piece);
    } else if (!c.kept) {
      c.hash ??= crypto.createHash('sha256');
      c.hash.update(piece);
    }
    // (A kept body is hashed whole, in one call, when it completes: see finish.)
    c.bodySize += piece.length;
    if (c.capNote && c.bodySize > this.maxBodyBytes) {
      c.capNote = false;
      if (c.kept && c.hashJob === 0) {
        // No longer kept: the digest catches up with the bytes kept so far, then goes on piece by piece.
        c.hash = crypto.createHash('sha256');
        c.hash.update(c.kept.subarray(0, c.bodySize - piece.length));
        c.hash.update(piece);
      }
      c.kept = null;
      // Point at the first body byte past the cap, wherever TCP split the body.
      const at = this.pos + from + (this.maxBodyBytes - (c.bodySize - piece.length));
      this.note('http.body-not-kept', at, `body over ${this.maxBodyBytes} bytes: hashed, not kept`);
    } else if (c.kept) {
      // A copy (the bytes are only lent), into one buffer grown by doubling rather
      // than one array per TCP segment; never past the cap.
      const at = c.bodySize - piece.length;
      if (c.bodySize > c.kept.length) {
        const grown = new Uint8Array(Math.min(this.maxBodyBytes, Math.max(c.bodySize, 2 * c.kept.length)));
        if (at > 0) grown.set(c.kept.subarray(0, at));
        c.kept = grown;
      }
      c.kept.set(piece, at);
    }
  }

  /** The message ends just before stream offset `end` (in frame `endedAt`, when that is not the last byte's). */
  private finish(end: number, endedAt?: { frame: number; ns: bigint }): void {
    const c = this.cur!;
    let minFrame = this.accMinFrame;
    let last = { frame: this.accMaxFrame, ns: this.accMaxNs };
    for (const sp of this.spans) {
      if (sp.streamOffset + sp.length <= c.streamStart || sp.streamOffset >= end || sp.length === 0) continue;
      if (sp.frame < minFrame) minFrame = sp.frame;
      if (sp.frame > last.frame) last = { frame: sp.frame, ns: sp.timestampNs };
    }
    if (last.frame === 0) last = this.spanAt(Math.max(c.streamStart, end - 1));
    if (endedAt) last = endedAt;
    if (minFrame < c.firstFrame) c.firstFrame = minFrame;
    // Phones fetch the same firmware and get the same answers: one string per digest.
    const bodySha256 =
      c.hashJob !== 0
        ? PENDING_SHA256
        : c.hash
          ? intern(c.hash.digest('hex'))
          : c.kept && c.bodySize > 0
            ? intern(sha256Hex(c.kept.subarray(0, c.bodySize)))
            : EMPTY_SHA256;
    // Written out rather than spread from a shared base (a copy of 13 fields per
    // message); the key order is the one the spread gave. Every field is in the
    // literal, the optional ones as undefined: one set later (body) would go to a
    // separate property array, an object more per message kept for the report.
    const h = c.head;
    let message: HttpMessage;
    if (h.type === 'request') {
      message = {
        type: 'request',
        method: h.method,
        uri: h.uri,
        version: h.version,
        headers: c.headers,
        trailers: c.trailers.length === 0 ? NO_HEADERS : c.trailers,
        firstFrame: c.firstFrame,
        frame: last.frame,
        startNs: c.startNs,
        endNs: last.ns,
        streamStart: c.streamStart,
        streamEnd: end,
        bodySize: c.bodySize,
        bodySha256,
        complete: c.complete,
        notes: c.notes.length === 0 ? NO_NOTES : c.notes,
        body: undefined,
        rawTarget: h.rawTarget,
      } satisfies HttpRequest;
    } else {
      message = {
        type: 'response',
        status: h.status,
        reason: h.reason,
        version: h.version,
        headers: c.headers,
        trailers: c.trailers.length === 0 ? NO_HEADERS : c.trailers,
        firstFrame: c.firstFrame,
        frame: last.frame,
        startNs: c.startNs,
        endNs: last.ns,
        streamStart: c.streamStart,
        streamEnd: end,
        bodySize: c.bodySize,
        bodySha256,
        complete: c.complete,
        notes: c.notes.length === 0 ? NO_NOTES : c.notes,
        body: undefined,
      } satisfies HttpResponse;
    }
    // Exactly the body's size, as before the buffer grew by doubling: slice() copies.
    if (c.kept) message.body = c.kept.length === c.bodySize ? c.kept : c.kept.slice(0, c.bodySize);
    if (c.hashJob !== 0) this.hasher!.end(c.hashJob, message);
    this.emit({ kind: 'message', message });
    this.cur = null;
    this.chunked = null;
    this.state = c.tunnelAfter ? 'tunnel' : 'start';
  }

  // --- bookkeeping -----------------------------------------------------------

  private note(code: string, offset: number, detail: string, extra: { frame?: number } = {}): void {
    const frame = extra.frame ?? this.spanAt(offset).frame;
    this.cur!.notes.push(decodeError('http', code, offset, { detail, frame }));
  }

  private error(code: string, offset: number, resumable: boolean, detail: string, frame?: number): void {
    const f = frame ?? this.spanAt(offset).frame;
    this.emit({ kind: 'error', error: decodeError('http', code, offset, { detail, frame: f }), resumable });
  }

  private emit(ev: HttpEvent): void {
    (this.out ??= []).push(ev);
  }

  /** This call's events, and a clean slate for the next call. */
  private takeOut(): readonly HttpEvent[] {
    const out = this.out;
    this.out = null;
    return out ?? NO_EVENTS;
  }

  private append(data: Uint8Array, from: number, to: number): void {
    const need = this.bufLen + (to - from);
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need, this.buf.length * 2, 1024));
      grown.set(this.buf.subarray(0, this.bufLen));
      this.buf = grown;
    }
    // Head lines are short: copied by hand, as a view to set() from costs an object per line.
    const buf = this.buf;
    if (to - from <= SHORT_COPY) {
      for (let i = from, j = this.bufLen; i < to; i++, j++) buf[j] = data[i];
    } else {
      buf.set(data.subarray(from, to), this.bufLen);
    }
    this.bufLen = need;
  }

  /** The frame and time of the byte at stream offset `at` (the last one known if no span has it). */
  private spanAt(at: number): { frame: number; ns: bigint } {
    for (const s of this.spans) {
      if (at >= s.streamOffset && at < s.streamOffset + s.length) return { frame: s.frame, ns: s.timestampNs };
    }
    const s = this.spans[this.spans.length - 1];
    return s ? { frame: s.frame, ns: s.timestampNs } : { frame: this.lastFrame, ns: this.lastNs };
  }

  /** Drop spans of bytes no longer needed to place a message start. */
  private pruneSpans(): void {
    const spans = this.spans;
    const count = spans.length;
    if (count === 0) return;
    const last = spans[count - 1];
    this.lastFrame = last.frame;
    this.lastNs = last.timestampNs;
    // The last span is always kept (spanAt falls back to it).
    if (count === 1) return;
    const st = this.state;
    const keepFrom = st === 'resync' ? this.bufStart : this.pos;
    const inMessage = st === 'head' || st === 'body-length' || st === 'body-chunked' || st === 'body-close';
    let k = 0;
    while (k < count - 1 && spans[k].streamOffset + spans[k].length <= keepFrom) {
      const sp = spans[k];
      if (inMessage && sp.length > 0 && sp.streamOffset + sp.length > this.msgStart) {
        if (sp.frame < this.accMinFrame) this.accMinFrame = sp.frame;
        if (sp.frame > this.accMaxFrame) {
          this.accMaxFrame = sp.frame;
          this.accMaxNs = sp.timestampNs;
        }
      }
      k++;
    }
    if (k === 0) return;
    // In place, shortened by pop(): splice() allocates an array of what it removes and
    // setting length goes through the runtime, each on every push.
    for (let j = k; j < count; j++) spans[j - k] = spans[j];
    for (let j = 0; j < k; j++) spans.pop();
  }
}

/**
 * Header (or trailer) field lines, CR already removed, joined by LF. Name case
 * and order are kept; obs-fold continuation lines are joined with one space
 * (RFC 9112 section 5.2); lines without a colon are noted and skipped.
 */
export function parseFieldLines(text: string, notes: DecodeError[], offset: number, trailer: boolean): HttpHeader[] {
  if (text === '') return [];
  let lines = text.split('\n').map(stripCr);
  if (trailer) lines = lines.filter((l) => l !== '');
  return parseFieldArray(lines, notes, offset);
}

/** parseFieldLines on lines already split, CR removed. */
function parseFieldArray(lines: string[], notes: DecodeError[], offset: number): HttpHeader[] {
  const out: HttpHeader[] = [];
  for (const line of lines) {
    if ((line[0] === ' ' || line[0] === '\t') && out.length > 0) {
      const prev = out[out.length - 1];
      prev.value = prev.value === '' ? trimOws(line) : `${prev.value} ${trimOws(line)}`;
      if (!notes.some((n) => n.code === 'http.obs-fold')) {
        notes.push(decodeError('http', 'http.obs-fold', offset, { detail: `${prev.name} continued on a folded line` }));
      }
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      notes.push(decodeError('http', 'http.bad-header-line', offset, { detail: `no field name in "${line.slice(0, 40)}"` }));
      continue;
    }
    let name = line.slice(0, colon);
    if (isOws(name.charCodeAt(colon - 1))) {
      // RFC 9112 section 5.1 forbids it; proxies differ, so keep the field and say so.
      notes.push(decodeError('http', 'http.space-before-colon', offset, { detail: `"${name}"` }));
      name = trimOwsEnd(name);
    }
    out.push({ name: intern(name), value: intern(trimOwsRange(line, colon + 1, line.length)) });
  }
  if (out.length === 0) return NO_HEADERS;
  // Shared frozen fields, now that obs-fold can no longer change a value, in an
  // array of exactly their number (one grown by push keeps room to spare).
  const fields = new Array<HttpHeader>(out.length);
  for (let i = 0; i < out.length; i++) fields[i] = internField(out[i].name, out[i].value);
  return internFieldList(fields);
}

function stripCr(l: string): string {
  return l.endsWith('\r') ? l.slice(0, -1) : l;
}

// By hand, not /[ \t]+$/: that regex is quadratic on a long run of spaces
// followed by something else, and a header line may hold 64 KiB of them.
function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function trimOwsEnd(s: string): string {
  let b = s.length;
  while (b > 0 && isOws(s.charCodeAt(b - 1))) b--;
  return s.slice(0, b);
}

function trimOws(s: string): string {
  return trimOwsRange(s, 0, s.length);
}

/** s.slice(a, b) without OWS at either end, in one slice. */
function trimOwsRange(s: string, a: number, b: number): string {
  while (a < b && isOws(s.charCodeAt(a))) a++;
  while (b > a && isOws(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

function indexOfLf(data: Uint8Array, from: number, to: number): number {
  const j = data.indexOf(0x0a, from);
  return j >= 0 && j < to ? j : -1;
}
