import { describe, expect, it } from 'vitest';
import { connectionsRule } from '../../../src/diagnose/rules/connections.js';
import { checkIn, connection, download, model, PHONE_IP } from './builders.js';

describe('connections rule (check-in-failed)', () => {
  it('reports a SYN to 443 that nothing answered, with every SYN frame', () => {
    const c = connection({ firstFrame: 1, lastFrame: 4, synFrames: [1, 2, 3, 4] });
    const [f, ...rest] = connectionsRule.run(model({ connections: [c], macOfClient: { [PHONE_IP]: '0021630F207B' } }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ code: 'check-in-failed', severity: 'error', phone: { mac: '0021630F207B', ip: PHONE_IP } });
    expect(f.evidence.frames).toEqual([1, 2, 3, 4]);
    expect(f.message).toMatch(/never answered: 4 SYN/);
    expect(f.caveat).toBeUndefined();
  });

  it('adds the caveat when the capture is not whole (the SYN-ACK may be what it missed)', () => {
    const c = connection({ firstFrame: 1, lastFrame: 4, synFrames: [1, 2] });
    const [f] = connectionsRule.run(model({ connections: [c], whole: false }));
    expect(f.caveat).toMatch(/not whole/);
  });

  it('reports a refused SYN with the SYN and RST frames', () => {
    const c = connection({ firstFrame: 1, lastFrame: 2, resets: [{ frame: 2, from: 'server' }] });
    const [f] = connectionsRule.run(model({ connections: [c] }));
    expect(f.evidence.frames).toEqual([1, 2]);
    expect(f.message).toMatch(/refused/);
  });

  it('reports a reset after the handshake before the server sent anything', () => {
    const c = connection({ firstFrame: 1, synAckFrame: 2, clientBytes: 517, resets: [{ frame: 5, from: 'server' }] });
    const [f] = connectionsRule.run(model({ connections: [c] }));
    expect(f.evidence.frames).toEqual([1, 5]);
    expect(f.message).toMatch(/reset by the server in frame 5/);
  });

  it('is quiet for an answered connection and for ports no check-in uses', () => {
    const ok = connection({ firstFrame: 1, synAckFrame: 2, clientBytes: 500, serverBytes: 900, finFrames: [9, 10] });
    const web = connection({ firstFrame: 20, server: { ip: '10.0.0.1', port: 8080 } });
    expect(connectionsRule.run(model({ connections: [ok, web] }))).toEqual([]);
  });

  it('watches port 80 once check-ins were seen there, but not download connections', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4 });
    const dl = download({ id: '1.1', uri: '/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt', reqFrame: 24, noResponse: true, clientPort: 49201 });
    const port80 = { ip: '10.0.0.1', port: 80 };
    const conns = [
      connection({ firstFrame: 1, server: port80, synAckFrame: 2, clientBytes: 600, serverBytes: 800, finFrames: [8, 9] }),
      connection({ firstFrame: 21, client: { ip: PHONE_IP, port: 49201 }, server: port80, synAckFrame: 22, resets: [{ frame: 25, from: 'server' }] }),
      connection({ firstFrame: 40, client: { ip: PHONE_IP, port: 49202 }, server: port80, synFrames: [40, 41] }),
    ];
    const fs = connectionsRule.run(model({ exchanges: [x, dl], connections: conns }));
    expect(fs.map((f) => f.evidence.frames)).toEqual([[40, 41]]);
  });

  it('ignores hosts that are not the service once the service is known', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, serverPort: 443 });
    const other = connection({ firstFrame: 30, server: { ip: '192.0.2.9', port: 443 } });
    expect(connectionsRule.run(model({ exchanges: [x], connections: [other] }))).toEqual([]);
  });

  it('reports a check-in request whose connection ended without a response', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, noResponse: true });
    const c = connection({ firstFrame: 1, server: { ip: '10.0.0.1', port: 80 }, synAckFrame: 2, clientBytes: 600, serverBytes: 0, finFrames: [7, 8] });
    const [f, ...rest] = connectionsRule.run(model({ exchanges: [x], connections: [c] }));
    expect(rest).toEqual([]);
    expect(f.evidence.frames).toEqual([4, 7]);
    expect(f.message).toMatch(/no response before the connection's FIN in frame 7/);
  });

  it('tells apart two connections of one 4-tuple (a client port used again)', () => {
    const server = { ip: '10.0.0.1', port: 80 };
    const first = connection({ firstFrame: 1, lastFrame: 10, server, synAckFrame: 2, clientBytes: 600, finFrames: [7, 8] });
    const second = connection({ firstFrame: 20, lastFrame: 30, server, synAckFrame: 21, clientBytes: 600, finFrames: [27, 28] });
    const xs = [checkIn({ id: '0.1', reqFrame: 4, noResponse: true }), checkIn({ id: '1.1', reqFrame: 24, noResponse: true })];
    const fs = connectionsRule.run(model({ exchanges: xs, connections: [first, second] }));
    expect(fs.map((f) => f.evidence.frames)).toEqual([
      [4, 7],
      [24, 27],
    ]);
  });

  it('does not call a check-in failed when the capture stopped before its connection did', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, noResponse: true });
    const c = connection({ firstFrame: 1, server: { ip: '10.0.0.1', port: 80 }, synAckFrame: 2, clientBytes: 600 });
    expect(connectionsRule.run(model({ exchanges: [x], connections: [c] }))).toEqual([]);
  });

  it('reports a check-in reset before any answer once, from the connection', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, noResponse: true });
    const c = connection({ firstFrame: 1, server: { ip: '10.0.0.1', port: 80 }, synAckFrame: 2, clientBytes: 600, resets: [{ frame: 5, from: 'server' }] });
    const fs = connectionsRule.run(model({ exchanges: [x], connections: [c] }));
    expect(fs).toHaveLength(1);
    expect(fs[0].evidence).toMatchObject({ frames: [1, 4, 5], exchanges: ['0.1'] });
  });
});
