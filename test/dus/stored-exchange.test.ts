// What the rules read of an exchange must be the same on the lean exchange
// rebuilt from what StoredExchange keeps as on the whole one.
import { describe, expect, it } from 'vitest';
import { storedExchange } from '../../src/dus/build-model.js';
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
