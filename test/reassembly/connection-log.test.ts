// The connection log's lists of SYN, FIN and RST frames start as one shared
// empty array and grow by copies: a frame listed on one connection must never
// show up on another, and the per-connection cap still holds.
import { describe, expect, it } from 'vitest';
import type { DecodedFrame } from '../../src/net/packet.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../src/net/packet.js';
import { ConnectionLog, type ConnectionRecord } from '../../src/reassembly/connection-log.js';

let frameNo = 0;
function seg(src: string, sport: number, dst: string, dport: number, flags: number): DecodedFrame {
  frameNo++;
  return {
    frame: frameNo,
    timestampNs: BigInt(frameNo) * 1000n,
    ip: { src, dst },
    tcp: { srcPort: sport, dstPort: dport, flags, payloadLength: 0, payload: new Uint8Array(0) },
  } as unknown as DecodedFrame;
}

describe('ConnectionLog frame lists', () => {
  it('keeps each connection its own SYN, FIN and reset frames', () => {
    frameNo = 0;
    const log = new ConnectionLog();
    const phone = '10.0.0.5';
    const server = '10.0.0.1';
    log.push(seg(phone, 5000, server, 80, TCP_SYN)); // 1
    log.push(seg(phone, 5000, server, 80, TCP_SYN)); // 2: resent
    log.push(seg(server, 80, phone, 5000, TCP_SYN | TCP_ACK)); // 3
    log.push(seg(phone, 5001, server, 443, TCP_SYN)); // 4: another connection
    log.push(seg(server, 443, phone, 5001, TCP_RST | TCP_ACK)); // 5
    log.push(seg(phone, 5000, server, 80, TCP_FIN | TCP_ACK)); // 6
    log.push(seg(server, 80, phone, 5000, TCP_FIN | TCP_ACK)); // 7
    const [a, b] = log.all();
    expect(a).toMatchObject({ synFrames: [1, 2], synAckFrame: 3, resets: [], finFrames: [6, 7] });
    expect(b).toMatchObject({ synFrames: [4], resets: [{ frame: 5, from: 'server' }], finFrames: [] });
    expect(b.synAckFrame).toBeUndefined();
  });

  it('lists at most 16 frames of a kind, and a new connection starts empty', () => {
    frameNo = 0;
    const log = new ConnectionLog();
    for (let i = 0; i < 20; i++) log.push(seg('10.0.0.9', 6000, '10.0.0.1', 80, TCP_SYN));
    log.push(seg('10.0.0.9', 6001, '10.0.0.1', 80, TCP_SYN));
    const [dead, next] = log.all();
    expect(dead.synFrames).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(next.synFrames).toEqual([21]);
    expect(next.resets).toEqual([]);
    expect(next.finFrames).toEqual([]);
  });
});

describe('ConnectionLog records', () => {
  it('hands out the same facts as plain objects that survive a structured clone (to another thread)', () => {
    frameNo = 0;
    const log = new ConnectionLog();
    const phone = '10.0.0.5';
    const server = '10.0.0.1';
    log.push(seg(phone, 5000, server, 80, TCP_SYN));
    log.push(seg(server, 80, phone, 5000, TCP_SYN | TCP_ACK));
    log.push(seg(phone, 5000, server, 80, TCP_FIN | TCP_ACK));
    log.push(seg(server, 80, phone, 5000, TCP_FIN | TCP_ACK));
    log.push(seg(server, 80, phone, 5000, TCP_FIN | TCP_ACK)); // resent: a third FIN listed
    log.push(seg(phone, 5002, server, 80, TCP_ACK)); // mid-connection
    const keys: Array<keyof ConnectionRecord> = ['client', 'server', 'firstFrame', 'lastFrame', 'synFrames', 'synAckFrame', 'resets', 'finFrames', 'clientBytes', 'serverBytes', 'clientFirstDataFrame', 'tls'];
    const facts = (c: ConnectionRecord) => Object.fromEntries(keys.map((k) => [k, c[k]]));
    const cloned = structuredClone(log.allPlain());
    expect(cloned.map(facts)).toEqual(log.all().map(facts));
    expect(cloned[0]).toMatchObject({ firstFrame: 1, lastFrame: 5, synFrames: [1], synAckFrame: 2, finFrames: [3, 4, 5] });
    expect(cloned[1]).toMatchObject({ firstFrame: 6, lastFrame: 6, synFrames: [], finFrames: [] });
  });
});
