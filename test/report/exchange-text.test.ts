// The spool's text of an exchange, made with the texts of shared header lists
// set in place, must be exactly prettyAt(exchangeJson(x), 2): on every exchange
// of every test capture, and on heads made to look like the marker.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open.js';
import type { HttpExchange } from '../../src/http/exchanges.js';
import { HttpExchangeTracker } from '../../src/http/exchanges.js';
import { runPipeline } from '../../src/pipeline.js';
import { exchangeText } from '../../src/report/exchange-text.js';
import { exchangeJson } from '../../src/report/flows-json.js';
import { prettyAt } from '../../src/report/json-pieces.js';

const expected = (x: HttpExchange, capture?: string, prefix = '') => prettyAt(exchangeJson(x, capture, prefix), 2)!;

describe('exchangeText', () => {
  it('is prettyAt(exchangeJson(x), 2) for every exchange of every test capture', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'captures');
    const files = readdirSync(dir).filter((n) => n.endsWith('.pcap') || n.endsWith('.pcapng') || n.endsWith('.gz'));
    let compared = 0;
    let shared = 0;
    // Members that are not always there (the rest are made below).
    const seen = { rawTarget: 0, interim: 0 };
    for (const name of files) {
      const exchanges: HttpExchange[] = [];
      await runPipeline(await openCapture(join(dir, name)), { onExchange: (x) => exchanges.push(x) });
      for (const x of exchanges) {
        // Twice: the second time the header lists' texts come from the table.
        expect(exchangeText(x)).toBe(expected(x));
        expect(exchangeText(x, 'a.pcap', '1:')).toBe(expected(x, 'a.pcap', '1:'));
        if (x.request && Object.isFrozen(x.request.headers) && x.request.headers.length > 0) shared++;
        if (x.request?.rawTarget !== undefined) seen.rawTarget++;
        if (x.interim.length > 0) seen.interim++;
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(150);
    expect(shared).toBeGreaterThan(100); // the shared lists' path was really taken
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(0);
  }, 120_000);

  it('is the same on exchanges without a request or a response, with notes, and with headers of any text', () => {
    const enc = new TextEncoder();
    const made: HttpExchange[] = [];
    let index = 0;
    /** One connection's two directions, as whole pieces, then their ends. */
    const connection = (c2s: string, s2c: string, end = true) => {
      const t = new HttpExchangeTracker({ keepBodies: false });
      const flow = { index: index++, client: { ip: '10.0.0.1', port: 40000 + index }, server: { ip: '10.0.0.2', port: 80 }, firstFrame: 1, sawSyn: true };
      const out: HttpExchange[] = [];
      const push = (dir: 'c2s' | 's2c', text: string, frame: number) => {
        if (!text) return;
        const bytes = enc.encode(text);
        out.push(...t.push({ kind: 'data', flow, dir, offset: 0, bytes, spans: [{ frame, timestampNs: 1_236_359_439_000_000_000n + BigInt(frame), streamOffset: 0, length: bytes.length }] }));
      };
      push('c2s', c2s, 2);
      push('s2c', s2c, 3);
      if (end) {
        out.push(...t.push({ kind: 'end', flow, dir: 'c2s', reason: 'fin', frame: 4, timestampNs: 5n }));
        out.push(...t.push({ kind: 'end', flow, dir: 's2c', reason: 'rst', frame: 5, timestampNs: 6n }));
      }
      out.push(...t.flush());
      made.push(...out);
    };
    connection('GET /a HTTP/1.1\r\nX-A: $& $1 $$ $`\r\nX-Q: "quoted" \\ back\tslash \u0001\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    connection('', 'HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno'); // the capture began after the request
    connection('POST /b HTTP/1.1\r\nContent-Length: 4\r\n\r\nab', ''); // no answer, and the body cut short
    connection(`GET /c HTTP/1.1\r\nX-Long: ${'v'.repeat(300)}\r\n\r\n`, 'HTTP/1.1 200 OK\r\nX-Bare: lf\n\r\n'); // a value too long to share, a bare LF
    connection('GET /d HTTP/1.1\r\n\r\n', 'HTTP/1.1 200 OK\r\n\r\nclose-delimited', false);
    const kinds = {
      noRequest: made.filter((x) => !x.request).length,
      noResponse: made.filter((x) => !x.response).length,
      notes: made.filter((x) => x.notes.length > 0 || x.request?.notes.length || x.response?.notes.length).length,
      unshared: made.filter((x) => [x.request, x.response].some((m) => m && m.headers.length > 0 && !Object.isFrozen(m.headers))).length,
    };
    for (const [what, n] of Object.entries(kinds)) expect(n, what).toBeGreaterThan(0);
    for (const x of made) {
      expect(exchangeText(x)).toBe(expected(x));
      expect(exchangeText(x, 'b "c".pcap', 'p')).toBe(expected(x, 'b "c".pcap', 'p'));
    }
    expect(exchangeText(made[0])).toContain('"value": "$& $1 $$ $`"');
  });
});
