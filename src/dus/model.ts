// The Device Update Service as seen in one capture: every exchange classified
// and decoded, the phones with their timelines, the connection attempts, and
// what the capture can and cannot show. Diagnosis rules read only this.
import type { CaptureJson } from '../report/flows-json.js';
import type { HttpExchange } from '../http/exchanges.js';
import type { DecodeError } from '../net/decode-error.js';
import type { ConnectionRecord } from '../reassembly/connection-log.js';
import type { DusClassification } from './exchange-kind.js';
import type { DiscoveryFacts } from './discovery.js';
import type { TlsReport } from '../pipeline.js';
import type { Inventory } from './inventory.js';
import type { UpxRequest, UpxResponse } from './upx-types.js';
import type { AuditRecord } from '../logs/audit-log.js';
import type { IisEntry } from '../logs/iis-log.js';
import type { LogAnalysis } from '../logs/log-findings.js';

/** A decoded ucdevice.upx body, or why it could not be decoded. */
export type UpxResult<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

export interface DusExchange {
  /** The flows document's exchange id. */
  id: string;
  /** Frozen and shared: every exchange with the same method and target gets the same object (classify's memo). */
  cls: DusClassification;
  http: HttpExchange;
  /**
   * Check-ins: the decoded request and response bodies (absent when there was no body).
   * Frozen and shared: exchanges with the same body bytes get the same object (upx-decode-cache.ts); never edit one in place.
   */
  upxRequest?: UpxResult<UpxRequest>;
  upxResponse?: UpxResult<UpxResponse>;
  /** Key of the phone it belongs to (Phone.key). */
  phone: string;
  /** For a download: the check-in whose response offered this URL, if any. */
  offeredBy?: string;
  /**
   * For a download not offered itself: the check-in whose response offered a
   * file in the same folder (the CPE.cat beside an offered CPE.nbt).
   */
  offeredBeside?: string;
}

export interface TimelineEntry {
  /** `log`: a line of a server log (`--audit-log`, `--iis-log`) of this phone. */
  kind: 'check-in' | 'download' | 'connection-failed' | 'log';
  /** Exchange id (check-in, download), connection first frame, or `file:line` of a log line. */
  ref: string;
  timeNs: bigint;
  frames: number[];
  /** Seconds since the previous entry of this phone, and what such a gap usually is. */
  gapSeconds?: number;
  gapMeaning?: 'idle-reboot' | 'daily-check' | undefined;
  summary: string;
  /** For a log line: its file and 1-based line. */
  source?: LogLineRef;
  /** What the logs and the capture say against each other about this entry, in words. */
  notes?: string[];
}

/** A line of a server log. */
export interface LogLineRef {
  file: string;
  line: number;
}

/** A log line tied to the exchange of the capture it records. */
export interface LogMatch {
  source: LogLineRef;
  /** Exchange id. */
  exchange: string;
  /** The line itself: an IIS request or an audit check-in. */
  iis?: IisEntry;
  audit?: AuditRecord;
  /** Log time (on the capture's clock) minus the exchange's request time. */
  skewSeconds: number;
}

/** The server logs given with the capture, placed against it (src/logs/merge.ts). */
export interface ModelLogs {
  analysis: LogAnalysis;
  matches: LogMatch[];
  /** Service exchanges the IIS logs do not show, though one of them covers the exchange's time and server. */
  unlogged: Array<{ exchange: string; files: string[] }>;
  /** Per audit file: capture clock (UTC) minus the file's Logging DateTime, when known, and how it was learned. */
  auditClocks: Array<{ file: string; seconds?: number; from?: 'iis-log' | 'capture' }>;
  /** Log lines of phones the capture does not show, left off every timeline. */
  otherPhoneLines: number;
  /** Log lines of capture phones left off because a phone's timeline reached its cap. */
  cappedLines: number;
  /** Log lines of capture phones left off because their date is not a date and no exchange dates them. */
  undatedLines: number;
}

export interface Phone {
  /** MAC (12 upper-case hex digits) when known, else `ip:<address>`. */
  key: string;
  mac?: string;
  ips: string[];
  serials: string[];
  vendor?: string;
  model?: string;
  revision?: string;
  locale?: string;
  /** The CPE version the phone last reported. */
  version?: string;
  exchanges: string[];
  timeline: TimelineEntry[];
  status: 'updated' | 'up-to-date' | 'updating' | 'stuck' | 'failing' | 'unknown';
}

/** What the capture can show, said before any finding (absence of evidence needs a whole capture). */
export interface CaptureHealth {
  records: number;
  /** Frames cut by the snap length. */
  snapCut: number;
  tcpHoles: number;
  tcpHoleBytes: number;
  retransmissions: number;
  oneSidedFlows: number;
  /** HTTPS connections whose content cannot be read. */
  unreadableTls: number;
  /** True when nothing above says the capture missed traffic. */
  whole: boolean;
  notes: string[];
}

export interface DusModel {
  captures: CaptureJson[];
  exchanges: DusExchange[];
  phones: Phone[];
  connections: ConnectionRecord[];
  /** Ethernet source MAC (12 upper-case hex digits) of each connection's client IP, where the link layer had one. */
  macOfClient?: Record<string, string>;
  health: CaptureHealth;
  /** Capture end time, for "not within the capture" judgements. */
  endNs: bigint;
  /** DNS lookups of the update server's name and DHCP offers to phones, when the capture has them. */
  discovery?: DiscoveryFacts;
  /** What the TLS layer said of each TLS connection: decrypted how, or why not. */
  tls?: TlsReport;
  /** The server's inventory (`--inventory`): what each check-in should have been answered. */
  inventory?: Inventory;
  /** A known-good response body (`--expected`) every check-in response is compared with. */
  expected?: UpxResponse;
  /** Server logs given with the capture (`--audit-log`, `--iis-log`). */
  logs?: ModelLogs;
  /**
   * Where the service's exchanges of the whole capture went, when the model
   * holds only a part of them (analysis-parts.ts); rules gather it from
   * `exchanges` otherwise.
   */
  serviceEnds?: ServiceEnds;
}

/** The server ports check-ins used and the servers that answered the service's requests. */
export interface ServiceEnds {
  checkInPorts: ReadonlySet<number>;
  serviceHosts: ReadonlySet<string>;
}
