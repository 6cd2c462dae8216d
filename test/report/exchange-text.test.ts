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
    for (const name of files) {
      const exchanges: HttpExchange[] = [];
      await runPipeline(await openCapture(join(dir, name)), { onExchange: (x) => exchanges.push(x) });
      for (const x of exchanges) {
        // Twice: the second time the header lists' texts come from the table.
        expect(exchangeText(x)).toBe(expected(x));
        expect(exchangeText(x, 'a.pcap', '1:')).toBe(expected(x, 'a.pcap', '1:'));
        if (x.request && Object.isFrozen(x.request.headers) && x.request.headers.length > 0) shared++;
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(150);
    expect(shared).toBeGreaterThan(100); // the shared lists' path was really taken
  }, 120_000);

  it('sets header texts in place whatever the headers hold (replacement patterns, marker-like text)', () => {
    const t = new HttpExchangeTracker({ keepBodies: false });
    const flow = { index: 0, client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 80 }, firstFrame: 1, sawSyn: true };
    const enc = new TextEncoder();
    const req = enc.encode('GET /a HTTP/1.1\r\nX-A: $& $1 $$ $`\r\nX-B: \\ud800request headers\\ud800\r\n\r\n');
    const res = enc.encode(`HTTP/1.1 200 OK\r\nX-Long: ${'v'.repeat(300)}\r\nContent-Length: 0\r\n\r\n`);
    const out: HttpExchange[] = [];
    for (let round = 0; round < 2; round++) {
      t.push({ kind: 'data', flow, dir: 'c2s', offset: 0, bytes: req, spans: [{ frame: 2 + round * 2, timestampNs: 5n, streamOffset: round * req.length, length: req.length }] });
      out.push(...t.push({ kind: 'data', flow, dir: 's2c', offset: 0, bytes: res, spans: [{ frame: 3 + round * 2, timestampNs: 6n, streamOffset: round * res.length, length: res.length }] }));
    }
    expect(out).toHaveLength(2);
    for (const x of out) expect(exchangeText(x)).toBe(expected(x));
    expect(exchangeText(out[1])).toContain('"value": "$& $1 $$ $`"');
  });
});
