#!/usr/bin/env node
// Soak benchmark for `upxray live` (not a test: it prints figures, it asserts
// nothing). Feeds a long synthetic stream through the live session exactly as
// a capture child would (batches of records), with the ring writer on, and
// prints the process's memory as the stream goes on.
//
// The stream is what a busy mirror port carries: mostly unrelated web traffic
// (the HTTP captures of captures/, replayed with fresh client ports and moved
// on in time) and, now and then, a phone's whole update story (dus-demo.pcap).
//
//   npm run build && node --expose-gc bench/live-soak.mjs [records] [every-n-loops]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCapture } from '../dist/capture/open.js';
import { RingWriter } from '../dist/capture/ring-writer.js';
import { runLiveSession } from '../dist/live/live-session.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOTAL = Number(process.argv[2] ?? 3_000_000);
const DUS_EVERY = Number(process.argv[3] ?? 200);
const LOOP_NS = 2_000_000_000n; // each loop is 2 s of capture time later than the previous

async function load(name) {
  const src = await openCapture(join(ROOT, 'captures', name));
  const out = [];
  for await (const b of src.batches()) {
    for (const r of b) out.push({ ...r, data: Uint8Array.from(r.data) });
  }
  const t0 = out[0].timestampNs;
  for (const r of out) r.timestampNs -= t0;
  return out;
}

/** Move the client's TCP port (the one that is not 80/443) so each loop is new connections. */
function report(data, loop) {
  const out = Uint8Array.from(data);
  if (out.length < 34 || out[12] !== 0x08 || out[13] !== 0x00 || out[23] !== 6) return out; // Ethernet, IPv4, TCP only
  const ihl = (out[14] & 0x0f) * 4;
  const t = 14 + ihl;
  if (out.length < t + 4) return out;
  for (const at of [t, t + 2]) {
    const port = (out[at] << 8) | out[at + 1];
    if (port === 80 || port === 443) continue;
    const moved = 1024 + ((port + loop * 7) % 64000);
    out[at] = moved >> 8;
    out[at + 1] = moved & 0xff;
  }
  return out;
}

const other = [...(await load('http-keepalive.pcap')), ...(await load('http-statuses.pcap'))];
const dus = await load('dus-demo.pcap');
const dir = mkdtempSync(join(tmpdir(), 'upx-soak-'));
const ring = new RingWriter(join(dir, 'soak.pcapng'), { files: 3, maxBytes: 16 * 1024 * 1024 });

let produced = 0;
const source = {
  info: { format: 'pcapng', gzip: false, snapLen: 262144, comments: [] },
  warnings: [],
  get recordCount() {
    return produced;
  },
  async *batches() {
    for (let loop = 0; produced < TOTAL; loop++) {
      const base = BigInt(loop) * LOOP_NS + 1_700_000_000_000_000_000n;
      const recs = loop % DUS_EVERY === 0 ? [...other, ...dus] : other;
      const batch = recs.map((r) => ({ ...r, frame: ++produced, timestampNs: base + r.timestampNs, data: report(r.data, loop) }));
      yield batch;
    }
  },
};

const mb = (n) => (n / 1024 / 1024).toFixed(1);
const rows = [];
let exchanges = 0;
let findings = 0;
let nextMark = 0;
const started = Date.now();
const sample = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  const row = { records: produced, hours: (Number(BigInt(Math.floor(produced / other.length)) * LOOP_NS) / 3.6e12).toFixed(1), exchanges, findings, rss: mb(m.rss), heap: mb(m.heapUsed), seconds: ((Date.now() - started) / 1000).toFixed(0) };
  rows.push(row);
  console.log(`${String(row.records).padStart(9)} records  ${row.hours.padStart(5)} h of capture  ${String(row.exchanges).padStart(8)} exchanges  ${String(row.findings).padStart(4)} findings told  rss ${row.rss.padStart(6)} MB  heap ${row.heap.padStart(6)} MB  (${row.seconds} s)`);
};

const r = await runLiveSession(source, {
  label: 'soak',
  onEvent: (e) => {
    if (e.kind === 'exchange') exchanges++;
    else if (e.kind === 'finding') findings++;
  },
  onBatch: (batch) => {
    for (const rec of batch) ring.write(rec);
    ring.flush();
    if (produced >= nextMark) {
      sample();
      nextMark += TOTAL / 20;
    }
  },
});
ring.close();
sample();
const onDisk = ring.paths.reduce((n, p) => n + statSync(p).size, 0);
console.log(`done: ${r.pipeline.records} records, ${r.result.model.connections.length} TCP connections remembered, ${r.result.model.phones.length} phone(s), ${r.result.findings.length} finding(s) at the end, ${r.otherDropped} unrelated exchanges forgotten, ${r.diagnoses} diagnoses; ring: ${ring.paths.length} files, ${mb(onDisk)} MB on disk after ${ring.rotations} rotations`);
rmSync(dir, { recursive: true, force: true });
