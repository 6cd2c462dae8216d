// Logs and a capture of the same run merged (src/logs/merge.ts) and judged
// (src/diagnose/rules/log-contradictions.ts). The capture and logs come from
// captures/make/logs/with-logs.sh: dus-with-logs.pcap, the server's own IIS and
// audit logs of that run, and a copy of each edited to contradict the capture.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture, type AnalysisResult } from '../../src/analysis.js';
import type { DusExchange } from '../../src/dus/model.js';
import { analyzeLogs } from '../../src/logs/log-findings.js';
import { parseLogText, type ParsedLog } from '../../src/logs/read-log.js';
import { CAPTURES } from '../helpers/cli.js';
import { FIXTURES, IIS_FIELDS } from './helpers.js';

const CAPTURE = join(CAPTURES, 'dus-with-logs.pcap');

function log(name: string, text?: string): ParsedLog {
  const l = parseLogText(name, text ?? readFileSync(FIXTURES + name));
  if (!l) throw new Error(`${name}: not a log`);
  return l;
}

async function run(logs: ParsedLog[], capture = CAPTURE): Promise<AnalysisResult> {
  return analyzeCapture(capture, { stdin: process.stdin }, undefined, { logs: analyzeLogs(logs) });
}

function exchange(r: AnalysisResult, test: (path: string, method: string) => boolean): DusExchange {
  const x = r.model.exchanges.find((e) => e.http.request && test(e.http.request.uri, e.http.request.method));
  if (!x) throw new Error('no such exchange');
  return x;
}

const nbt = (r: AnalysisResult) => exchange(r, (p) => p.endsWith('CPE.nbt'));
const cat = (r: AnalysisResult) => exchange(r, (p) => p.endsWith('CPE.cat'));
const checkIns = (r: AnalysisResult) => r.model.exchanges.filter((x) => x.cls.kind === 'check-in');

describe('the consistent pair', () => {
  it('puts every log line on the phone timeline, right after the exchange it records', async () => {
    const r = await run([log('dus-with-logs-audit.log'), log('dus-with-logs-iis.log')]);
    expect(r.model.phones).toHaveLength(1);
    const t = r.model.phones[0].timeline;
    expect(t.map((e) => (e.kind === 'log' ? `${e.source!.file}:${e.source!.line}` : e.kind))).toEqual([
      'check-in',
      'dus-with-logs-audit.log:2',
      'dus-with-logs-iis.log:5',
      'download',
      'dus-with-logs-iis.log:6',
      'download',
      'dus-with-logs-iis.log:7',
      'check-in',
      'dus-with-logs-audit.log:3',
      'dus-with-logs-iis.log:8',
    ]);
    // Each log entry names the frames of the exchange it follows.
    let last: number[] = [];
    for (const e of t) {
      if (e.kind === 'log') expect(e.frames).toEqual(last);
      else last = e.frames;
    }
    expect(t.find((e) => e.ref === 'dus-with-logs-iis.log:6')!.frames).toEqual([nbt(r).http.request!.frame, nbt(r).http.response!.frame]);
    expect(t[1].summary).toContain('offered http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt 3.5.6907.0');
    expect(t[2].summary).toBe('IIS log: POST /RequestHandler/ucdevice.upx answered 200, 0 ms');
  });

  it('ties all six lines to exchanges, learns the audit clock from the IIS log, and finds nothing wrong', async () => {
    const r = await run([log('dus-with-logs-audit.log'), log('dus-with-logs-iis.log')]);
    const logs = r.model.logs!;
    expect(logs.matches).toHaveLength(6);
    const [first, second] = checkIns(r);
    expect(logs.matches.filter((m) => m.audit).map((m) => m.exchange)).toEqual([first.id, second.id]);
    // The audit log is written an hour ahead of UTC (to_logs.py --zone 3600).
    expect(logs.auditClocks).toEqual([{ file: 'dus-with-logs-audit.log', seconds: -3600, from: 'iis-log' }]);
    expect(logs.unlogged).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(r.model.phones[0].timeline.some((e) => e.notes)).toBe(false);
    expect(r.model.phones[0].status).toBe('updated');
  });

  it('with the audit log alone learns its clock from the capture and settles its ambiguous dates by the check-ins', async () => {
    const r = await run([log('dus-with-logs-audit.log')]);
    const logs = r.model.logs!;
    expect(logs.auditClocks).toEqual([{ file: 'dus-with-logs-audit.log', seconds: -3600, from: 'capture' }]);
    expect(logs.matches.map((m) => m.exchange)).toEqual(checkIns(r).map((x) => x.id));
    const entry = r.model.phones[0].timeline.find((e) => e.ref === 'dus-with-logs-audit.log:2')!;
    expect(entry.notes).toEqual(['the Logging DateTime 03-06-2009 18:10:39 is ambiguous; the check-in it records settles it']);
    expect(entry.timeNs).toBe(checkIns(r)[0].http.request!.startNs);
    expect(r.findings).toEqual([]);
  });
});

describe('the edited pair (logs edited to contradict the capture)', () => {
  it('raises http-error for the status the IIS log gives and the capture does not, with the frame and the log line', async () => {
    const r = await run([log('dus-with-logs-edited-audit.log'), log('dus-with-logs-edited-iis.log')]);
    const x = nbt(r);
    const f = r.findings.filter((g) => g.code === 'http-error');
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('The IIS log and the capture disagree');
    expect(f[0].message).toContain('answered 500.19');
    expect(f[0].message).toContain(`the response in frame ${x.http.response!.frame} is 200 OK`);
    expect(f[0].evidence).toMatchObject({ frames: [x.http.response!.frame], exchanges: [x.id], lines: [{ file: 'dus-with-logs-edited-iis.log', line: 6 }] });
    expect(f[0].phone).toEqual({ mac: '0021630F207B', ip: '10.99.2.123' });
  });

  it('raises response-diff for the offer the audit log gives and the captured response does not', async () => {
    const r = await run([log('dus-with-logs-edited-audit.log'), log('dus-with-logs-edited-iis.log')]);
    const first = checkIns(r)[0];
    const f = r.findings.filter((g) => g.code === 'response-diff');
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('The audit log and the capture disagree');
    expect(f[0].message).toContain('CPE.nbt (3.5.6907.9)');
    expect(f[0].message).toContain(`the response in frame ${first.http.response!.frame} offers http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt (3.5.6907.0)`);
    expect(f[0].evidence).toMatchObject({ exchanges: [first.id], field: 'Files', lines: [{ file: 'dus-with-logs-edited-audit.log', line: 2 }] });
  });

  it('notes on the timeline the captured request the IIS log lacks (no finding code fits)', async () => {
    const r = await run([log('dus-with-logs-edited-audit.log'), log('dus-with-logs-edited-iis.log')]);
    const x = cat(r);
    expect(r.model.logs!.unlogged).toEqual([{ exchange: x.id, files: ['dus-with-logs-edited-iis.log'] }]);
    const entry = r.model.phones[0].timeline.find((e) => e.ref === x.id)!;
    expect(entry.notes).toEqual([
      'no line of the IIS log dus-with-logs-edited-iis.log records this request, though the log covers its time: the log and the capture disagree',
    ]);
    // Only that one: every other exchange is in the log.
    expect(r.model.phones[0].timeline.filter((e) => e.notes)).toHaveLength(1);
  });

  it("keeps the log's own finding for the 500.19 line, with a caveat that the capture says otherwise", async () => {
    const r = await run([log('dus-with-logs-edited-iis.log')]);
    const f = r.findings.filter((g) => g.code === 'download-forbidden-acl');
    expect(f).toHaveLength(1);
    expect(f[0].evidence.lines).toEqual([{ file: 'dus-with-logs-edited-iis.log', line: 6 }]);
    expect(f[0].evidence.exchanges).toEqual([nbt(r).id]);
    expect(f[0].caveat).toBe(`The capture disagrees with the log: dus-with-logs-edited-iis.log line 6 says 500.19, the response in frame ${nbt(r).http.response!.frame} is 200.`);
  });

  it('a status changed between two successes is response-diff, not http-error', async () => {
    const text = readFileSync(FIXTURES + 'dus-with-logs-iis.log', 'latin1').replace(/(CPE\.cat .*) 200 0 0 /, '$1 304 0 0 ');
    const r = await run([log('iis.log', text)]);
    expect(r.findings.map((f) => f.code)).toEqual(['response-diff']);
    expect(r.findings[0].message).toContain('answered 304');
    expect(r.findings[0].evidence.frames).toEqual([cat(r).http.response!.frame]);
  });
});

describe('placing lines the capture does not have', () => {
  const header = `#Software: Microsoft Internet Information Services 7.0\r\n${IIS_FIELDS}\r\n`;
  const line = (when: string, ip: string, stem: string, status = '200 0 0') =>
    `${when} 10.99.2.90 GET ${stem} - 80 - ${ip} Microsoft+UCPhone+Device ${status} 15\r\n`;

  it("puts a line of the phone's address on its timeline at the line's own time, and counts other phones' lines", async () => {
    const text =
      header +
      line('2009-03-05 10:00:00', '10.99.2.123', '/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt') +
      line('2009-03-05 10:00:05', '10.99.2.200', '/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt');
    const r = await run([log('old.log', text)]);
    const t = r.model.phones[0].timeline;
    expect(t[0]).toMatchObject({ kind: 'log', ref: 'old.log:3', frames: [], source: { file: 'old.log', line: 3 } });
    expect(t[0].timeNs).toBe(BigInt(Date.UTC(2009, 2, 5, 10, 0, 0)) * 1_000_000n);
    expect(t[0].notes).toBeUndefined(); // the day before the capture: it cannot say
    expect(r.model.logs!.otherPhoneLines).toBe(1);
    // The log covers no time of the capture: nothing is called missing from it.
    expect(r.model.logs!.unlogged).toEqual([]);
  });

  it('notes a line within the capture that no captured request matches', async () => {
    const text = header + line('2009-03-06 17:10:41', '10.99.2.123', '/DeviceUpdateFiles_Int/UCPhone/x/CPE.nbt', '404 0 2');
    const r = await run([log('ghost.log', text)]);
    const entry = r.model.phones[0].timeline.find((e) => e.kind === 'log')!;
    expect(entry.notes).toEqual(['the capture covers this time and holds no such request']);
    // The log finding stays (firmware-not-found from the log alone), naming the line.
    expect(r.findings.map((f) => [f.code, f.evidence.lines])).toEqual([['firmware-not-found', [{ file: 'ghost.log', line: 3 }]]]);
  });

  it('places an audit line by its MAC when the address differs', async () => {
    const text = readFileSync(FIXTURES + 'dus-with-logs-audit.log', 'latin1').replace(/,10\.99\.2\.123,/g, ',10.1.1.1,');
    const r = await run([log('moved-audit.log', text)]);
    expect(r.model.phones[0].timeline.filter((e) => e.kind === 'log').map((e) => e.ref)).toEqual(['moved-audit.log:2', 'moved-audit.log:3']);
    expect(r.model.logs!.matches).toHaveLength(2);
  });
});

describe('one event seen by both', () => {
  it('gives one finding whose evidence names the frames and the log line', async () => {
    const capture = join(CAPTURES, 'dus-download-forbidden-acl.pcap');
    const plain = await analyzeCapture(capture, { stdin: process.stdin });
    const acl = plain.findings.filter((f) => f.code === 'download-forbidden-acl');
    expect(acl.length).toBeGreaterThan(0);
    const x = plain.model.exchanges.find((e) => e.id === acl[0].evidence.exchanges![0])!;
    const when = new Date(Number(x.http.request!.startNs / 1_000_000n)).toISOString().slice(0, 19).replace('T', ' ');
    const text =
      `#Software: Microsoft Internet Information Services 7.0\r\n${IIS_FIELDS}\r\n` +
      `${when} ${x.http.server.ip} GET ${x.http.request!.uri} - 80 - ${x.http.client.ip} Microsoft+UCPhone+Device 500 19 5 31\r\n`;
    const r = await run([log('acl.log', text)], capture);
    const both = r.findings.filter((f) => f.code === 'download-forbidden-acl');
    expect(both).toHaveLength(acl.length);
    expect(both[0].evidence.frames).toEqual(acl[0].evidence.frames);
    expect(both[0].evidence.lines).toEqual([{ file: 'acl.log', line: 3 }]);
    expect(both[0].message).toBe(acl[0].message);
    // Log and capture agree on 500: no contradiction.
    expect(r.findings.filter((f) => f.message.includes('disagree'))).toEqual([]);
  });
});
