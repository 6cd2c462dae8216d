// Live capture through a child process, as Wireshark does with dumpcap: the
// program that needs privileges only captures, and upxray reads what it writes
// on stdout (`-w -`) with the same pcap/pcapng readers as files use. dumpcap is
// preferred (one child for several interfaces, pcapng); tcpdump is the fallback
// (one child per interface, classic pcap, merged here in arrival order).
//
// The children say why they failed, and how many packets were dropped, only on
// stderr: both are parsed here into one line for the user and into counts.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { DecodeError } from '../net/decode-error.js';
import { openCapture } from './open.js';
import { CaptureError, type CaptureInfo, type CaptureRecord, type CaptureSource } from './source.js';

export type CaptureTool = 'dumpcap' | 'tcpdump';

/** Tools in order of preference. */
export const CAPTURE_TOOLS: readonly CaptureTool[] = ['dumpcap', 'tcpdump'];

const SERVICE_PORTS = 'tcp port 80 or tcp port 443 or port 53 or port 67 or port 68';
/**
 * The Device Update Service's traffic: HTTP and HTTPS (check-ins, downloads),
 * DNS (ucupdates-r2 lookups) and DHCP (options 120/43 the phone needs). IP
 * fragments after the first carry no ports, so a port filter alone would lose
 * them and the datagram with them; a mirror port often delivers 802.1Q-tagged
 * frames, which a filter without `vlan` never matches.
 */
const SERVICE_TRAFFIC = `${SERVICE_PORTS} or (ip[6:2] & 0x1fff != 0) or (ip6 and ip6[6] == 44)`;
export const DEFAULT_FILTER = `(${SERVICE_TRAFFIC}) or (vlan and (${SERVICE_TRAFFIC}))`;

/** Packet counts the capture tools print when they stop. */
export interface CaptureStats {
  /** Packets written by the tool. */
  captured: number;
  /** Packets that matched the filter (kernel count). */
  received?: number;
  /** Dropped by the kernel (buffer full): upxray was too slow, or the link too busy. */
  droppedByKernel?: number;
  /** Dropped by the network interface or its driver. */
  droppedByInterface?: number;
  /** Dropped by the capture tool itself (dumpcap). */
  droppedByTool?: number;
}

/** The sum of several children's stats (missing counts stay missing only if all lack them). */
export function addStats(list: readonly CaptureStats[]): CaptureStats | undefined {
  if (list.length === 0) return undefined;
  const out: CaptureStats = { captured: 0 };
  for (const s of list) {
    out.captured += s.captured;
    for (const k of ['received', 'droppedByKernel', 'droppedByInterface', 'droppedByTool'] as const) {
      if (s[k] !== undefined) out[k] = (out[k] ?? 0) + s[k]!;
    }
  }
  return out;
}

/**
 * The counts a tool printed on stderr when it stopped, or undefined when it
 * printed none (killed hard, or failed before capturing).
 *   tcpdump: `12 packets captured` / `12 packets received by filter` / `0 packets dropped by kernel`
 *   dumpcap: `Packets captured: 12` / `Packets received/dropped on interface 'eth0': 12/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)`
 */
export function parseCaptureStats(tool: CaptureTool, stderr: string): CaptureStats | undefined {
  if (tool === 'tcpdump') {
    const num = (re: RegExp): number | undefined => {
      const m = re.exec(stderr);
      return m ? Number(m[1]) : undefined;
    };
    const captured = num(/^(\d+) packets? captured$/m);
    if (captured === undefined) return undefined;
    const s: CaptureStats = { captured };
    const received = num(/^(\d+) packets? received by filter$/m);
    const kernel = num(/^(\d+) packets? dropped by kernel$/m);
    const iface = num(/^(\d+) packets? dropped by interface$/m);
    if (received !== undefined) s.received = received;
    if (kernel !== undefined) s.droppedByKernel = kernel;
    if (iface !== undefined) s.droppedByInterface = iface;
    return s;
  }
  const cap = /^Packets captured: (\d+)$/m.exec(stderr);
  const per = [...stderr.matchAll(/^Packets received\/dropped on interface .*: (\d+)\/(\d+) \(pcap:(\d+)\/dumpcap:(\d+)\/flushed:(\d+)\/ps_ifdrop:(\d+)\)/gm)];
  if (!cap && per.length === 0) return undefined;
  const s: CaptureStats = { captured: cap ? Number(cap[1]) : 0 };
  if (per.length > 0) {
    s.received = 0;
    s.droppedByKernel = 0;
    s.droppedByTool = 0;
    s.droppedByInterface = 0;
    for (const m of per) {
      s.received += Number(m[1]);
      s.droppedByKernel += Number(m[3]);
      s.droppedByTool += Number(m[4]) + Number(m[5]);
      s.droppedByInterface += Number(m[6]);
    }
  }
  return s;
}

/** Total packets lost before upxray saw them. */
export function droppedTotal(s: CaptureStats | undefined): number {
  if (!s) return 0;
  return (s.droppedByKernel ?? 0) + (s.droppedByInterface ?? 0) + (s.droppedByTool ?? 0);
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

/**
 * Why a capture tool failed, in one line (without the `upxray: ` prefix), from
 * what it printed on stderr. Covers the failures users meet: a wrong interface
 * name, no privilege, a filter that does not compile.
 */
export function describeCaptureFailure(tool: CaptureTool, stderr: string, interfaces: readonly string[], filter: string): string {
  const text = stderr.replace(/\r/g, '');
  const noDev =
    /^tcpdump: (.+?): No such device exists/m.exec(text) ??
    /There is no device named "(.+?)"/.exec(text) ??
    /^(?:tcpdump|dumpcap): (.+?): No such device/m.exec(text) ??
    /[Ii]nterface '?"?(.+?)'?"? (?:doesn't exist|does not exist)/.exec(text);
  if (noDev || /No such device exists/.test(text)) {
    const name = noDev?.[1] ?? interfaces.join(', ');
    return `no such interface: ${name} (${tool} cannot open it; 'ip link' lists the interfaces)`;
  }
  const perm = /^tcpdump: (.+?): You don't have permission/m.exec(text) ?? /permission to capture on device "(.+?)"/.exec(text);
  if (perm || /don't have permission|do not have permission|Operation not permitted/.test(text)) {
    const name = perm?.[1] ?? interfaces.join(', ');
    return `no permission to capture on ${name}: run upxray as root, or give ${tool} the CAP_NET_RAW and CAP_NET_ADMIN capabilities`;
  }
  const badFilter = /can't parse filter expression: ?([^)\n]*)/.exec(text);
  if (badFilter || /Invalid capture filter/.test(text)) {
    const why = badFilter?.[1]?.trim();
    return `bad capture filter ${JSON.stringify(filter)}${why ? `: ${why}` : ''}`;
  }
  if (/that device is not up|is not up\b/i.test(text)) {
    return `interface ${interfaces.join(', ')} is down: bring it up first ('ip link set <name> up')`;
  }
  // Anything else: the tool's own first meaningful line.
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(Capturing on|listening on|tcpdump: listening on|File: )/.test(l));
  const line = lines[0] ?? 'it exited before capturing anything';
  return `${tool} failed: ${line.replace(/^(tcpdump|dumpcap): /, '')}`;
}

/** The first of `names` that is an executable file on `path` (a PATH-style list). */
export function findTool(names: readonly CaptureTool[], path: string | undefined): { tool: CaptureTool; file: string } | undefined {
  const dirs = (path ?? '').split(delimiter).filter((d) => d !== '');
  for (const tool of names) {
    for (const dir of dirs) {
      const file = join(dir, tool);
      try {
        if (!statSync(file).isFile()) continue;
        accessSync(file, fsConstants.X_OK);
        return { tool, file };
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** The children to run: dumpcap takes every interface at once; tcpdump one each. */
export function captureCommands(tool: CaptureTool, interfaces: readonly string[], filter: string): string[][] {
  if (tool === 'dumpcap') {
    // Options before the first -i apply to every interface. -q: no packet
    // counter on stderr (the stats at exit are still printed).
    // -B: a kernel buffer of 16 MiB per interface (default 2) rides out bursts.
    return [['-q', '-B', '16', '-f', filter, ...interfaces.flatMap((i) => ['-i', i]), '-w', '-']];
  }
  // -U: write each packet as it comes (not a 4 KB buffer); -n: no DNS lookups
  // from tcpdump itself; -B: a kernel buffer of 16 MiB (in KiB) rides out
  // bursts. No --immediate-mode: on Linux it gives up the block ring for one
  // slot per snap length (64 packets in 16 MiB) and drops in any burst; the
  // price is that packets reach upxray in blocks, at most a second late.
  return interfaces.map((i) => ['-n', '-U', '-B', '16384', '-i', i, '-w', '-', filter]);
}

export interface LiveCaptureOptions {
  /** Interfaces to capture on (at least one). */
  interfaces: readonly string[];
  /** BPF capture filter. @default DEFAULT_FILTER */
  filter?: string;
  /** Force a tool instead of dumpcap-then-tcpdump. */
  tool?: CaptureTool;
  /** PATH to search for the tool. @default process.env.PATH */
  path?: string;
}

/** How the capture ended. */
export interface LiveExit {
  stats?: CaptureStats;
  /** Set when a child failed after starting (the interface went away...). */
  error?: string;
}

/** Largest stderr tail kept per child: enough for the error text and the stats. */
const STDERR_KEEP = 16 * 1024;

interface Child {
  proc: ChildProcess;
  stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(file: string, args: string[]): Child {
  const proc = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = {
    proc,
    stderr: '',
    exited: new Promise((resolve) => {
      proc.once('error', () => resolve({ code: null, signal: null }));
      proc.once('close', (code, signal) => resolve({ code, signal }));
    }),
  };
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (s: string) => {
    child.stderr += s;
    if (child.stderr.length > STDERR_KEEP) child.stderr = child.stderr.slice(-STDERR_KEEP);
  });
  return child;
}

/** A running capture: its records as a CaptureSource, and how to stop it. */
export class LiveCapture implements CaptureSource {
  readonly info: CaptureInfo;
  private delivered = 0;
  private stopping = false;

  constructor(
    readonly tool: CaptureTool,
    readonly interfaces: readonly string[],
    readonly filter: string,
    private readonly children: readonly Child[],
    private readonly sources: readonly CaptureSource[],
  ) {
    const first = sources[0].info;
    this.info = { format: first.format, gzip: false, snapLen: first.snapLen, comments: [] };
  }

  get warnings(): readonly DecodeError[] {
    return this.sources.flatMap((s) => s.warnings);
  }

  get recordCount(): number {
    return this.delivered;
  }

  /** Whether stop() was called. */
  get stopped(): boolean {
    return this.stopping;
  }

  /**
   * Ask the children to stop (SIGTERM: they flush what they hold and print
   * their counts). The records already written still arrive; batches() ends
   * when the last child has closed its stdout.
   */
  stop(): void {
    this.stopping = true;
    for (const c of this.children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGTERM');
  }

  /** Stop at once (a second Ctrl-C): counts may be lost. */
  kill(): void {
    this.stopping = true;
    for (const c of this.children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  }

  /** Resolves when every child has exited, with their summed counts. */
  async done(): Promise<LiveExit> {
    const exits = await Promise.all(this.children.map((c) => c.exited));
    const stats = addStats(this.children.map((c) => parseCaptureStats(this.tool, c.stderr)).filter((s): s is CaptureStats => s !== undefined));
    const out: LiveExit = {};
    if (stats) out.stats = stats;
    exits.forEach((e, i) => {
      // Exit 0, or killed by our own signal, is a normal end.
      if (out.error === undefined && e.code !== 0 && !(this.stopping && e.signal !== null) && !(this.stopping && e.code === null)) {
        out.error = describeCaptureFailure(this.tool, this.children[i].stderr, this.interfaces, this.filter);
      }
    });
    return out;
  }

  /**
   * Every child's records in arrival order, renumbered 1, 2, 3... so frame
   * numbers are those of the file written from them. Each child's batch is
   * handed on whole; a child is asked for its next batch only after the
   * consumer has finished with its previous one (its data stays valid).
   */
  async *batches(signal?: AbortSignal): AsyncIterable<readonly CaptureRecord[]> {
    const its = this.sources.map((s) => s.batches(signal)[Symbol.asyncIterator]());
    const pending = new Map<number, Promise<{ i: number; r: IteratorResult<readonly CaptureRecord[]> }>>();
    const arm = (i: number): void => {
      pending.set(
        i,
        its[i].next().then((r) => ({ i, r })),
      );
    };
    its.forEach((_, i) => arm(i));
    try {
      while (pending.size > 0) {
        const { i, r } = await Promise.race(pending.values());
        if (r.done) {
          pending.delete(i);
          continue;
        }
        for (const rec of r.value) {
          rec.frame = ++this.delivered;
          // Interface ids of different children would collide: offset by child.
          if (its.length > 1) rec.interfaceId = i;
        }
        yield r.value;
        arm(i);
      }
    } finally {
      for (const it of its) await it.return?.();
    }
  }
}

/**
 * Start capturing. Resolves once every child has written its file header (it
 * is capturing); rejects with a one-line CaptureError when no tool is
 * installed, an interface does not exist, or capturing is not permitted.
 */
export async function startLiveCapture(opts: LiveCaptureOptions): Promise<LiveCapture> {
  const filter = opts.filter ?? DEFAULT_FILTER;
  if (opts.interfaces.length === 0) throw new CaptureError('upxray: live capture needs an interface (-i)', 'live.no-interface');
  const found = findTool(opts.tool ? [opts.tool] : CAPTURE_TOOLS, opts.path ?? process.env.PATH);
  if (!found) {
    const want = opts.tool ?? 'dumpcap (Wireshark) or tcpdump';
    throw new CaptureError(`upxray: live capture needs ${want}, and none is on PATH: install one (e.g. apt-get install tcpdump)`, 'live.no-capture-tool');
  }
  const children = captureCommands(found.tool, opts.interfaces, filter).map((args) => startChild(found.file, args));
  const killAll = (): void => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  };
  const sources: CaptureSource[] = [];
  for (const c of children) {
    const spawnError = new Promise<never>((_, reject) => c.proc.once('error', (e) => reject(e)));
    spawnError.catch(() => {});
    try {
      sources.push(await Promise.race([openCapture('-', { stdin: c.proc.stdout! }), spawnError]));
    } catch (e) {
      // The header never came: the child failed; its stderr says why.
      killAll();
      await c.exited;
      const errno = (e as NodeJS.ErrnoException)?.code;
      if (errno === 'EACCES') throw new CaptureError(`upxray: cannot run ${found.file}: permission denied`, 'live.tool-not-runnable');
      if (errno === 'ENOENT') throw new CaptureError(`upxray: cannot run ${found.file}: not found`, 'live.tool-not-runnable');
      throw new CaptureError(`upxray: ${describeCaptureFailure(found.tool, c.stderr, opts.interfaces, filter)}`, 'live.capture-failed');
    }
  }
  return new LiveCapture(found.tool, opts.interfaces, filter, children, sources);
}
