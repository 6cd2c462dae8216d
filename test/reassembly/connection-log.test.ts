// The connection log's lists of SYN, FIN and RST frames start as one shared
// empty array and grow by copies: a frame listed on one connection must never
// show up on another, and the per-connection cap still holds.
import { describe, expect, it } from 'vitest';
import type { DecodedFrame } from '../../src/net/packet.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../src/net/packet.js';
import { ConnectionLog, connectionOfRecord, type ConnectionRecord } from '../../src/reassembly/connection-log.js';
import { aliveAfterCollecting, countAlive } from '../helpers/collected.js';

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

/** A connection from the phone's `port` to the server's 443, opened and closed (SYN, SYN-ACK, FIN, FIN). */
function closeConnection(log: ConnectionLog, port: number, phone = '10.0.0.5', server = '10.0.0.1'): void {
  log.push(seg(phone, port, server, 443, TCP_SYN));
  log.push(seg(server, 443, phone, port, TCP_SYN | TCP_ACK));
  log.push(seg(phone, port, server, 443, TCP_FIN | TCP_ACK));
  log.push(seg(server, 443, phone, port, TCP_FIN | TCP_ACK));
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

  it('puts closed connections aside and brings one back when a frame of it comes: the same records as kept in memory', () => {
    // A shelf in memory, as analysis-parts.ts's on the spool.
    const shelf: string[] = [];
    const taken = new Set<number>();
    const aside = {
      put: (record: string) => shelf.push(record) - 1,
      take: (n: number) => {
        taken.add(n);
        return shelf[n];
      },
    };
    const run = (log: ConnectionLog) => {
      frameNo = 0;
      const phone = '10.0.0.5';
      const server = '10.0.0.1';
      for (let port = 5000; port < 5006; port++) closeConnection(log, port, phone, server);
      log.push(seg(phone, 5000, server, 443, TCP_ACK)); // the first one's last ACK, long after: it comes back
      log.push(seg(server, 443, phone, 5001, TCP_RST)); // a reset on the second
      log.push(seg(phone, 5002, server, 443, TCP_SYN)); // the third's tuple used again: a new connection
      log.push(seg(phone, 5009, server, 443, TCP_SYN)); // never answered, never closed: stays
      for (let port = 6000; port < 6004; port++) {
        log.push(seg(phone, port, server, 443, TCP_SYN));
        log.push(seg(server, 443, phone, port, TCP_SYN | TCP_ACK));
        log.push(seg(phone, port, server, 443, TCP_RST));
      }
    };
    const keys: Array<keyof ConnectionRecord> = ['client', 'server', 'firstFrame', 'lastFrame', 'synFrames', 'synAckFrame', 'resets', 'finFrames', 'clientBytes', 'serverBytes', 'clientFirstDataFrame', 'tls'];
    const facts = (c: ConnectionRecord) => Object.fromEntries(keys.map((k) => [k, c[k]]));
    const kept = new ConnectionLog({ keep: () => true });
    run(kept);
    const log = new ConnectionLog({ keep: () => true, aside, asideAfterCloses: 1 });
    run(log);
    const back = shelf.filter((_, n) => !taken.has(n)).map(connectionOfRecord);
    const all = [...log.all(), ...back].sort((a, b) => a.firstFrame - b.firstFrame);
    expect(all.map(facts)).toEqual(kept.all().map(facts));
    // Most were put aside; three came back for a frame of theirs (the third to be retired by a new SYN on its tuple, and put aside again).
    expect(log.all().length).toBeLessThan(5);
    expect(taken.size).toBe(3);
    expect(all.find((c) => c.client.port === 5000)).toMatchObject({ lastFrame: 25, finFrames: [3, 4] });
    expect(all.find((c) => c.client.port === 5001)?.resets).toEqual([{ frame: 26, from: 'server' }]);
    expect(all.filter((c) => c.client.port === 5002).map((c) => c.firstFrame)).toEqual([9, 27]);
  });

  it('lets go of a connection once it is put aside: nothing else in the log keeps it alive', async () => {
    const shelf: string[] = [];
    const log = new ConnectionLog({ keep: () => true, aside: { put: (record) => shelf.push(record) - 1, take: (n) => shelf[n] }, asideAfterCloses: 1 });
    const phone = '10.0.0.5';
    const server = '10.0.0.1';
    const close = (port: number) => closeConnection(log, port, phone, server);
    close(5000);
    const first = new WeakRef(log.all()[0]);
    for (let port = 5001; port < 5010; port++) close(port);
    expect(shelf.length).toBeGreaterThan(0);
    expect(log.all().some((c) => c.client.port === 5000)).toBe(false);
    expect(await aliveAfterCollecting(() => countAlive([first]))).toBe(0);
  });

  it('forgets the tuple of a connection put aside once it has been quiet long enough: a frame after that starts a new one', () => {
    const shelf: string[] = [];
    let takes = 0;
    const forgotten: string[] = [];
    const log = new ConnectionLog({
      keep: () => true,
      aside: { put: (record) => shelf.push(record) - 1, take: (n) => (takes++, shelf[n]) },
      asideAfterCloses: 1,
      forgetAsideAfterNs: 20_000n, // 20 frames of seg()
      forgotten: (c, sv) => forgotten.push(`${c.port}-${sv.port}`),
    });
    const phone = '10.0.0.5';
    const server = '10.0.0.1';
    const close = (port: number) => closeConnection(log, port, phone, server);
    close(5000);
    close(5001); // 5000 is put aside here
    expect(shelf.length).toBe(1);
    // Within the time: a frame of it brings it back.
    log.push(seg(phone, 5000, server, 443, TCP_ACK));
    expect(takes).toBe(1);
    close(5002); // 5000 (closed, and back) and 5001 are put aside again
    for (let port = 5003; port < 5010; port++) close(port);
    expect(forgotten).toContain('5001-443');
    expect(forgotten).toContain('5000-443');
    const late = log.all().length;
    // Past the time: a late ACK of 5001 is a new connection (as the reassembler's new flow), and nothing is taken back.
    log.push(seg(phone, 5001, server, 443, TCP_ACK));
    expect(takes).toBe(1);
    expect(log.all().length).toBe(late + 1);
    expect(log.all().at(-1)).toMatchObject({ client: { port: 5001 }, synFrames: [] });
  });

  it('counts a connection whose tuple it forgot against its bound as before: the same connections are evicted', () => {
    const run = (forgetAsideAfterNs: bigint) => {
      const shelf: string[] = [];
      const log = new ConnectionLog({
        maxKept: 6,
        keep: (r) => r.client.port < 6000,
        aside: { put: (record) => shelf.push(record) - 1, take: (n) => shelf[n] },
        asideAfterCloses: 1,
        forgetAsideAfterNs,
      });
      const close = (port: number) => closeConnection(log, port);
      for (let k = 0; k < 12; k++) {
        close(5000 + k); // kept: put aside
        close(7000 + k); // not kept: evicted past the bound
      }
      return { evicted: log.evicted, ports: log.all().map((c) => c.client.port), shelved: shelf.map((r) => connectionOfRecord(r).client.port) };
    };
    const forgetting = run(8_000n);
    const remembering = run(10n ** 15n);
    expect(forgetting.evicted).toBeGreaterThan(0);
    expect(forgetting).toEqual(remembering);
  });
});
