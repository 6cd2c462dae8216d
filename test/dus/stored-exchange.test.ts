// What the rules read of an exchange must be the same on the lean exchange
// rebuilt from what StoredExchange keeps as on the whole one.
import { describe, expect, it } from 'vitest';
import { storedExchange } from '../../src/dus/build-model.js';
import { sharedValues, StoredExchange } from '../../src/dus/stored-exchange.js';
import { ExchangeSpool } from '../../src/report/exchange-spool.js';
import type { HttpExchange } from '../../src/http/exchanges.js';
import type { HttpMessage } from '../../src/http/message.js';
import { exchange } from '../diagnose/rules/builders.js';

function ruleFacts(m: HttpMessage | null) {
  if (!m) return null;
  const common = {
    version: m.version,
    frame: m.frame,
    firstFrame: m.firstFrame,
    startNs: m.startNs,
    endNs: m.endNs,
    bodySize: m.bodySize,
    complete: m.complete,
    body: m.body,
    notes: m.notes,
    length: m.headers.find((h) => h.name.toLowerCase() === 'content-length')?.value,
    encoding: m.headers.find((h) => h.name.toLowerCase() === 'content-encoding')?.value,
  };
  return m.type === 'request' ? { ...common, method: m.method, uri: m.uri, rawTarget: m.rawTarget } : { ...common, status: m.status, reason: m.reason };
}

function facts(x: HttpExchange) {
  return { id: x.id, flow: x.flow, client: x.client, server: x.server, request: ruleFacts(x.request), response: ruleFacts(x.response), interim: x.interim, notes: x.notes };
}

/** The exchanges of the first test, as the later ones use them. */
let CASES: HttpExchange[] = [];

function copy(x: HttpExchange): HttpExchange {
  return structuredClone(x);
}

describe('StoredExchange', () => {
  it('rebuilds what the rules read, from a lean copy, as the whole exchange has it', () => {
    const cases: HttpExchange[] = [];
    const get = exchange({ id: '3.2', uri: '/DeviceUpdateFiles_Int/a b/CPE.nbt', rawTarget: '/DeviceUpdateFiles_Int/a b/CPE.nbt', reqFrame: 14, status: 404 }).http;
    get.response!.body = new TextEncoder().encode('<html>404.3</html>');
    get.response!.headers = [{ name: 'content-LENGTH', value: '18' }, { name: 'Content-Encoding', value: 'gzip' }, { name: 'Server', value: 'IIS' }];
    get.request!.startNs = 1_236_359_439_123_456_789n;
    get.request!.endNs = 1_236_359_440_000_000_001n;
    cases.push(get);
    // A download that took ten seconds, on a connection whose roles were swapped.
    const slow = exchange({ id: '4.1', uri: '/DeviceUpdateFiles_Int/x/CPE.nbt', reqFrame: 30 }).http;
    slow.response!.endNs = slow.response!.startNs + 10_000_000_001n;
    slow.client = { ...slow.flow.server };
    slow.server = { ...slow.flow.client };
    cases.push(slow);
    const post = exchange({ id: '0.1', method: 'POST', uri: '/RequestHandler/ucdevice.upx', reqFrame: 4 }).http;
    post.response = null;
    cases.push(post);
    const answerOnly = exchange({ id: '7.1', uri: '/', reqFrame: 9 }).http;
    answerOnly.request = null;
    cases.push(answerOnly);
    for (const x of cases) {
      const whole = storedExchange(copy(x));
      const lean = storedExchange(copy(x), { keep: false });
      expect(whole.full).toBeDefined();
      expect(lean.full).toBeUndefined();
      expect(facts(lean.http)).toEqual(facts(whole.http));
      expect(lean.startFrame).toBe(x.request?.firstFrame ?? x.response?.firstFrame);
    }
    CASES = cases;
  });

  it('is read back from its record as it was put aside (a report made a part at a time)', () => {
    // The exchanges' JSON in one spool, their records (and rare parts) in another, as analysis-parts.ts keeps them.
    const spool = new ExchangeSpool();
    const records = new ExchangeSpool();
    const shared = sharedValues();
    const cases = CASES.map(copy);
    // What is rare on an exchange travels too: interim answers, notes, a long request, TLS.
    const rare = cases[0];
    rare.interim = [{ ...rare.response!, status: 100, reason: 'Continue', body: Uint8Array.of(9, 9) }];
    rare.notes = [{ layer: 'http', code: 'http.pipelined', offset: 12 }];
    rare.request!.notes = [{ layer: 'http', code: 'http.bare-lf', offset: 3, detail: 'line 1' }];
    // A second error page of the same size: read after the first, it must not show through it.
    const other = copy(cases[0]);
    other.response!.body = new TextEncoder().encode('<html>404.4</html>');
    cases.push(other);
    const bodies = { upxRequest: { ok: true as const, value: { kind: 'request' } as never }, upxResponse: undefined };
    const put = cases.map((x, i) => {
      const lean = new StoredExchange(x, storedExchange(copy(x), { keep: false }).cls, i === 2 ? bodies : undefined, false);
      if (i === 0) lean.decrypted = { version: 'TLS 1.0', cipherSuite: 'TLS_RSA_WITH_RC4_128_MD5', keySource: 'rsa', resumed: false };
      lean.spooled(spool, spool.append(`{"id": "${lean.id}"}`));
      return { lean, record: records.append(lean.toRecord(shared, records)) };
    });
    const back = put.map((p) => StoredExchange.fromRecord(records.read(p.record, true), shared, spool, records, new Map()));
    // Read again, in the other order: what one read gave must not change with the next (the spool reuses its buffer).
    put.reverse().forEach((p) => StoredExchange.fromRecord(records.read(p.record, true), shared, spool, records, new Map()));
    put.reverse();
    back.forEach((x, i) => {
      const lean = put[i].lean;
      expect(facts(x.http)).toEqual(facts(lean.http));
      expect([x.id, x.cls, x.startFrame, x.reportText(), x.decrypted]).toEqual([lean.id, lean.cls, lean.startFrame, lean.reportText(), lean.decrypted]);
      expect(x.upxRequest).toBe(lean.upxRequest);
    });
    expect(back[2].upxRequest).toBe(bodies.upxRequest);
    expect(new TextDecoder().decode(back[0].http.response!.body)).toBe('<html>404.3</html>');
    expect(new TextDecoder().decode(back[back.length - 1].http.response!.body)).toBe('<html>404.4</html>');
    expect(back[0].interim[0].body).toEqual(Uint8Array.of(9, 9));
    spool.close();
    records.close();
  });

  it('holds one offer: by a check-in, or beside one', () => {
    const x = storedExchange(exchange({ id: '1.1', uri: '/DeviceUpdateFiles_Int/x/CPE.cat', reqFrame: 3 }).http, { keep: false });
    x.offeredBeside = '0.1';
    expect([x.offeredBy, x.offeredBeside]).toEqual([undefined, '0.1']);
    x.offeredBy = undefined; // clearing the other kind leaves it
    expect([x.offeredBy, x.offeredBeside]).toEqual([undefined, '0.1']);
    x.offeredBy = '0.2';
    expect([x.offeredBy, x.offeredBeside]).toEqual(['0.2', undefined]);
    x.offeredBy = undefined;
    expect([x.offeredBy, x.offeredBeside]).toEqual([undefined, undefined]);
  });

  it('keeps no firmware body, and an error page only up to 64 KiB', () => {
    const ok = exchange({ id: '1.1', uri: '/DeviceUpdateFiles_Int/x/CPE.nbt', reqFrame: 3, status: 200 }).http;
    ok.response!.body = new Uint8Array(1000);
    expect(storedExchange(ok, { keep: false }).http.response!.body).toBeUndefined();
    const big = exchange({ id: '1.2', uri: '/DeviceUpdateFiles_Int/x/CPE.nbt', reqFrame: 3, status: 500 }).http;
    big.response!.body = new Uint8Array(64 * 1024 + 1);
    expect(storedExchange(big, { keep: false }).http.response!.body).toBeUndefined();
  });
});
