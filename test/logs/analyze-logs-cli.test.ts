// `upxray analyze CAPTURE --audit-log FILE --iis-log FILE` end to end: the text
// report, the JSON document against schemas/analyze.schema.json, and the usage
// errors of the two options.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { CAPTURES, ROOT, cli } from '../helpers/cli.js';
import { FIXTURES } from './helpers.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/analyze.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const CAPTURE = join(CAPTURES, 'dus-with-logs.pcap');
const args = (prefix: string) => [CAPTURE, '--audit-log', FIXTURES + `dus-with-logs-${prefix}audit.log`, '--iis-log', FIXTURES + `dus-with-logs-${prefix}iis.log`];

describe('analyze --audit-log --iis-log', () => {
  it('prints log lines on the timeline with file and line, and no findings for the consistent pair', async () => {
    const r = await cli(['analyze', ...args('')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('IIS log: GET /DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.cat answered 200, 2 ms');
    expect(r.stdout).toContain('dus-with-logs-iis.log:7');
    expect(r.stdout).toMatch(/Audit log .*dus-with-logs-audit\.log: 2 check-in\(s\), 2 seen in the capture; clock -1 h 0 min to the capture's \(from the IIS log\)/);
    expect(r.stdout).toMatch(/IIS log .*dus-with-logs-iis\.log: 4 request\(s\), 4 seen in the capture/);
    expect(r.stdout).not.toContain('note:');
    expect(r.stdout).toContain('Summary: 1 phone(s), 0 error(s), 0 warning(s), 0 info');
  });

  it('prints the contradictions with their log lines, and the missing line as a note', async () => {
    const r = await cli(['analyze', ...args('edited-'), '--fail-on', 'warning']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/http-error {2}The IIS log and the capture disagree/);
    expect(r.stdout).toMatch(/frames 83 · exchange 1\.1 · field status line · log .*dus-with-logs-edited-iis\.log:6/);
    expect(r.stdout).toMatch(/response-diff {2}The audit log and the capture disagree/);
    expect(r.stdout).toMatch(/note: no line of the IIS log .*dus-with-logs-edited-iis\.log records this request/);
  });

  it('--json validates against the schema, with log entries, notes, log evidence and the logs member', async () => {
    for (const prefix of ['', 'edited-']) {
      const r = await cli(['analyze', '--json', ...args(prefix)]);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
      const timeline = doc.phones[0].timeline;
      expect(timeline.filter((t: { kind: string }) => t.kind === 'log')).toHaveLength(prefix ? 5 : 6);
      expect(doc.logs.files.map((f: { kind: string; matched: number }) => [f.kind, f.matched])).toEqual(prefix ? [['audit', 2], ['iis', 3]] : [['audit', 2], ['iis', 4]]);
      if (prefix) {
        expect(doc.logs.unlogged).toEqual(['1.2']);
        const diff = doc.findings.find((f: { code: string }) => f.code === 'response-diff');
        expect(diff.evidence.lines).toEqual([{ file: FIXTURES + 'dus-with-logs-edited-audit.log', line: 2 }]);
        expect(timeline.find((t: { ref: string }) => t.ref === '1.2').notes).toHaveLength(1);
      } else {
        expect(doc.logs.unlogged).toEqual([]);
        expect(doc.findings).toEqual([]);
      }
    }
  });

  it('the schema rejects a log entry without its line number', async () => {
    const doc = JSON.parse((await cli(['analyze', '--json', ...args('')])).stdout);
    const bad = structuredClone(doc);
    bad.phones[0].timeline.find((t: { kind: string }) => t.kind === 'log').source = { file: 'x' };
    expect(validate(bad)).toBe(false);
  });

  it('takes each option more than once', async () => {
    const r = await cli(['analyze', '--json', CAPTURE, '--iis-log', FIXTURES + 'dus-with-logs-iis.log', '--iis-log', FIXTURES + 'acl-500-19-iis.log']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).logs.files).toHaveLength(2);
  });

  it('refuses a log of the other kind, a missing file and a file that is no log (exit 2, one line)', async () => {
    const wrong = await cli(['analyze', CAPTURE, '--audit-log', FIXTURES + 'dus-with-logs-iis.log']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('is not a Device Update Service audit log');
    expect(wrong.stderr).toContain('use --iis-log');
    const missing = await cli(['analyze', CAPTURE, '--iis-log', FIXTURES + 'no-such.log']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--iis-log: cannot read');
    const notLog = await cli(['analyze', CAPTURE, '--iis-log', CAPTURE]);
    expect(notLog.code).toBe(2);
    expect(notLog.stderr).toContain('is not an IIS W3C log');
    for (const r of [wrong, missing, notLog]) expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
