// Long bodies hashed on the second thread must get exactly the digests
// hashing them in place gives, whether their bytes sit in lent read buffers
// (read in place) or anywhere else (copied into the ring), across ring wraps,
// pieces longer than the ring, and more bodies than digest slots.
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HttpMessage } from '../../src/http/message.js';
import { PENDING_SHA256 } from '../../src/http/off-thread-hasher.js';
import { DATA_BYTES, DIGEST_SLOTS } from '../../src/parallel/hash-ring.js';
import { HashThread } from '../../src/parallel/hash-thread.js';
import { aliveAfterCollecting, countAlive } from '../helpers/collected.js';

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function message(): HttpMessage {
  return { bodySha256: PENDING_SHA256 } as HttpMessage;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('HashThread', () => {
  it('hashes interleaved bodies from lent buffers and private ones as createHash does', () => {
    const h = new HashThread();
    const lent = [0, 1, 2].map(() => new Uint8Array(new SharedArrayBuffer(64 * 1024)));
    let turn = 0;
    let used = 0;
    const bodies = Array.from({ length: 12 }, (_, i) => ({ data: bytes(100_000 + i * 37_001, i + 1), at: 0, id: h.begin(), m: message() }));
    let open = bodies.length;
    let k = 0;
    while (open > 0) {
      const b = bodies[k++ % bodies.length];
      if (b.at >= b.data.length) continue;
      const n = Math.min(1 + ((k * 7919) % 3000), b.data.length - b.at);
      const piece = b.data.subarray(b.at, b.at + n);
      if (k % 3 === 0) {
        h.update(b.id, piece);
      } else {
        if (used + n > lent[turn].length) {
          turn = (turn + 1) % lent.length;
          used = 0;
          // As the reader does before reading into a buffer again: after this, scribbling is safe.
          h.beforeReuse(lent[turn].buffer as SharedArrayBuffer);
          lent[turn].fill(0xaa);
        }
        const view = lent[turn].subarray(used, used + n);
        view.set(piece);
        used += n;
        h.update(b.id, view);
      }
      b.at += n;
      if (b.at === b.data.length) {
        h.end(b.id, b.m);
        open--;
      }
    }
    h.settle();
    expect(h.bodies).toBe(bodies.length);
    for (const b of bodies) expect(b.m.bodySha256).toBe(sha(b.data));
  });

  it('lets go of the lent buffers once stopped, though the object lives on (its worker keeps it until it has exited)', async () => {
    const h = new HashThread();
    let lent: Uint8Array | undefined = new Uint8Array(new SharedArrayBuffer(64 * 1024));
    const ref = new WeakRef(lent.buffer);
    const data = bytes(50_000, 3);
    lent.set(data);
    const m = message();
    const id = h.begin();
    h.update(id, lent.subarray(0, data.length));
    h.end(id, m);
    h.settle();
    expect(m.bodySha256).toBe(sha(data));
    lent = undefined;
    expect(await aliveAfterCollecting(() => countAlive([ref]))).toBe(0);
    expect(h.bodies).toBe(1);
  });

  it('finds work published by poll() by itself: nobody wakes it, yet the digests arrive', async () => {
    const h = new HashThread();
    // poll() never wakes the thread (only a wait does): it must look at the ring on its own,
    // also once it has gone idle after the first body.
    for (const seed of [9, 10]) {
      const data = bytes(300_000, seed);
      const id = h.begin();
      const m = message();
      h.update(id, data);
      h.end(id, m);
      const deadline = Date.now() + 10_000;
      do {
        h.poll();
        await new Promise((r) => setTimeout(r, 5));
      } while (m.bodySha256 === PENDING_SHA256 && Date.now() < deadline);
      expect(m.bodySha256).toBe(sha(data));
    }
    h.close();
  });

  it('reads a file into a shared buffer as a read call does: the bytes, a short read at the end, the error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upxray-hash-read-'));
    try {
      const path = join(dir, 'f');
      const content = bytes(200_000, 3);
      writeFileSync(path, content);
      const fd = openSync(path, 'r');
      const h = new HashThread();
      try {
        const into = new Uint8Array(new SharedArrayBuffer(150_000));
        expect(await h.read(fd, into, 1000, 100_000, 50_000)).toBe(100_000);
        expect(Buffer.from(into.subarray(1000, 101_000)).equals(content.subarray(50_000, 150_000))).toBe(true);
        expect(into[999]).toBe(0);
        // Past the end: what is left, then nothing.
        expect(await h.read(fd, into, 0, 100_000, 150_000)).toBe(50_000);
        expect(await h.read(fd, into, 0, 100_000, 200_000)).toBe(0);
        // More reads than slots at once: each answered or declined, none lost.
        const many = Array.from({ length: 8 }, (_, i) => h.read(fd, into, i * 10_000, 10_000, i * 10_000));
        const got = await Promise.all(many.map((p) => p ?? Promise.resolve(undefined)));
        for (let i = 0; i < 8; i++) if (got[i] !== undefined) expect(got[i]).toBe(10_000);
        expect(got.filter((g) => g !== undefined).length).toBeGreaterThan(0);
        // A bad descriptor: the read's own error.
        await expect(h.read(2_000_000, into, 0, 10, 0)!).rejects.toThrow(/EBADF/);
        // Only shared buffers are read into there.
        expect(h.read(fd, new Uint8Array(10), 0, 10, 0)).toBeUndefined();
      } finally {
        h.close();
        closeSync(fd);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('splits a piece longer than the ring, and reuses digest slots past their number', () => {
    const h = new HashThread();
    const big = bytes(DATA_BYTES + 12345, 99);
    const bigMessage = message();
    const id = h.begin();
    h.update(id, big);
    h.end(id, bigMessage);
    const small = Array.from({ length: DIGEST_SLOTS + 300 }, (_, i) => ({ data: bytes(1 + (i % 50), i + 7), m: message() }));
    for (const s of small) {
      const sid = h.begin();
      h.update(sid, s.data);
      h.end(sid, s.m);
      h.poll();
    }
    // A body abandoned half way (a connection turned into a tunnel) is dropped.
    const dropped = h.begin();
    h.update(dropped, bytes(1000, 5));
    h.discard(dropped);
    h.settle();
    expect(bigMessage.bodySha256).toBe(sha(big));
    for (const s of small) expect(s.m.bodySha256).toBe(sha(s.data));
  });

  it('an empty body gets the digest of nothing, and a hasher never used starts no thread', () => {
    const idle = new HashThread();
    idle.poll();
    idle.settle();
    expect(idle.bodies).toBe(0);
    const h = new HashThread();
    const m = message();
    h.end(h.begin(), m);
    h.settle();
    expect(m.bodySha256).toBe(sha(new Uint8Array(0)));
  });

  it('a hashing thread that fails makes the wait end with one line, not a hang', () => {
    const h = new HashThread();
    h.begin();
    // A piece for a body never begun: the worker cannot carry it out and stops.
    h.update(424242, bytes(1000, 3));
    expect(() => h.settle()).toThrow(/^upxray: the hashing thread failed$/);
    // Once failed, it stays failed rather than starting anew behind the caller's back.
    expect(() => h.begin()).toThrow(/hashing thread failed/);
  });

  it('a read waiting on a thread that fails is handed back (undefined), not left hanging', async () => {
    const h = new HashThread();
    h.begin();
    // The failing command comes first: the read behind it is never carried out.
    h.update(424242, bytes(1000, 4));
    const into = new Uint8Array(new SharedArrayBuffer(4096));
    const pending = h.read(0, into, 0, 10, 0);
    expect(pending).toBeDefined();
    expect(await pending).toBeUndefined();
    // From then on the caller reads itself.
    expect(h.read(0, into, 0, 10, 0)).toBeUndefined();
    h.close();
  });
});
