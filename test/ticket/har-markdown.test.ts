// flows.har against the HAR 1.2 JSON schema (har-schema, compiled by ajv with
// its draft-06 meta-schema), and report.md through a CommonMark parser with
// GFM tables (markdown-it): the tables and fenced XML blocks expected, and no
// ESC byte.
import { createRequire } from 'node:module';
import { isIPv4, isIPv6 } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analysis.js';
import { buildHar, harEntry } from '../../src/report/har.js';
import { fenced, renderTicketMarkdown } from '../../src/report/markdown.js';
import { selectTicket } from '../../src/ticket/select.js';
import { CAPTURES, cli } from '../helpers/cli.js';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'upxray-har-'));

function harValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
  // The formats the schema uses, checked for real (serverIPAddress is oneOf ipv4, ipv6).
  ajv.addFormat('ipv4', (s: string) => isIPv4(s));
  ajv.addFormat('ipv6', (s: string) => isIPv6(s));
  ajv.addFormat('uri', (s: string) => {
    try {
      return new URL(s).href.length > 0;
    } catch {
      return false;
    }
  });
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s) && !Number.isNaN(Date.parse(s)));
  const schemas = require('har-schema') as Record<string, object>;
  for (const [name, s] of Object.entries(schemas)) if (name !== 'har') ajv.addSchema(s);
  return ajv.compile(schemas.har);
}

describe('flows.har', () => {
  const validate = harValidator();

  it('holds the decrypted HTTPS check-ins when the key is given, and validates', async () => {
    const out = join(dir, 'tls-demo');
    const key = join(CAPTURES, 'make/tls/keys/server.rsa.pem');
    const r = await cli(['ticket', join(CAPTURES, 'tls-demo.pcap'), '--rsa-key', key, '-o', out]);
    expect(r.code).toBe(0);
    const har = JSON.parse(readFileSync(join(out, 'flows.har'), 'utf8'));
    expect(validate(har), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const checkIns = har.log.entries.filter((e: { request: { url: string } }) => e.request.url.endsWith('/ucdevice.upx'));
    expect(checkIns).toHaveLength(3);
    for (const e of checkIns) {
      expect(e._decrypted).toBe(true);
      expect(e.request.url).toMatch(/^https:/);
      expect(e.request.postData.text).toMatch(/<MacAddress>0021630F207B<\/MacAddress>/);
    }
  });

  it.each(['dus-demo.pcap', 'dus-download-forbidden-acl.pcap', 'dus-upx-decode-error-html.pcap', 'http-chunked-gzip.pcapng'])('validates against HAR 1.2 for %s', async (name) => {
    const out = join(dir, name);
    expect((await cli(['ticket', join(CAPTURES, name), '-o', out])).code).toBe(0);
    const har = JSON.parse(readFileSync(join(out, 'flows.har'), 'utf8'));
    const ok = validate(har);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check bites: a missing url, a bad date, a string status fail', () => {
    const good = { log: { version: '1.2', creator: { name: 'x', version: '1' }, entries: [] as unknown[] } };
    expect(validate(good)).toBe(true);
    const r = JSON.parse(readFileSync(join(dir, 'dus-demo.pcap', 'flows.har'), 'utf8'));
    const e = r.log.entries[0];
    for (const broken of [
      { ...e, request: { ...e.request, url: 'not a uri' } },
      { ...e, startedDateTime: 'yesterday' },
      { ...e, response: { ...e.response, status: '200' } },
    ]) expect(validate({ log: { ...r.log, entries: [broken] } })).toBe(false);
  });

  it('carries frames, stream and exchange ids in _ fields, and the check-in XML as text', async () => {
    const r = await analyzeCapture(join(CAPTURES, 'dus-download-forbidden-acl.pcap'), { stdin: process.stdin });
    const sel = selectTicket(r)!;
    const har = buildHar(sel.exchanges, { creatorVersion: '0.0.0' });
    expect(har.log.entries.map((e) => [e._exchange, e._requestFrame, e._responseFrame, e._tcpStream])).toEqual([
      ['0.1', 4, 6, 0],
      ['1.1', 14, 18, 1],
    ]);
    const checkIn = har.log.entries[0];
    expect((checkIn.request.postData as { text: string }).text).toMatch(/<MacAddress>0021630F207B<\/MacAddress>/);
    expect((checkIn.response.content as { text: string }).text).toMatch(/<ServerVersion>3\.5\.6907\.0<\/ServerVersion>/);
    expect(checkIn.request.url).toBe('http://ocs.demo.local/RequestHandler/ucdevice.upx');
    expect(har.log.entries[1].response.status).toBe(500);
  });

  it('a decrypted exchange is an https entry marked _decrypted, and still valid', async () => {
    const r = await analyzeCapture(join(CAPTURES, 'dus-healthy.pcap'), { stdin: process.stdin });
    const x = r.model.exchanges[0];
    const decrypted = { ...x, http: { ...x.http, decrypted: true } };
    const e = harEntry(decrypted);
    expect(e._decrypted).toBe(true);
    expect(e.request.url).toMatch(/^https:\/\//);
    expect(validate({ log: { version: '1.2', creator: { name: 'upxray', version: '0' }, entries: [e] } })).toBe(true);
  });
});

describe('report.md', () => {
  const md = new MarkdownIt();

  it('parses into the expected tables and fenced XML blocks, without ESC', async () => {
    const out = join(dir, 'md');
    expect((await cli(['ticket', join(CAPTURES, 'dus-download-forbidden-acl.pcap'), '-o', out])).code).toBe(0);
    const text = readFileSync(join(out, 'report.md'), 'utf8');
    expect(text.includes('\u001b')).toBe(false);
    const tokens = md.parse(text, {});
    const headers: string[][] = [];
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i].type !== 'thead_open') continue;
      const row: string[] = [];
      for (let j = i; tokens[j].type !== 'thead_close'; j++) if (tokens[j].type === 'inline') row.push(tokens[j].content);
      headers.push(row);
    }
    expect(headers).toContainEqual(['Capture', 'Format', 'Frames', 'First packet', 'Last packet', 'Health']);
    expect(headers).toContainEqual(['Phone', 'IP', 'Device', 'Runs', 'Status', 'Findings']);
    expect(headers).toContainEqual(['#', 'Severity', 'Code', 'Phone', 'Frames', 'What']);
    expect(headers).toContainEqual(['Time (UTC)', 'Since previous', 'What', 'Frames']);
    const html = md.render(text);
    expect(html).toMatch(/<td>error<\/td>\s*<td><code>download-forbidden-acl<\/code><\/td>/);
    const fences = tokens.filter((t) => t.type === 'fence');
    expect(fences.map((f) => f.info)).toEqual(['xml', 'xml']);
    expect(fences[0].content).toMatch(/^<\?xml[^]*<MacAddress>0021630F207B<\/MacAddress>[^]*<\/Request>\n$/);
    expect(fences[1].content).toMatch(/<ServerVersion>3\.5\.6907\.0<\/ServerVersion>/);
    expect(html).toMatch(/<strong>Remedy:<\/strong> IIS cannot read the shared updates folder/);
  });

  it('hostile capture text cannot break a table, close a fence or carry ESC', async () => {
    const r = await analyzeCapture(join(CAPTURES, 'dus-healthy.pcap'), { stdin: process.stdin });
    const p = { ...r.model.phones[0], vendor: 'Evil | \u001b[31mRed\u001b[0m ```', model: 'a\nb' };
    const text = renderTicketMarkdown(r, [p], [], [], { captureName: 'x|y.pcap' });
    expect(text.includes('\u001b')).toBe(false);
    const tokens = md.parse(text, {});
    const rows = tokens.filter((t) => t.type === 'tr_open').length;
    expect(rows).toBe(2 + 2 + 7 + 1 + r.model.phones[0].timeline.length); // header + body of each table
    const block = fenced('a\n```\nb ```` c', 'xml');
    const parsed = md.parse(block, {}).filter((t) => t.type === 'fence');
    expect(parsed).toHaveLength(1);
    expect(parsed[0].content).toBe('a\n```\nb ```` c\n');
  });
});
