import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/diagnose/catalogue.js';
import { explain, parseExplainInput, renderExplanation } from '../../src/explain/explain.js';
import { HTTP_STATUSES, httpStatus } from '../../src/explain/http-statuses.js';
import { cli } from '../helpers/cli.js';

describe('parseExplainInput', () => {
  it('reads the status pair, lone WinInet codes and HTTP statuses', () => {
    expect(parseExplainInput('0x2f7d/200')).toEqual({ ok: true, query: { kind: 'status', wininet: 12157, http: 200 } });
    expect(parseExplainInput(' (0x2EFD/0) ')).toEqual({ ok: true, query: { kind: 'status', wininet: 12029, http: 0 } });
    expect(parseExplainInput('Last Update Status: (0x0/200)')).toEqual({ ok: true, query: { kind: 'status', wininet: 0, http: 200 } });
    expect(parseExplainInput('0\u00d700/0')).toEqual({ ok: true, query: { kind: 'status', wininet: 0, http: 0 } });
    expect(parseExplainInput('12029')).toEqual({ ok: true, query: { kind: 'wininet', code: 12029 } });
    expect(parseExplainInput('0x2efd')).toEqual({ ok: true, query: { kind: 'wininet', code: 12029 } });
    expect(parseExplainInput('404')).toEqual({ ok: true, query: { kind: 'http', status: 404 } });
    expect(parseExplainInput('500.19')).toEqual({ ok: true, query: { kind: 'http', status: 500, substatus: 19 } });
    expect(parseExplainInput('0x0/0xc8')).toEqual({ ok: true, query: { kind: 'status', wininet: 0, http: 200 } });
  });

  it('refuses what is not a code', () => {
    for (const s of ['abc', '', '0x', '1/2/3', 'x/200', '0x2f7d/', '12.5.6', '-5', '0x123456789', '9'.repeat(11), 'a'.repeat(100)]) {
      expect(parseExplainInput(s).ok, s).toBe(false);
    }
  });
});

describe('explain', () => {
  it('0x0/200 and 0x00/0 are normal', () => {
    for (const s of ['0x0/200', '0x00/0']) {
      const r = explain(s);
      expect(r.ok && r.explanation.normal, s).toBe(true);
      if (r.ok) expect(renderExplanation(r.explanation)).toContain('normal state');
    }
    const bad = explain('0x2efd/0');
    expect(bad.ok && bad.explanation.normal).toBe(false);
  });

  it('0x2f7d/200: the secure channel failure and the earlier 200, both explained', () => {
    const r = explain('0x2f7d/200');
    if (!r.ok) throw new Error(r.reason);
    const text = renderExplanation(r.explanation);
    expect(text).toContain('12157 ERROR_INTERNET_SECURITY_CHANNEL_ERROR');
    expect(text).toContain('HTTP 200 OK');
    expect(r.explanation.summary.join(' ')).toMatch(/200.*ERROR_INTERNET_SECURITY_CHANNEL_ERROR/);
  });

  it('IIS substatuses name their status and the finding upxray raises', () => {
    const r = explain('500.19');
    if (!r.ok) throw new Error(r.reason);
    expect(r.explanation.http?.entry?.reason).toBe('Configuration data is invalid');
    expect(r.explanation.http?.parent?.reason).toBe('Internal Server Error');
    expect(r.explanation.http?.entry?.finding).toBe('download-forbidden-acl');
    const ssl = explain('403.4');
    expect(ssl.ok && ssl.explanation.http?.entry?.finding).toBe('ssl-required-on-files');
  });

  it('an unknown code is still an answer, saying it is unknown', () => {
    const w = explain('12176');
    expect(w.ok && w.explanation.wininet?.known).toBe(false);
    expect(w.ok && renderExplanation(w.explanation)).toContain('unknown code');
    const h = explain('404.99');
    expect(h.ok && h.explanation.http?.entry).toBeUndefined();
    expect(h.ok && h.explanation.http?.parent?.status).toBe(404);
    const odd = explain('599');
    expect(odd.ok && odd.explanation.http?.known).toBe(false);
  });

  it('the HTTP table has one row per status.substatus, and every finding it names is in the catalogue', () => {
    const keys = HTTP_STATUSES.map((h) => `${h.status}.${h.substatus ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const h of HTTP_STATUSES) if (h.finding) expect(CATALOGUE[h.finding], h.finding).toBeDefined();
    for (const k of ['401.1', '401.2', '401.3', '403.4', '403.14', '404.0', '404.3', '404.7', '500.19', '503.0']) {
      const [s, sub] = k.split('.').map(Number);
      expect(httpStatus(s, sub), k).toBeDefined();
    }
  });
});

describe('upxray explain (CLI)', () => {
  it('explains a status pair as text, exit 0', async () => {
    const r = await cli(['explain', '0x2f7d/200']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('WinInet 0x2f7d = 12157 ERROR_INTERNET_SECURITY_CHANNEL_ERROR');
    expect(r.stdout).toContain('HTTP 200 OK');
  });

  it('explains several codes, and --json gives schema 1', async () => {
    const r = await cli(['explain', '--json', '12029', '404', '0x0/200']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe(1);
    expect(doc.explanations.map((e: { query: { kind: string } }) => e.query.kind)).toEqual(['wininet', 'http', 'status']);
    expect(doc.explanations[2].normal).toBe(true);
  });

  it('an unknown code exits 0 and says so', async () => {
    const r = await cli(['explain', '12176']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('unknown code');
  });

  it('input that is not a code exits 2 with one line on stderr, control characters escaped', async () => {
    const r = await cli(['explain', 'hello\x1b[2J']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('\x1b');
  });
});
