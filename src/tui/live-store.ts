// What the live dashboard shows, kept outside React: the live session pushes
// into it (events, snapshots, counters, downloads in flight) and the dashboard
// reads it with useSyncExternalStore. Every change makes a new state object,
// so React sees it; listeners are told at most every `notifyMs`, so a busy
// link re-renders a few times a second, not once per packet.
import type { AnalysisResult } from '../analysis.js';
import type { CaptureStats } from '../capture/live.js';
import type { Finding } from '../diagnose/finding.js';
import { phoneStatus } from '../dus/phone-status.js';
import type { DownloadInFlight } from '../live/download-progress.js';
import { findingKey } from '../live/finding-tracker.js';
import { isServiceTraffic } from '../live/live-events.js';
import type { LiveEvent } from '../live/live-session.js';

/** A finding as the feed shows it: newest first, withdrawn ones marked. */
export interface FeedFinding {
  /** Order of arrival, from 1. */
  seq: number;
  finding: Finding;
  /** Capture time when it was told. */
  atNs: bigint;
  withdrawn: boolean;
}

export interface LiveState {
  /** `live:eth0` */
  label: string;
  /** `tcpdump`, `dumpcap` */
  tool: string;
  /**
   * The analysis at the last diagnosis, with only the findings told so far:
   * one resting on an absence (no download yet) waits to settle before the
   * feed tells it, and the phones' badges and counts wait with it.
   */
  result?: AnalysisResult;
  /** Packets read from the capture tool. */
  packets: number;
  /** HTTP exchanges completed, and how many of them were the service's. */
  exchanges: number;
  serviceExchanges: number;
  /** Newest first, at most MAX_FEED. */
  feed: FeedFinding[];
  /** Findings told (withdrawn ones included). */
  told: number;
  downloads: DownloadInFlight[];
  /** Drop counts, when the capture tool has given them. */
  stats?: CaptureStats;
  /** Wall-clock ms when the capture started. */
  startedMs: number;
  /** The user asked to stop; the analysis is finishing. */
  stopping: boolean;
}

/** Findings kept in the feed. @default 500 */
export const MAX_FEED = 500;

export class LiveStore {
  private state: LiveState;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  /** findingKey of every finding told and not withdrawn. */
  private readonly told = new Set<string>();

  constructor(
    init: { label: string; tool: string; startedMs?: number },
    private readonly notifyMs = 100,
  ) {
    this.state = { label: init.label, tool: init.tool, packets: 0, exchanges: 0, serviceExchanges: 0, feed: [], told: 0, downloads: [], startedMs: init.startedMs ?? Date.now(), stopping: false };
  }

  getState = (): LiveState => this.state;

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  };

  /** A live session event (exchange, finding, withdrawn). */
  event(e: LiveEvent): void {
    const s = this.state;
    if (e.kind === 'exchange') {
      this.set({ exchanges: s.exchanges + 1, serviceExchanges: s.serviceExchanges + (isServiceTraffic(e.exchange) ? 1 : 0) });
    } else if (e.kind === 'finding') {
      this.told.add(findingKey(e.finding));
      const told = s.told + 1;
      this.set({ told, feed: [{ seq: told, finding: e.finding, atNs: e.nowNs, withdrawn: false }, ...s.feed].slice(0, MAX_FEED) });
    } else {
      const f = e.finding;
      this.told.delete(findingKey(f));
      this.set({ feed: s.feed.map((x) => (x.finding === f ? { ...x, withdrawn: true } : x)) });
    }
  }

  /** The analysis after a diagnosis. */
  snapshot(result: AnalysisResult): void {
    const findings = result.findings.filter((f) => this.told.has(findingKey(f)));
    if (findings.length === result.findings.length) {
      this.set({ result });
      return;
    }
    const m = result.model;
    const phones = m.phones.map((p) => ({ ...p, status: phoneStatus(p, m, findings) }));
    this.set({ result: { ...result, findings, model: { ...m, phones } } });
  }

  /** Counters that move with every packet (polled by the caller). */
  counters(c: { packets?: number; downloads?: DownloadInFlight[]; stats?: CaptureStats }): void {
    const s = this.state;
    const next: Partial<LiveState> = {};
    if (c.packets !== undefined && c.packets !== s.packets) next.packets = c.packets;
    if (c.downloads !== undefined && !sameDownloads(c.downloads, s.downloads)) next.downloads = c.downloads;
    if (c.stats !== undefined) next.stats = c.stats;
    if (Object.keys(next).length > 0) this.set(next);
  }

  stopping(): void {
    if (!this.state.stopping) this.set({ stopping: true }, true);
  }

  /** Tell listeners now (and cancel a pending notification). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const fn of this.listeners) fn();
  }

  private set(patch: Partial<LiveState>, now = false): void {
    this.state = { ...this.state, ...patch };
    if (now) {
      this.flush();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.notifyMs);
    this.timer.unref();
  }
}

function sameDownloads(a: readonly DownloadInFlight[], b: readonly DownloadInFlight[]): boolean {
  return a.length === b.length && a.every((d, i) => d.flow === b[i].flow && d.received === b[i].received && d.status === b[i].status && d.total === b[i].total);
}
