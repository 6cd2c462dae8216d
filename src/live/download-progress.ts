// Firmware downloads still in flight, for the live dashboard: how many body
// bytes have arrived so far, and of how many (Content-Length). The HTTP layer
// reports an exchange only once it is complete, so this watches the TCP stream
// events that go to HTTP: a request line `GET /DeviceUpdateFiles_...` at the
// start of a client data chunk opens an entry on that connection; the server's
// bytes after it are the response, whose head gives the status and length;
// the exchange completing (or the connection ending) closes the entry.
//
// It is a view, not evidence: it reads only plaintext HTTP (an HTTPS download
// shows when it completes), does not follow pipelined requests, and copies
// no more than a request line and a response head per connection.
import { classify } from '../dus/exchange-kind.js';
import type { HttpExchange } from '../http/exchanges.js';
import type { Endpoint, StreamEvent } from '../reassembly/stream-event.js';

/** One download whose response has not completed yet. */
export interface DownloadInFlight {
  /** Connection (tcp.stream) index. */
  flow: number;
  client: Endpoint;
  server: Endpoint;
  /** Request target as sent (untrusted: sanitise before display). */
  uri: string;
  /** Frame of the request line. */
  frame: number;
  /** Status code once the response head is in. */
  status?: number;
  /** Content-Length of the response, when it gave one. */
  total?: number;
  /** Body bytes received so far (gaps counted: they are part of the body's span). */
  received: number;
  /** Capture time of the last byte seen. */
  lastNs: bigint;
}

/** Connections followed at once; the oldest is forgotten beyond this. @default 256 */
export const MAX_IN_FLIGHT = 256;
/** Largest request line or response head looked at. @default 8192 */
const MAX_HEAD = 8192;

interface Entry extends DownloadInFlight {
  /** Response head bytes gathered so far (as latin1 text), until the blank line. */
  head: string;
  /** Server-direction stream offset where the body starts, once the head is complete. */
  bodyStart?: number;
}

const latin1 = new TextDecoder('latin1');

export class DownloadProgress {
  private readonly byFlow = new Map<number, Entry>();

  constructor(private readonly max = MAX_IN_FLIGHT) {}

  /** A stream event, as the pipeline's onStreamEvent delivers it. */
  accept(e: StreamEvent): void {
    if (e.kind === 'end') {
      this.byFlow.delete(e.flow.index);
      return;
    }
    if (e.kind === 'gap') {
      const d = this.byFlow.get(e.flow.index);
      if (d && e.dir === 's2c' && d.bodyStart !== undefined) d.received = Math.max(d.received, e.offset + e.length - d.bodyStart);
      return;
    }
    if (e.kind !== 'data' || e.bytes.length === 0) return;
    if (e.dir === 'c2s') {
      this.request(e);
      return;
    }
    const d = this.byFlow.get(e.flow.index);
    if (!d) return;
    const ts = e.spans[e.spans.length - 1]?.timestampNs;
    if (ts !== undefined) d.lastNs = ts;
    if (d.bodyStart === undefined) {
      const room = MAX_HEAD - d.head.length;
      if (room <= 0) {
        // No end of head within the bound: not a response to follow.
        this.byFlow.delete(e.flow.index);
        return;
      }
      const chunk = latin1.decode(e.bytes.subarray(0, room));
      const from = Math.max(0, d.head.length - 3);
      d.head += chunk;
      const end = d.head.indexOf('\r\n\r\n', from);
      if (end < 0) return;
      const headLen = end + 4;
      const bytesOfHeadInChunk = headLen - (d.head.length - chunk.length);
      d.bodyStart = e.offset + bytesOfHeadInChunk;
      this.readHead(d, d.head.slice(0, headLen));
      d.head = '';
    }
    d.received = Math.max(d.received, e.offset + e.bytes.length - d.bodyStart);
  }

  /** An exchange completed: its download, if followed, is no longer in flight. */
  done(x: HttpExchange): void {
    this.byFlow.delete(x.flow.index);
  }

  /** Downloads in flight, oldest request first. */
  list(): DownloadInFlight[] {
    return [...this.byFlow.values()].map(({ head: _h, bodyStart: _b, ...d }) => ({ ...d }));
  }

  get size(): number {
    return this.byFlow.size;
  }

  private request(e: Extract<StreamEvent, { kind: 'data' }>): void {
    // Only a chunk that starts with a GET is looked at: a request line split
    // over two segments before the first arrives is rare for a short GET.
    const b = e.bytes;
    if (b.length < 5 || b[0] !== 0x47 || b[1] !== 0x45 || b[2] !== 0x54 || b[3] !== 0x20) {
      return;
    }
    const line = latin1.decode(b.subarray(0, Math.min(b.length, MAX_HEAD)));
    const eol = line.indexOf('\r\n');
    const target = (eol < 0 ? line : line.slice(0, eol)).split(' ')[1] ?? '';
    if (target === '' || classify('GET', target).kind !== 'download') {
      // A keep-alive connection moved on to something else.
      this.byFlow.delete(e.flow.index);
      return;
    }
    this.byFlow.delete(e.flow.index);
    if (this.byFlow.size >= this.max) {
      const oldest = this.byFlow.keys().next().value;
      if (oldest !== undefined) this.byFlow.delete(oldest);
    }
    this.byFlow.set(e.flow.index, {
      flow: e.flow.index,
      client: e.flow.client,
      server: e.flow.server,
      uri: target,
      frame: e.spans[0]?.frame ?? 0,
      received: 0,
      lastNs: e.spans[0]?.timestampNs ?? 0n,
      head: '',
    });
  }

  private readHead(d: Entry, head: string): void {
    const status = /^HTTP\/\d\.\d (\d{3})/.exec(head);
    if (status) d.status = Number(status[1]);
    const len = /\r\ncontent-length:[ \t]*(\d{1,15})[ \t]*\r\n/i.exec(head);
    if (len) d.total = Number(len[1]);
  }
}

/** `1.2 MB`, `340 KB`, `87 B`. */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** `340 KB of 4.2 MB (8%)`, or `340 KB` with no length known. */
export function progressText(d: Pick<DownloadInFlight, 'received' | 'total'>): string {
  if (d.total === undefined || d.total <= 0) return `${bytesText(d.received)} so far`;
  const pct = Math.min(100, Math.floor((d.received / d.total) * 100));
  return `${bytesText(d.received)} of ${bytesText(d.total)} (${pct}%)`;
}
