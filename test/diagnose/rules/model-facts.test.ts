// Facts the rules rely on that buildModel states: error pages of downloads
// kept, offers matched on the raw target, the catalog beside an offered file,
// and the Ethernet MAC behind a connection that never carried a message.
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../../src/util/heap-policy.js';
import { encodeUpxRequest, encodeUpxResponse } from '../../../src/dus/upx-codec.js';
import { buildModel, storedExchange } from '../../../src/dus/build-model.js';
import type { HttpExchange } from '../../../src/http/exchanges.js';
import { connection, exchange, PHONE_IP } from './builders.js';

function build(exchanges: HttpExchange[], connections = [connection({ firstFrame: 1 })]) {
  return buildModel({
    captures: [],
    exchanges: exchanges.map((http) => storedExchange(http)),
    connections,
    macOfIp: (ip) => (ip === PHONE_IP ? '00:21:63:0f:20:7b' : undefined),
    snapCut: 0,
    unreadableTls: 0,
    endNs: 0n,
  });
}

function offering(url: string): HttpExchange {
  const x = exchange({ id: '0.1', method: 'POST', uri: '/RequestHandler/ucdevice.upx', reqFrame: 4 }).http;
  const body = new TextEncoder().encode(encodeUpxResponse({ serverVersion: '3.5.6907.0', serviceVersion: '3.5.6907.0', downloads: 1, files: [{ fileName: 'CPE.nbt', version: '1.0.522.103', url }] }));
  x.response!.body = body;
  x.response!.bodySize = body.length;
  return x;
}

describe('model facts for the rules', () => {
  it('links a download to its offer through the raw target, spaces included', () => {
    const offer = offering('http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/NL D/CPE.nbt');
    const get = exchange({ id: '1.1', uri: '/DeviceUpdateFiles_Int/OCInterim/NL', rawTarget: '/DeviceUpdateFiles_Int/OCInterim/NL D/CPE.nbt', reqFrame: 14, status: 400 }).http;
    const m = build([offer, get]);
    expect(m.exchanges[1].offeredBy).toBe('0.1');
  });

  it('links the catalog beside an offered file without calling it offered', () => {
    const offer = offering('http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt');
    const cat = exchange({ id: '1.2', uri: '/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.cat', reqFrame: 24 }).http;
    const other = exchange({ id: '1.3', uri: '/DeviceUpdateFiles_Int/OCInterim/DEU/CPE.cat', reqFrame: 34 }).http;
    const m = build([offer, cat, other]);
    expect(m.exchanges[1]).toMatchObject({ offeredBeside: '0.1' });
    expect(m.exchanges[1].offeredBy).toBeUndefined();
    expect(m.exchanges[2].offeredBeside).toBeUndefined();
  });

  it('keeps the error page of a download and drops a firmware body', () => {
    const denied = exchange({ id: '1.1', uri: '/DeviceUpdateFiles_Int/x/CPE.nbt', reqFrame: 14, status: 500, body: 'HTTP Error 500.19' }).http;
    const fine = exchange({ id: '1.2', uri: '/DeviceUpdateFiles_Int/x/CPE.cat', reqFrame: 24, body: 'catalog bytes' }).http;
    const m = build([denied, fine]);
    expect(new TextDecoder().decode(m.exchanges[0].http.response!.body)).toBe('HTTP Error 500.19');
    expect(m.exchanges[1].http.response!.body).toBeUndefined();
  });

  it("records the Ethernet source of each connection's client", () => {
    expect(build([]).macOfClient).toEqual({ [PHONE_IP]: '0021630F207B' });
  });

  it("words each check-in's timeline line from its own answer, though all share one request body", () => {
    const reqBody = new TextEncoder().encode(
      encodeUpxRequest({ deviceType: 'UCPhone', macAddress: '00-21-63-0F-20-7B', vendor: 'Polycom', model: 'CX700', revision: 'A', locale: 'ENU', files: [{ fileName: 'CPE.nbt', version: '1.0.522.101' }] }),
    );
    const checkIn = (id: string, frame: number, answer: 'offer' | 'none' | 500 | 'lost'): HttpExchange => {
      const x = answer === 'offer' ? offering('http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt') : exchange({ id, method: 'POST', uri: '/RequestHandler/ucdevice.upx', reqFrame: frame, status: answer === 500 ? 500 : 200, noResponse: answer === 'lost' }).http;
      x.id = id;
      x.request!.frame = frame;
      x.request!.body = reqBody;
      x.request!.bodySize = reqBody.length;
      if (answer === 'none') {
        const body = new TextEncoder().encode(encodeUpxResponse({ serverVersion: '3.5.6907.0', serviceVersion: '3.5.6907.0', downloads: 0, files: [] }));
        x.response!.body = body;
        x.response!.bodySize = body.length;
      }
      return x;
    };
    const m = build([checkIn('0.1', 4, 'offer'), checkIn('0.2', 14, 'none'), checkIn('0.3', 24, 500), checkIn('0.4', 34, 'lost'), checkIn('0.5', 44, 'none')]);
    const lines = m.phones[0].timeline.map((t) => t.summary);
    expect(lines).toEqual([
      'check-in (CPE.nbt 1.0.522.101): offered 1.0.522.103',
      'check-in (CPE.nbt 1.0.522.101): Downloads 0',
      'check-in (CPE.nbt 1.0.522.101): HTTP 500',
      'check-in (CPE.nbt 1.0.522.101): no response',
      'check-in (CPE.nbt 1.0.522.101): Downloads 0',
    ]);
  });

  it('does not keep its inputs alive (a report of a big capture holds the model while it writes)', async () => {
    // What buildModel is given: here the MAC lookup, in analyze the collector behind it with all its tables.
    const made = () => {
      const macOfIp = (ip: string) => (ip === PHONE_IP ? '00:21:63:0f:20:7b' : undefined);
      const model = buildModel({
        captures: [],
        exchanges: [storedExchange(exchange({ id: '0.1', method: 'POST', uri: '/RequestHandler/ucdevice.upx', reqFrame: 4 }).http)],
        connections: [connection({ firstFrame: 1 })],
        macOfIp,
        snapCut: 0,
        unreadableTls: 0,
        endNs: 0n,
      });
      return { model, input: new WeakRef(macOfIp) };
    };
    const { model, input } = made();
    // A WeakRef's target lives at least to the end of the job that made the WeakRef.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(collectGarbage(0)).toBe(true);
    expect(input.deref()).toBeUndefined();
    // The timeline, made when read, still has what it needs.
    expect(model.phones[0].timeline.map((t) => t.ref)).toEqual(['0.1']);
  });
});
