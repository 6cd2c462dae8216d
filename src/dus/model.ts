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

/** A decoded ucdevice.upx body, or why it could not be decoded. */
export type UpxResult<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

export interface DusExchange {
  /** The flows document's exchange id. */
  id: string;
  cls: DusClassification;
  http: HttpExchange;
  /** Check-ins: the decoded request and response bodies (absent when there was no body). */
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
  kind: 'check-in' | 'download' | 'connection-failed';
  /** Exchange id (check-in, download) or connection first frame. */
  ref: string;
  timeNs: bigint;
  frames: number[];
  /** Seconds since the previous entry of this phone, and what such a gap usually is. */
  gapSeconds?: number;
  gapMeaning?: 'idle-reboot' | 'daily-check' | undefined;
  summary: string;
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
}
