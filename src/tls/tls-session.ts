// The session layer between TCP reassembly and HTTP: stream events in, stream
// events out. A connection is TLS when its first bytes are a handshake record
// (0x16 0x03 0x0X), on any port; other connections pass through untouched.
// For TLS connections the layer follows the handshake, finds the keys (the
// server's RSA key, a key log, or a session resumed earlier in the capture),
// proves them by checking the Finished messages (RFC 5246 7.4.9, RFC 8446
// 4.4.4), and hands on the decrypted application data as ordinary 'data'
// events of the same flow and direction. Their offsets count plaintext bytes;
// their spans name the frame that completed each record, as Wireshark shows
// decrypted data in the frame where the record ends. When the keys cannot be
// had, one 'tls-undecryptable' event says why, and the ciphertext is dropped.
import type { Direction, FlowInfo, FrameSpan, StreamEvent } from '../reassembly/stream-event.js';
import {
  CIPHER_SUITES,
  RecordDecryptor,
  fixedIvLength,
  isAead,
  keyLength,
  macLength,
  plaintextLength,
  suiteName,
  type CipherSuite,
  type DirectionKeys,
} from './ciphers.js';
import {
  TLS12,
  TLS13,
  bytesEqual,
  concatBytes,
  digest,
  extendedMasterSecret,
  finishedVerifyData,
  handshakeHash,
  keyBlock,
  masterSecret,
  tls13FinishedVerifyData,
  tls13NextSecret,
  tls13TrafficKeys,
} from './derive.js';
import {
  HandshakeAssembler,
  HS_CERTIFICATE,
  HS_CLIENT_HELLO,
  HS_CLIENT_KEY_EXCHANGE,
  HS_FINISHED,
  HS_HELLO_REQUEST,
  HS_KEY_UPDATE,
  HS_MESSAGE_HASH,
  HS_NEW_SESSION_TICKET,
  HS_SERVER_HELLO,
  certificateRsaModulus,
  parseCertificateList,
  parseClientHello,
  parseNewSessionTicket12,
  parseRsaClientKeyExchange,
  parseServerHello,
  parseSsl2ClientHello,
  type ClientHello,
  type HandshakeMessage,
  type ServerHello,
} from './handshake.js';
import type { KeySource, SessionSecrets, Tls13SecretLabel } from './key-log.js';
import {
  CONTENT_ALERT,
  CONTENT_APPLICATION_DATA,
  CONTENT_CHANGE_CIPHER_SPEC,
  CONTENT_HANDSHAKE,
  CONTENT_SSL2_CLIENT_HELLO,
  MAX_FRAGMENT,
  RecordReader,
  hex,
  plausibleHeader,
  type RecordEvent,
} from './record.js';
import { decryptPremaster, keysForServer, type RsaKeyEntry } from './rsa-key.js';

export type TlsUndecryptableReason = 'no-key' | 'key-mismatch' | 'needs-key-log' | 'handshake-missing' | 'unsupported-cipher' | 'decrypt-failed';

/** The layer could not decrypt this connection, and why. Sent at most once per flow. */
export interface TlsUndecryptableEvent {
  kind: 'tls-undecryptable';
  flow: FlowInfo;
  frame: number;
  reason: TlsUndecryptableReason;
  detail: string;
  /** Frame of the connection's ClientHello, when the capture holds it (where a finding should point). */
  clientHelloFrame?: number;
}

export type TlsKeySource = 'rsa-key' | 'key-log' | 'dsb';

/** The connection is decrypted: how. Sent once per flow, when the first Finished checks. */
export interface TlsInfoEvent {
  kind: 'tls-info';
  flow: FlowInfo;
  frame: number;
  /** 'TLS 1.0' ... 'TLS 1.3'. */
  version: string;
  /** IANA name of the negotiated suite. */
  cipherSuite: string;
  keySource: TlsKeySource;
  /** Abbreviated handshake (session ID or ticket), or a TLS 1.3 PSK. */
  resumed: boolean;
  serverName?: string;
}

/** An alert record (RFC 5246 7.2), decrypted or in the clear. A close_notify or fatal alert ends the direction. */
export interface TlsAlertEvent {
  kind: 'tls-alert';
  flow: FlowInfo;
  dir: Direction;
  frame: number;
  level: number;
  description: number;
  /** 'close_notify', 'handshake_failure'... */
  name: string;
}

/** A plaintext gap: `lengthExact` is false when lost records hid their padding or their count. */
export type TlsGapEvent = Extract<StreamEvent, { kind: 'gap' }> & { lengthExact: boolean };
/** A TLS-level anomaly ('tls.decrypt-failed', 'tls.finished-mismatch'...), with a sentence. */
export type TlsAnomalyEvent = Extract<StreamEvent, { kind: 'anomaly' }> & { detail?: string };

export type SessionEvent = StreamEvent | TlsUndecryptableEvent | TlsInfoEvent | TlsAlertEvent;

/** The key material a TlsSessionLayer may use. */
export interface TlsKeys {
  /** Server RSA keys, optionally scoped to ip:port. */
  rsaKeys: readonly RsaKeyEntry[];
  /** A key log (file, SSLKEYLOGFILE, pcapng Decryption Secrets Blocks): a KeyLog, fed as it grows. */
  keyLog?: KeySource;
}

/** Sessions remembered for resumption, by session ID and by ticket. */
const MAX_CACHED_SESSIONS = 10_000;
/** Transcript kept for the Finished checks; a bigger handshake skips the check. */
const MAX_TRANSCRIPT = 1024 * 1024;
/** Sequence numbers tried after records were lost unseen. */
const MAX_SEQ_GUESS = 256;
/** Records in a row that may fail before a direction is given up. */
const MAX_FAILURES = 16;

interface CachedSession {
  master: Uint8Array;
  keySource: TlsKeySource;
}

interface DirState {
  /** Made when the flow turns out to be TLS (release): null while it is probed, and for plain flows. */
  reader: RecordReader | null;
  /** Spans of TCP data not yet behind a finished record. */
  spans: FrameSpan[];
  /** As reader. */
  hs: HandshakeAssembler | null;
  /** Decryptor in force (after ChangeCipherSpec, or TLS 1.3 after ServerHello). */
  dec: RecordDecryptor | null;
  /** TLS 1.2 and older: keys made, waiting for this direction's ChangeCipherSpec. */
  pending: RecordDecryptor | null;
  encrypted: boolean;
  /** Bytes of plaintext delivered (the offset of the next data event). */
  plainOffset: number;
  /** An alert closed this direction, or it lost sync for good. */
  closed: boolean;
  /** Framing was lost: the next record's sequence number must be found. */
  seqUnknown: number;
  /** Records in a row that failed to decrypt. */
  failures: number;
  /** A tls.handshake-lost anomaly was reported for this direction. */
  lostHandshake: boolean;
  sawFinished: boolean;
  /** TLS 1.3 traffic secret in force, for KeyUpdate. */
  secret13?: Uint8Array;
  lastFrame: number;
  lastTs: bigint;
  firstEvent: boolean;
  ended: boolean;
}

interface FlowTls {
  flow: FlowInfo;
  mode: 'probe' | 'tls' | 'plain';
  held: StreamEvent[];
  dirs: Record<Direction, DirState>;
  ch?: ClientHello;
  sh?: ServerHello;
  suite?: CipherSuite;
  version?: number;
  transcript: Uint8Array[];
  transcriptBytes: number;
  transcriptOverflow: boolean;
  certModulus?: Uint8Array;
  master?: Uint8Array;
  keySource?: TlsKeySource;
  resumed: boolean;
  /** Keys were proven wrong, or cannot be had: drop ciphertext. */
  failed: boolean;
  infoSent: boolean;
  undecryptableSent: boolean;
  secrets13?: SessionSecrets;
  /** A ticket the server issued before the master secret was known. */
  pendingTicket?: Uint8Array;
  /** The direction the TLS client sends in: 'c2s' unless a ClientHello showed the reassembler guessed wrong. */
  cdir: Direction;
  chFrame?: number;
  out: SessionEvent[];
}

const ALERTS: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

/**
 * Spans of one record's plaintext. Its bytes are known only once the record
 * is complete, so they belong to the frame holding the record's last byte (as
 * Wireshark shows decrypted data); the first byte is credited to the frame
 * where the record began, so a message that starts a record reports the frame
 * its ciphertext starts in as its first frame, as tshark does for a message
 * in one record.
 */
export function recordSpans(offset: number, length: number, first: { frame: number; ts: bigint }, last: { frame: number; ts: bigint }): FrameSpan[] {
  if (first.frame === last.frame || length < 2) return [{ frame: last.frame, timestampNs: last.ts, streamOffset: offset, length }];
  return [
    { frame: first.frame, timestampNs: first.ts, streamOffset: offset, length: 1 },
    { frame: last.frame, timestampNs: last.ts, streamOffset: offset + 1, length: length - 1 },
  ];
}

/** An SSL 2.0-format ClientHello offering SSL 3.0 or TLS: 2-byte length with the high bit, msg_type 1, version 3.x. */
function isSsl2Hello(b: Uint8Array): boolean {
  return b.length >= 4 && (b[0] & 0x80) !== 0 && b[2] === HS_CLIENT_HELLO && b[3] === 3;
}

function other(d: Direction): Direction {
  return d === 'c2s' ? 's2c' : 'c2s';
}

/** The TLS server's endpoint. */
function serverOf(f: FlowTls): { ip: string; port: number } {
  return f.cdir === 'c2s' ? f.flow.server : f.flow.client;
}

export function versionName(v: number): string {
  if (v === 0x0300) return 'SSL 3.0';
  if (v >= 0x0301 && v <= 0x0304) return `TLS 1.${v - 0x0301}`;
  return `0x${v.toString(16).padStart(4, '0')}`;
}

/** The SessionLayer: decrypts TLS connections it has keys for; passes everything else through. */
export class TlsSessionLayer {
  private readonly flows = new Map<FlowInfo, FlowTls>();
  /** What accept() hands back for a plaintext flow's data. */
  private readonly passed: SessionEvent[] = [];
  private readonly byId = new Map<string, CachedSession>();
  private readonly byTicket = new Map<string, CachedSession>();

  constructor(private readonly keys: TlsKeys) {}

  /**
   * The events one stream event becomes. Read them before the next call: a
   * plaintext flow's data event comes back in one array reused for it (most
   * events are that, and they need no array of their own).
   */
  accept(e: StreamEvent): readonly SessionEvent[] {
    let f = this.flows.get(e.flow);
    if (!f) {
      if (e.kind === 'end' || e.kind === 'anomaly') return [e];
      f = this.newFlow(e.flow);
      this.flows.set(e.flow, f);
    }
    if (f.mode === 'plain' && e.kind === 'data') {
      this.passed[0] = e;
      return this.passed;
    }
    f.out = [];
    if (f.mode === 'plain') f.out.push(e);
    else if (f.mode === 'probe') this.probe(f, e);
    else this.tlsEvent(f, e);
    if (e.kind === 'end') {
      f.dirs[e.dir].ended = true;
      if (f.dirs.c2s.ended && f.dirs.s2c.ended) this.flows.delete(e.flow); // drop state at end of flow
    }
    return f.out;
  }

  /** Drops every flow's state (end of input: the reassembler's flush has ended the flows). */
  /** A key log with secrets in it (an empty one, made by default, is no key log to the user). */
  private hasKeyLog(): boolean {
    return this.keys.keyLog !== undefined && !this.keys.keyLog.isEmpty();
  }

  flush(): SessionEvent[] {
    this.flows.clear();
    return [];
  }

  private newFlow(flow: FlowInfo): FlowTls {
    // The record reader and handshake assembler are made when the flow turns
    // out to be TLS (release): nearly every flow is plain, and its state lives
    // as long as the connection.
    const dir = (): DirState => ({
      reader: null,
      spans: [],
      hs: null,
      dec: null,
      pending: null,
      encrypted: false,
      plainOffset: 0,
      closed: false,
      seqUnknown: 0,
      failures: 0,
      lostHandshake: false,
      sawFinished: false,
      lastFrame: flow.firstFrame,
      lastTs: 0n,
      firstEvent: true,
      ended: false,
    });
    return {
      flow,
      mode: 'probe',
      held: [],
      dirs: { c2s: dir(), s2c: dir() },
      transcript: [],
      transcriptBytes: 0,
      transcriptOverflow: false,
      resumed: false,
      failed: false,
      infoSent: false,
      undecryptableSent: false,
      cdir: 'c2s',
      out: [],
    };
  }

  // ---- detection ----------------------------------------------------------

  private probe(f: FlowTls, e: StreamEvent): void {
    f.held.push(e);
    if (e.kind !== 'data') {
      // A flow that ends (or waits too long) before showing 3 bytes is not TLS as far as we know.
      if (e.kind === 'end' || f.held.length > 64) this.release(f, 'plain');
      return;
    }
    if (f.held.length > 64) {
      this.release(f, 'plain');
      return;
    }
    // The first bytes of a direction decide: three (type and version) tell a
    // handshake, five frame a mid-session record. TCP may deliver them one
    // byte at a time, so look across the held events of this direction.
    const head: number[] = [];
    for (const h of f.held) {
      if ((h.kind !== 'data' && h.kind !== 'gap') || h.dir !== e.dir) continue;
      if (h.kind === 'gap') break;
      for (let k = 0; k < h.bytes.length && head.length < 5; k++) head.push(h.bytes[k]);
    }
    if (head.length < 3) return;
    const hb = Uint8Array.from(head);
    const handshake = (hb[0] === CONTENT_HANDSHAKE && hb[1] === 3 && hb[2] <= 4) || isSsl2Hello(hb);
    if (!handshake && hb.length < 5 && hb[0] >= CONTENT_CHANGE_CIPHER_SPEC && hb[0] <= CONTENT_APPLICATION_DATA && hb[1] === 3) return; // wait for the length
    // Joined mid-session: an encrypted record first. Still TLS, without a handshake.
    const midSession = !handshake && plausibleHeader(hb, 0);
    this.release(f, handshake || midSession ? 'tls' : 'plain');
  }

  private release(f: FlowTls, mode: 'tls' | 'plain'): void {
    f.mode = mode;
    if (mode === 'tls') {
      for (const d of [f.dirs.c2s, f.dirs.s2c]) {
        d.reader = new RecordReader(0);
        d.hs = new HandshakeAssembler();
      }
    }
    const held = f.held;
    f.held = [];
    for (const h of held) {
      if (mode === 'plain') f.out.push(h);
      else this.tlsEvent(f, h);
    }
  }

  // ---- TLS flows ----------------------------------------------------------

  private tlsEvent(f: FlowTls, e: StreamEvent): void {
    switch (e.kind) {
      case 'open':
      case 'anomaly':
        f.out.push(e);
        return;
      case 'end': {
        // A record cut by the end of the stream is simply not there; the end passes.
        f.dirs[e.dir].spans = [];
        f.out.push(e);
        return;
      }
      case 'gap': {
        const d = f.dirs[e.dir];
        if (d.firstEvent && e.offset === 0) this.noteMissingStart(f, e.dir, e.frame);
        d.firstEvent = false;
        d.lastFrame = e.frame;
        this.records(f, e.dir, d.reader!.gap(e.length));
        return;
      }
      case 'data': {
        const d = f.dirs[e.dir];
        d.lastFrame = e.spans.length ? e.spans[e.spans.length - 1].frame : d.lastFrame;
        d.lastTs = e.spans.length ? e.spans[e.spans.length - 1].timestampNs : d.lastTs;
        if (f.failed || d.closed) return; // ciphertext we will not open: not even framed
        if (d.firstEvent) {
          d.firstEvent = false;
          const clientHello = e.offset === 0 && ((e.bytes[0] === CONTENT_HANDSHAKE && (e.bytes.length < 6 || e.bytes[5] === HS_CLIENT_HELLO)) || isSsl2Hello(e.bytes));
          // Without a SYN the reassembler guesses the client; a ClientHello says who it is.
          if (clientHello && e.dir !== f.cdir && !f.ch && f.dirs[f.cdir].firstEvent) f.cdir = e.dir;
          if (e.offset !== 0 || (e.dir === f.cdir && !clientHello)) this.noteMissingStart(f, e.dir, d.lastFrame);
        }
        for (const s of e.spans) d.spans.push(s);
        if (d.spans.length > 65536) d.spans.splice(0, d.spans.length - 65536); // bounded even for 1-byte segments
        // The reader's offsets are TCP stream offsets: the same as the event's.
        this.records(f, e.dir, d.reader!.push(e.bytes, e.offset));
        return;
      }
    }
  }

  private noteMissingStart(f: FlowTls, dir: Direction, frame: number): void {
    if (dir === f.cdir && !f.ch) this.undecryptable(f, frame, 'handshake-missing', 'the capture does not hold the start of the TLS handshake (ClientHello)');
    if (dir !== f.cdir && !f.sh && !f.failed) this.undecryptable(f, frame, 'handshake-missing', 'the capture does not hold the start of the server side of the TLS handshake');
  }

  /** The frame holding stream byte `off` of a direction, and its time. */
  private frameAt(d: DirState, off: number): { frame: number; ts: bigint } {
    for (let k = d.spans.length - 1; k >= 0; k--) {
      const s = d.spans[k];
      if (off >= s.streamOffset && off < s.streamOffset + s.length) return { frame: s.frame, ts: s.timestampNs };
    }
    return { frame: d.lastFrame, ts: d.lastTs };
  }

  private prune(d: DirState, upTo: number): void {
    let k = 0;
    while (k < d.spans.length && d.spans[k].streamOffset + d.spans[k].length <= upTo) k++;
    if (k > 0) d.spans.splice(0, k);
  }

  private records(f: FlowTls, dir: Direction, evs: RecordEvent[]): void {
    const d = f.dirs[dir];
    for (const r of evs) {
      if (r.kind === 'error') {
        this.anomaly(f, dir, r.error.code, d.lastFrame, r.error.detail);
        if (!f.ch && !f.sh) this.undecryptable(f, d.lastFrame, 'handshake-missing', r.error.detail ?? 'not a TLS record stream');
        d.closed = true;
        continue;
      }
      const { frame, ts } = this.frameAt(d, r.end - 1);
      if (r.kind === 'record') this.record(f, dir, r.type, r.version, r.fragment, frame, ts, this.frameAt(d, r.start));
      else if (r.kind === 'lost') this.lostRecord(f, dir, r.type, r.length, r.tail, frame);
      else this.lostFraming(f, dir, r.end - r.start, frame);
      this.prune(d, r.end);
    }
  }

  private lostRecord(f: FlowTls, dir: Direction, type: number, length: number, tail: Uint8Array, frame: number): void {
    const d = f.dirs[dir];
    if (!d.encrypted) {
      if (type === CONTENT_HANDSHAKE) this.handshakeLost(f, dir, frame);
      return;
    }
    if (!d.dec || d.closed) return;
    const est = d.dec.lostLength(length, tail);
    d.dec.skipLost(length, tail);
    // TLS 1.3 hides the real type inside; an outer application_data record may be anything, but is data in practice.
    if (type !== CONTENT_APPLICATION_DATA) return;
    this.plainGap(f, dir, est.length, est.exact, frame);
  }

  /** A lost handshake record: the transcript is broken, and a message it held in part is unreadable. */
  private handshakeLost(f: FlowTls, dir: Direction, frame: number): void {
    f.transcriptOverflow = true;
    f.transcript = [];
    f.dirs[dir].hs = new HandshakeAssembler();
    f.dirs[dir].lostHandshake = true;
    this.anomaly(f, dir, 'tls.handshake-lost', frame, 'a handshake record was not captured');
  }

  private lostFraming(f: FlowTls, dir: Direction, bytes: number, frame: number): void {
    const d = f.dirs[dir];
    if (!d.encrypted && !f.failed) {
      this.handshakeLost(f, dir, frame);
      return;
    }
    if (!d.dec || d.closed) return;
    if (!d.dec.canResync) {
      // RC4: the keystream position after lost headers is unknown.
      d.closed = true;
      this.anomaly(f, dir, 'tls.lost-sync', frame, `${bytes} bytes were lost with record headers; a stream cipher cannot resume after that`);
      return;
    }
    d.seqUnknown = Math.min(MAX_SEQ_GUESS, 2 + Math.ceil(bytes / 22));
    // Each lost record cost at least a header and the cipher's overhead; the count is unknown.
    this.plainGap(f, dir, Math.max(0, bytes - 5 * Math.ceil(bytes / (MAX_FRAGMENT + 5))), false, frame);
  }

  private plainGap(f: FlowTls, dir: Direction, length: number, exact: boolean, frame: number): void {
    const d = f.dirs[dir];
    if (length <= 0 && exact) return;
    const ev: TlsGapEvent = { kind: 'gap', flow: f.flow, dir, offset: d.plainOffset, length, frame, lengthExact: exact };
    d.plainOffset += length;
    f.out.push(ev);
  }

  private record(
    f: FlowTls,
    dir: Direction,
    type: number,
    version: number,
    fragment: Uint8Array,
    frame: number,
    ts: bigint,
    start: { frame: number; ts: bigint },
  ): void {
    const d = f.dirs[dir];
    if (d.closed || f.failed) return; // nothing more to learn from ciphertext we cannot open
    const tls13 = f.version !== undefined && f.version >= TLS13;
    if (type === CONTENT_CHANGE_CIPHER_SPEC && (tls13 || !d.encrypted)) {
      if (!tls13) this.changeCipherSpec(f, dir, frame);
      return; // TLS 1.3 sends it only for middleboxes (RFC 8446 D.4)
    }
    if (type === CONTENT_ALERT && fragment.length === 2 && (!d.dec || tls13)) {
      // Two bytes can only be a clear alert (any protected record is longer):
      // a TLS 1.3 server refusing the handshake sends one after its ServerHello.
      this.alert(f, dir, fragment, frame);
      return;
    }
    if (type === CONTENT_SSL2_CLIENT_HELLO) {
      const ch = dir === f.cdir && !f.ch ? parseSsl2ClientHello(fragment) : null;
      if (!ch) {
        this.anomaly(f, dir, 'tls.bad-client-hello', frame, 'SSL 2.0-format ClientHello does not parse');
        return;
      }
      // RFC 5246 E.2: the transcript holds the SSL 2.0 message from msg_type on.
      f.ch = ch;
      f.chFrame = frame;
      this.addTranscript(f, { type: HS_CLIENT_HELLO, body: fragment, raw: fragment.slice() });
      return;
    }
    if (!d.encrypted) {
      if (type === CONTENT_HANDSHAKE) this.handshakeBytes(f, dir, fragment, frame);
      else if (type === CONTENT_ALERT && fragment.length === 2) this.alert(f, dir, fragment, frame); // a clear alert is 2 bytes
      else if (type === CONTENT_APPLICATION_DATA) {
        if (dir === f.cdir && !f.sh && f.ch?.earlyData) {
          // TLS 1.3 0-RTT data, under the early traffic secret: not followed.
          this.anomaly(f, dir, 'tls.early-data-unread', frame, 'the client sent 0-RTT early data, which is not decrypted');
        } else if (f.infoSent) {
          // The other direction decrypts, but this one's ChangeCipherSpec (and
          // what came with it) was not captured: only this direction is lost.
          d.closed = true;
          if (!d.lostHandshake) this.anomaly(f, dir, 'tls.handshake-lost', frame, 'this side switched to encryption in records that were not captured');
        } else this.undecryptable(f, frame, 'handshake-missing', 'application data before any handshake in the capture');
      }
      return;
    }
    if (!d.dec) {
      if (!f.undecryptableSent && !f.failed) this.whyNoKeys(f, frame);
      return;
    }
    const first = !d.sawFinished && !f.infoSent;
    const r = d.seqUnknown > 0 ? d.dec.decryptGuessing(type, version, fragment, d.seqUnknown) : d.dec.decrypt(type, version, fragment);
    if (!r.ok) {
      if (tls13 && dir === f.cdir && !d.sawFinished && f.ch?.earlyData && type === CONTENT_APPLICATION_DATA) {
        // Accepted 0-RTT data goes on under the early secret until EndOfEarlyData: skip it, keep the sequence.
        d.dec.seq -= 1n;
        this.anomaly(f, dir, 'tls.early-data-unread', frame, 'the client sent 0-RTT early data, which is not decrypted');
        return;
      }
      if (first && !d.sawFinished && this.expectingFinished(f, dir)) {
        // The first protected record is the Finished: failing it proves the keys wrong.
        this.keysWrong(f, frame, `${r.code}: ${r.detail}`);
        return;
      }
      this.anomaly(f, dir, 'tls.decrypt-failed', frame, `${r.code}: ${r.detail}`);
      if (++d.failures >= MAX_FAILURES) {
        // Not one record in a row opens: the stream is out of step, stop spending effort on it.
        d.closed = true;
        this.anomaly(f, dir, 'tls.lost-sync', frame, `${MAX_FAILURES} records in a row failed; the direction is not decrypted further`);
        return;
      }
      if (type === CONTENT_APPLICATION_DATA && f.suite && f.version !== undefined && d.seqUnknown === 0) {
        const est = plaintextLength(f.suite, f.version, fragment.length);
        this.plainGap(f, dir, est.length, est.exact, frame);
      }
      return;
    }
    d.seqUnknown = 0;
    d.failures = 0;
    switch (r.type) {
      case CONTENT_APPLICATION_DATA:
        if (r.plaintext.length === 0) return; // empty records (CBC countermeasures) carry nothing
        if (!f.infoSent) this.sendInfo(f, frame); // keys proven by the record's MAC or tag
        f.out.push({ kind: 'data', flow: f.flow, dir, offset: d.plainOffset, bytes: r.plaintext, spans: recordSpans(d.plainOffset, r.plaintext.length, start, { frame, ts }) });
        d.plainOffset += r.plaintext.length;
        return;
      case CONTENT_HANDSHAKE:
        this.handshakeBytes(f, dir, r.plaintext, frame);
        return;
      case CONTENT_ALERT:
        this.alert(f, dir, r.plaintext, frame);
        return;
      default:
        return; // heartbeat and others carry no HTTP
    }
  }

  private expectingFinished(f: FlowTls, dir: Direction): boolean {
    // TLS 1.3: the server's first protected message is EncryptedExtensions; any failure there is as telling.
    return f.version !== undefined && !f.dirs[dir].sawFinished;
  }

  private changeCipherSpec(f: FlowTls, dir: Direction, frame: number): void {
    const d = f.dirs[dir];
    d.encrypted = true;
    if (!d.pending && !f.failed && f.master && f.sh && f.ch) this.makeKeys12(f);
    d.dec = d.pending;
    d.pending = null;
    if (!d.dec && !f.failed && !f.undecryptableSent) this.whyNoKeys(f, frame);
  }

  // ---- handshake ---------------------------------------------------------

  private handshakeBytes(f: FlowTls, dir: Direction, fragment: Uint8Array, frame: number): void {
    const d = f.dirs[dir];
    const { messages, error } = d.hs!.push(fragment);
    if (error) this.anomaly(f, dir, error.code, frame, error.detail);
    for (const m of messages) this.handshakeMessage(f, dir, m, frame);
  }

  private addTranscript(f: FlowTls, m: HandshakeMessage): void {
    if (f.transcriptOverflow || (f.dirs.c2s.sawFinished && f.dirs.s2c.sawFinished)) return;
    if (f.transcriptBytes + m.raw.length > MAX_TRANSCRIPT) {
      f.transcriptOverflow = true;
      f.transcript = [];
      return;
    }
    f.transcript.push(m.raw);
    f.transcriptBytes += m.raw.length;
  }

  private handshakeMessage(f: FlowTls, dir: Direction, m: HandshakeMessage, frame: number): void {
    const d = f.dirs[dir];
    const tls13 = f.version !== undefined && f.version >= TLS13;
    if (m.type === HS_HELLO_REQUEST) return; // not part of the transcript (RFC 5246 7.4.1.1)
    if (m.type === HS_FINISHED) {
      this.finished(f, dir, m, frame);
      this.addTranscript(f, m);
      if (f.dirs.c2s.sawFinished && f.dirs.s2c.sawFinished) {
        // Handshake over: the transcript has served; keep per-flow memory small.
        f.transcript = [];
        f.transcriptBytes = 0;
      }
      return;
    }
    if (m.type === HS_NEW_SESSION_TICKET) {
      if (!tls13) {
        const t = parseNewSessionTicket12(m.body);
        if (t && t.length > 0) {
          if (f.master) this.remember(this.byTicket, hex(t), { master: f.master, keySource: f.keySource ?? 'rsa-key' });
          else f.pendingTicket = t;
        }
        this.addTranscript(f, m);
      }
      return;
    }
    if (m.type === HS_KEY_UPDATE && tls13) {
      this.keyUpdate(f, dir);
      return;
    }
    if (d.sawFinished && m.type === HS_CLIENT_HELLO) {
      this.anomaly(f, dir, 'tls.renegotiation', frame, 'a new handshake inside the session; its new keys are not followed');
      return;
    }
    if (m.type === HS_CLIENT_HELLO && dir === f.cdir) {
      const ch = parseClientHello(m.body);
      if (!ch) {
        this.anomaly(f, dir, 'tls.bad-client-hello', frame, 'ClientHello does not parse');
        return;
      }
      if (!f.ch) f.chFrame = frame;
      f.ch = ch;
      this.addTranscript(f, m);
      return;
    }
    if (m.type === HS_SERVER_HELLO && dir !== f.cdir) {
      this.addTranscript(f, m);
      this.serverHello(f, m, frame);
      return;
    }
    this.addTranscript(f, m);
    if (m.type === HS_CERTIFICATE && dir !== f.cdir) {
      const certs = parseCertificateList(m.body, tls13);
      if (certs && certs.length > 0) f.certModulus = certificateRsaModulus(certs[0]) ?? undefined;
      if (!f.master && f.suite?.kx === 'rsa') this.checkRsaKeys(f, frame);
      return;
    }
    if (m.type === HS_CLIENT_KEY_EXCHANGE && dir === f.cdir) this.clientKeyExchange(f, m, frame);
  }

  private serverHello(f: FlowTls, m: HandshakeMessage, frame: number): void {
    const sh = parseServerHello(m.body);
    if (!sh) {
      this.anomaly(f, other(f.cdir), 'tls.bad-server-hello', frame, 'ServerHello does not parse');
      return;
    }
    f.sh = sh;
    f.version = sh.version;
    const suite = CIPHER_SUITES.get(sh.cipherSuite);
    if (!suite) {
      this.undecryptable(f, frame, 'unsupported-cipher', `cipher suite ${suiteName(sh.cipherSuite)} is not supported`);
      return;
    }
    if ((suite.kx === 'tls13') !== (sh.version >= TLS13) || (suite.prfHash === 'sha384' && sh.version < TLS12 && suite.kx !== 'tls13')) {
      this.undecryptable(f, frame, 'unsupported-cipher', `${suite.name} does not go with ${versionName(sh.version)}`);
      return;
    }
    if (sh.compression !== 0) {
      this.undecryptable(f, frame, 'unsupported-cipher', `TLS compression method ${sh.compression} is not supported`);
      return;
    }
    if (sh.version < 0x0301) {
      this.undecryptable(f, frame, 'unsupported-cipher', `${versionName(sh.version)} is not supported`);
      return;
    }
    f.suite = suite;
    if (sh.version >= TLS13) {
      if (sh.helloRetry) {
        // RFC 8446 4.4.1: ClientHello1 is replaced by a message_hash of it.
        const ch1 = f.transcript[0];
        if (ch1 && f.transcript.length === 2) {
          const h = digest(suite.prfHash, ch1);
          f.transcript[0] = concatBytes(Uint8Array.of(HS_MESSAGE_HASH, 0, 0, h.length), h);
        }
        f.sh = undefined;
        return;
      }
      f.resumed = sh.pskAccepted;
      this.startTls13(f, frame);
      return;
    }
    if (!f.ch) return; // noted as handshake-missing already
    f.resumed = sh.sessionId.length > 0 && bytesEqual(sh.sessionId, f.ch.sessionId);
    const logged = this.keys.keyLog?.lookup(f.ch.random);
    if (logged?.masterSecret) {
      f.master = logged.masterSecret;
      f.keySource = logged.origin;
      this.makeKeys12(f);
      return;
    }
    if (f.resumed) {
      const t = f.ch.sessionTicket;
      const cached = (t && t.length > 0 ? this.byTicket.get(hex(t)) : undefined) ?? this.byId.get(hex(sh.sessionId));
      if (cached) {
        f.master = cached.master;
        f.keySource = cached.keySource;
        this.makeKeys12(f);
      } else {
        this.undecryptable(f, frame, 'handshake-missing', 'the session resumes one whose full handshake is not in the capture (and the key log has no CLIENT_RANDOM for it)');
      }
      return;
    }
    if (suite.kx !== 'rsa') {
      this.undecryptable(
        f,
        frame,
        this.hasKeyLog() ? 'no-key' : 'needs-key-log',
        this.hasKeyLog()
          ? `${suite.name} uses ephemeral keys and the key log has no CLIENT_RANDOM ${hex(f.ch.random)}`
          : `${suite.name} uses ephemeral (${suite.kx.toUpperCase()}) keys: only a key log can decrypt it`,
      );
    }
  }

  /**
   * The RSA keys to try for this server: those scoped to it, or, once the
   * certificate is known, those whose modulus matches it. A matching key
   * outside its scope still counts: the match proves it is the server's key
   * (Wireshark 4.0 matches by the public key alone, too).
   */
  private rsaCandidates(f: FlowTls): RsaKeyEntry[] {
    const scoped = keysForServer(this.keys.rsaKeys, serverOf(f).ip, serverOf(f).port);
    const cert = f.certModulus;
    if (!cert) return scoped;
    const fit = scoped.filter((e) => bytesEqual(e.key.modulus, cert));
    return fit.length > 0 ? fit : this.keys.rsaKeys.filter((e) => bytesEqual(e.key.modulus, cert));
  }

  private checkRsaKeys(f: FlowTls, frame: number): void {
    if (this.rsaCandidates(f).length > 0 || this.keys.keyLog) return; // a key log may still hold an RSA line
    const scoped = keysForServer(this.keys.rsaKeys, serverOf(f).ip, serverOf(f).port);
    if (scoped.length === 0) this.undecryptable(f, frame, 'no-key', `no RSA key for ${serverOf(f).ip}:${serverOf(f).port}`);
    else this.undecryptable(f, frame, 'key-mismatch', `none of the RSA keys (${scoped.map((e) => e.key.label).join(', ')}) matches the server certificate's public key`);
  }

  private clientKeyExchange(f: FlowTls, m: HandshakeMessage, frame: number): void {
    const ch = f.ch;
    const sh = f.sh;
    const suite = f.suite;
    if (!ch || !sh || !suite) return;
    const sessionHash = handshakeHash(sh.version, suite.prfHash, f.transcript);
    const ems = ch.extendedMasterSecret && sh.extendedMasterSecret;
    if (ems && f.transcriptOverflow && !f.master) {
      this.undecryptable(f, frame, 'handshake-missing', 'extended master secret needs every handshake message, and some were not captured');
      return;
    }
    if (f.master || suite.kx !== 'rsa' || f.undecryptableSent) return;
    const encrypted = parseRsaClientKeyExchange(m.body);
    if (!encrypted) return;
    const derive = (premaster: Uint8Array): Uint8Array =>
      ems ? extendedMasterSecret(sh.version, suite.prfHash, premaster, sessionHash) : masterSecret(sh.version, suite.prfHash, premaster, ch.random, sh.random);
    const logged = this.keys.keyLog?.lookupRsaPremaster(encrypted);
    if (logged) {
      f.master = derive(logged);
      f.keySource = 'key-log';
      this.makeKeys12(f);
      return;
    }
    const entries = this.rsaCandidates(f);
    let lastProblem = '';
    for (const e of entries) {
      const pm = decryptPremaster(e.key, encrypted, ch.version, sh.version);
      if (!pm.ok) {
        lastProblem = `${e.key.label}: ${pm.detail}`;
        continue;
      }
      if (!pm.versionMatches) this.anomaly(f, f.cdir, 'tls.premaster-version', frame, 'the pre-master secret does not start with the client version');
      f.master = derive(pm.premaster);
      f.keySource = 'rsa-key';
      this.makeKeys12(f);
      return;
    }
    if (entries.length === 0) {
      const scoped = keysForServer(this.keys.rsaKeys, serverOf(f).ip, serverOf(f).port);
      if (scoped.length === 0) this.undecryptable(f, frame, 'no-key', `no RSA key for ${serverOf(f).ip}:${serverOf(f).port}`);
      else this.undecryptable(f, frame, 'key-mismatch', `none of the RSA keys (${scoped.map((e) => e.key.label).join(', ')}) matches the server certificate's public key`);
    } else this.undecryptable(f, frame, 'key-mismatch', `the RSA key does not decrypt the pre-master secret (${lastProblem})`);
  }

  /** RFC 5246 6.3: split the key block into both directions' keys, armed for their ChangeCipherSpec. */
  private makeKeys12(f: FlowTls): void {
    const { ch, sh, suite, master } = f;
    if (!ch || !sh || !suite || !master) return;
    const ml = isAead(suite.cipher) ? 0 : macLength(suite.mac);
    const kl = keyLength(suite.cipher);
    // TLS 1.1+ CBC takes its IV from each record; the key block still holds
    // IVs at its end, which nothing reads.
    const il = fixedIvLength(suite.cipher);
    const kb = keyBlock(sh.version, suite.prfHash, master, ch.random, sh.random, 2 * (ml + kl + il));
    let o = 0;
    const take = (n: number): Uint8Array => kb.subarray(o, (o += n));
    const cMac = take(ml);
    const sMac = take(ml);
    const cKey = take(kl);
    const sKey = take(kl);
    const cIv = take(il);
    const sIv = take(il);
    const etm = ch.encryptThenMac && sh.encryptThenMac && !isAead(suite.cipher) && suite.cipher !== 'rc4-128';
    const mk = (keys: DirectionKeys): RecordDecryptor => new RecordDecryptor(suite, sh.version, keys, etm);
    f.dirs[f.cdir].pending = mk({ macKey: cMac, key: cKey, iv: cIv });
    f.dirs[other(f.cdir)].pending = mk({ macKey: sMac, key: sKey, iv: sIv });
    if (f.pendingTicket) {
      this.remember(this.byTicket, hex(f.pendingTicket), { master, keySource: f.keySource ?? 'rsa-key' });
      f.pendingTicket = undefined;
    }
  }

  private startTls13(f: FlowTls, frame: number): void {
    const suite = f.suite as CipherSuite;
    const ch = f.ch;
    if (!ch) return;
    const logged = this.keys.keyLog?.lookup(ch.random);
    const need: Tls13SecretLabel[] = ['SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'];
    f.dirs.c2s.encrypted = true;
    f.dirs.s2c.encrypted = true;
    if (!logged || need.some((l) => !logged.tls13[l])) {
      this.undecryptable(
        f,
        frame,
        this.hasKeyLog() ? 'no-key' : 'needs-key-log',
        this.hasKeyLog()
          ? `the key log has no TLS 1.3 handshake secrets for client random ${hex(ch.random)}`
          : 'TLS 1.3 always uses ephemeral keys: only a key log can decrypt it',
      );
      return;
    }
    f.secrets13 = logged;
    f.keySource = logged.origin;
    for (const [dir, label] of [
      [other(f.cdir), 'SERVER_HANDSHAKE_TRAFFIC_SECRET'],
      [f.cdir, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'],
    ] as const) {
      const secret = logged.tls13[label] as Uint8Array;
      const d = f.dirs[dir];
      d.secret13 = secret;
      d.dec = new RecordDecryptor(suite, TLS13, { macKey: new Uint8Array(0), ...tls13TrafficKeys(suite.prfHash, secret, keyLength(suite.cipher)) });
    }
  }

  private keyUpdate(f: FlowTls, dir: Direction): void {
    const d = f.dirs[dir];
    const suite = f.suite;
    if (!d.dec || !d.secret13 || !suite) return;
    d.secret13 = tls13NextSecret(suite.prfHash, d.secret13);
    d.dec.reset({ macKey: new Uint8Array(0), ...tls13TrafficKeys(suite.prfHash, d.secret13, keyLength(suite.cipher)) });
  }

  private finished(f: FlowTls, dir: Direction, m: HandshakeMessage, frame: number): void {
    const d = f.dirs[dir];
    d.sawFinished = true;
    const suite = f.suite;
    const version = f.version;
    if (!suite || version === undefined) return;
    let expected: Uint8Array | undefined;
    if (f.transcriptOverflow) {
      this.anomaly(f, dir, 'tls.finished-unchecked', frame, 'the handshake transcript is incomplete, so Finished cannot be checked');
    } else if (version >= TLS13) {
      const label: Tls13SecretLabel = dir !== f.cdir ? 'SERVER_HANDSHAKE_TRAFFIC_SECRET' : 'CLIENT_HANDSHAKE_TRAFFIC_SECRET';
      const base = f.secrets13?.tls13[label];
      if (base) expected = tls13FinishedVerifyData(suite.prfHash, base, digest(suite.prfHash, ...f.transcript));
    } else if (f.master) {
      expected = finishedVerifyData(version, suite.prfHash, f.master, dir === f.cdir ? 'client' : 'server', handshakeHash(version, suite.prfHash, f.transcript));
    }
    if (expected && !bytesEqual(expected, m.body)) {
      // The record's MAC or tag checked, so the keys are right; the transcript is not.
      this.anomaly(f, dir, 'tls.finished-mismatch', frame, 'Finished verify_data differs from the transcript captured');
    }
    if (!f.infoSent) this.sendInfo(f, frame);
    if (version < TLS13) {
      if (f.master && f.sh && f.sh.sessionId.length > 0) this.remember(this.byId, hex(f.sh.sessionId), { master: f.master, keySource: f.keySource ?? 'rsa-key' });
      return;
    }
    // TLS 1.3: after its Finished, each side switches to its application traffic secret.
    const appLabel: Tls13SecretLabel = dir !== f.cdir ? 'SERVER_TRAFFIC_SECRET_0' : 'CLIENT_TRAFFIC_SECRET_0';
    const app = f.secrets13?.tls13[appLabel];
    if (!app) {
      d.dec = null;
      this.anomaly(f, dir, 'tls.no-traffic-secret', frame, `the key log has no ${appLabel} for this session`);
      return;
    }
    d.secret13 = app;
    d.dec?.reset({ macKey: new Uint8Array(0), ...tls13TrafficKeys(suite.prfHash, app, keyLength(suite.cipher)) });
  }

  private alert(f: FlowTls, dir: Direction, body: Uint8Array, frame: number): void {
    if (body.length < 2) return;
    const level = body[0];
    const description = body[1];
    f.out.push({ kind: 'tls-alert', flow: f.flow, dir, frame, level, description, name: ALERTS[description] ?? `alert ${description}` });
    // RFC 5246 7.2.1/7.2.2: close_notify and fatal alerts end what this side sends.
    if (description === 0 || level === 2) f.dirs[dir].closed = true;
  }

  // ---- verdicts ----------------------------------------------------------

  private whyNoKeys(f: FlowTls, frame: number): void {
    if (!f.ch || !f.sh) {
      this.undecryptable(f, frame, 'handshake-missing', 'encrypted records without the handshake that made their keys');
      return;
    }
    if (f.suite?.kx === 'rsa') {
      const entries = keysForServer(this.keys.rsaKeys, serverOf(f).ip, serverOf(f).port);
      if (entries.length === 0) this.undecryptable(f, frame, 'no-key', `no RSA key for ${serverOf(f).ip}:${serverOf(f).port}`);
      else this.undecryptable(f, frame, 'handshake-missing', 'the ClientKeyExchange or the certificate was not captured');
      return;
    }
    this.undecryptable(f, frame, 'handshake-missing', 'the keys could not be derived from the handshake captured');
  }

  private keysWrong(f: FlowTls, frame: number, detail: string): void {
    f.failed = true;
    f.dirs.c2s.dec = null;
    f.dirs.s2c.dec = null;
    if (f.keySource === 'rsa-key') this.undecryptable(f, frame, 'key-mismatch', `the Finished message does not decrypt with keys from the RSA key (${detail})`);
    else this.undecryptable(f, frame, 'decrypt-failed', `the Finished message does not decrypt with the logged secrets (${detail})`);
  }

  private undecryptable(f: FlowTls, frame: number, reason: TlsUndecryptableReason, detail: string): void {
    if (f.undecryptableSent) return;
    f.undecryptableSent = true;
    f.failed = true;
    f.dirs.c2s.dec = f.dirs.c2s.pending = null;
    f.dirs.s2c.dec = f.dirs.s2c.pending = null;
    f.out.push({ kind: 'tls-undecryptable', flow: f.flow, frame, reason, detail, ...(f.chFrame !== undefined ? { clientHelloFrame: f.chFrame } : {}) });
  }

  private sendInfo(f: FlowTls, frame: number): void {
    if (f.infoSent || !f.suite || f.version === undefined || !f.keySource) return;
    f.infoSent = true;
    f.out.push({
      kind: 'tls-info',
      flow: f.flow,
      frame,
      version: versionName(f.version),
      cipherSuite: f.suite.name,
      keySource: f.keySource,
      resumed: f.resumed,
      ...(f.ch?.serverName ? { serverName: f.ch.serverName } : {}),
    });
  }

  private anomaly(f: FlowTls, dir: Direction, code: string, frame: number, detail?: string): void {
    const ev: TlsAnomalyEvent = { kind: 'anomaly', flow: f.flow, dir, code, frame, ...(detail ? { detail } : {}) };
    f.out.push(ev);
  }

  private remember(map: Map<string, CachedSession>, key: string, s: CachedSession): void {
    map.delete(key);
    map.set(key, s);
    if (map.size > MAX_CACHED_SESSIONS) map.delete(map.keys().next().value as string);
  }
}
