// ByteQueue reads a lent regular file two buffers ahead, at known positions;
// anything else one buffer ahead, where the file stands. Either way the bytes
// come out whole and in order, whatever the read size and wherever the end of
// the file falls. The file handle here is a real one, watched: how many reads
// are in flight at once, and at which positions.
import { open, type FileHandle } from 'node:fs/promises';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ByteQueue } from '../../src/capture/byte-queue.js';
import { HashThread } from '../../src/parallel/hash-thread.js';
import { UNTRACKED_ALLOCATION_BYTES } from '../../src/util/big-buffer.js';
import { aliveAfterCollecting, countAlive } from '../helpers/collected.js';

const tmp = mkdtempSync(join(tmpdir(), 'upxray-byte-queue-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Watched {
  file: FileHandle;
  inFlight: number;
  most: number;
  positions: Array<number | null>;
}

/** A real file handle whose reads are counted while in flight (each held for a turn, so reads can overlap). */
async function watched(path: string): Promise<Watched> {
  const real = await open(path, 'r');
  const w: Watched = { file: real, inFlight: 0, most: 0, positions: [] };
  const read = real.read.bind(real) as (b: Buffer, o: number, l: number, p: number | null) => Promise<{ bytesRead: number; buffer: Buffer }>;
  w.file = new Proxy(real, {
    get(target, key) {
      if (key === 'read') {
        return async (b: Buffer, o: number, l: number, p: number | null) => {
          w.positions.push(p);
          w.most = Math.max(w.most, ++w.inFlight);
          try {
            await new Promise((r) => setTimeout(r, 1));
            return await read(b, o, l, p);
          } finally {
            w.inFlight--;
          }
        };
      }
      const v = Reflect.get(target, key);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return w;
}

/** Everything the queue gives, taking `step` bytes at a time. */
async function drain(q: ByteQueue, step: number): Promise<Buffer> {
  const out: Buffer[] = [];
  for (;;) {
    const ok = await q.fill(step);
    const take = Math.min(step, q.available);
    if (take === 0 && !ok) break;
    out.push(Buffer.from(q.view().subarray(0, take)));
    q.skip(take);
    if (!ok && q.available === 0) break;
  }
  await q.close();
  return Buffer.concat(out);
}

describe('ByteQueue reads ahead', () => {
  const sizes = [0, 1, 4095, 4096, 4097, 3 * (256 * 1024 + 64) + 12345, 2_000_000];
  it.each(sizes)('gives a %i-byte file whole, lent (two reads ahead at known positions) or not (one)', async (size) => {
    const path = join(tmp, `f${size}`);
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 131 + (i >> 8)) & 0xff;
    writeFileSync(path, bytes);
    for (const readSize of [4096, 65536, 1024 * 1024]) {
      for (const step of [1000, 70_000]) {
        const lent = await watched(path);
        const reclaimed: SharedArrayBuffer[] = [];
        const q = new ByteQueue({ file: lent.file, regular: true }, readSize);
        await q.fill(1);
        q.lend((b) => reclaimed.push(b));
        expect((await drain(q, step)).equals(readFileSync(path)), `lent, read ${readSize}, step ${step}`).toBe(true);
        if (size > 4 * readSize) {
          expect(lent.most).toBe(2);
          expect(reclaimed.length).toBeGreaterThan(0);
        }
        expect(lent.positions.every((p) => p !== null)).toBe(true);

        // Lent, but a FIFO or device: read where it stands, one read ahead.
        const fifo = await watched(path);
        const q3 = new ByteQueue({ file: fifo.file, regular: false }, readSize);
        q3.lend(() => {});
        expect((await drain(q3, step)).equals(readFileSync(path)), `lent FIFO, read ${readSize}, step ${step}`).toBe(true);
        expect(fifo.most).toBeLessThanOrEqual(1);
        expect(fifo.positions.every((p) => p === null)).toBe(true);

        const plain = await watched(path);
        const q2 = new ByteQueue({ file: plain.file, regular: false }, readSize);
        expect((await drain(q2, step)).equals(readFileSync(path)), `not lent, read ${readSize}, step ${step}`).toBe(true);
        expect(plain.most).toBeLessThanOrEqual(1);
        expect(plain.positions.every((p) => p === null)).toBe(true);
      }
    }
  });
});

describe('ByteQueue buffers', () => {
  it('reads into big buffers (util/big-buffer.ts), lent or not, joined or not', async () => {
    const path = join(tmp, 'big-buffers');
    writeFileSync(path, Buffer.alloc(2_000_000, 1));
    for (const lend of [false, true]) {
      const file = await open(path, 'r');
      const q = new ByteQueue({ file, regular: true }, 65536);
      if (lend) q.lend(() => {});
      const seen = new Set<ArrayBufferLike>();
      // Steps within a read, then a block longer than a buffer (joined in a new one).
      for (const step of [...Array<number>(20).fill(50_000), 600_000]) {
        expect(await q.fill(step)).toBe(true);
        seen.add(q.buffer.buffer);
        q.skip(step);
      }
      await q.close();
      expect(seen.size).toBeGreaterThan(1);
      for (const b of seen) expect(b.byteLength, `lent ${lend}`).toBeGreaterThanOrEqual(UNTRACKED_ALLOCATION_BYTES);
    }
  });

  it('reads a stream into plain buffers: it makes one for each read, and V8 counts all of a big one as memory to collect', async () => {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 40; i++) yield Buffer.alloc(50_000, i);
    }
    const q = new ByteQueue({ chunks: chunks() }, 65536);
    const seen = new Set<ArrayBufferLike>();
    let total = 0;
    while (await q.fill(1)) {
      seen.add(q.buffer.buffer);
      total += q.available;
      q.skip(q.available);
    }
    await q.close();
    expect(total).toBe(40 * 50_000);
    expect(seen.size).toBeGreaterThan(1);
    for (const b of seen) expect(b.byteLength).toBeLessThan(UNTRACKED_ALLOCATION_BYTES);
  });
});

describe('ByteQueue closed', () => {
  it('lets go of its buffers and of the borrowers once closed (the source outlives the reading)', async () => {
    const path = join(tmp, 'released');
    writeFileSync(path, Buffer.alloc(500_000, 2));
    const file = await open(path, 'r');
    const q = new ByteQueue({ file, regular: true }, 65536);
    // The callback alone holds the borrower, as the pipeline's closure does.
    const lendTo = (borrower: object): WeakRef<object> => {
      q.lend(() => void borrower);
      return new WeakRef(borrower);
    };
    const borrowerRef = lendTo({ name: 'the pipeline' });
    const buffers: Array<WeakRef<ArrayBufferLike>> = [];
    while (await q.fill(40_000)) {
      buffers.push(new WeakRef(q.buffer.buffer));
      q.skip(40_000);
    }
    const offset = q.offset;
    await q.close();
    expect(q.offset).toBe(offset);
    expect(q.available).toBe(0);
    expect(await aliveAfterCollecting(() => countAlive([...buffers, borrowerRef]))).toBe(0);
    expect(q.buffer.length).toBe(0);
  });
});

describe('ByteQueue with a lent reader', () => {
  it('lets the hashing thread read a regular file from the given position on, and the bytes come out whole', async () => {
    const size = 3_000_000 + 777;
    const path = join(tmp, 'reader');
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 9)) & 0xff;
    writeFileSync(path, bytes);
    for (const readerFrom of [0, 1_000_000, Number.MAX_SAFE_INTEGER]) {
      const h = new HashThread();
      const byThread: number[] = [];
      const own = await watched(path);
      const q = new ByteQueue({ file: own.file, regular: true }, 65536);
      await q.fill(1);
      q.lend(
        (b) => h.beforeReuse(b),
        (fd, into, at, length, pos) => {
          const r = h.read(fd, into, at, length, pos);
          if (r) byThread.push(pos);
          return r;
        },
        readerFrom,
      );
      expect((await drain(q, 70_000)).equals(bytes), `reader from ${readerFrom}`).toBe(true);
      h.close();
      // Reads before readerFrom are the queue's own; from there on, nearly all the thread's
      // (a read into a private buffer, made to join a long block, stays the queue's).
      expect(byThread.every((p) => p >= readerFrom)).toBe(true);
      const ownLater = own.positions.filter((p) => p !== null && p >= readerFrom).length;
      if (readerFrom < size) expect(byThread.length).toBeGreaterThan(Math.max(10, 4 * ownLater));
      else expect(byThread).toEqual([]);
    }
  });

  it('reads itself where the reader declines', async () => {
    const path = join(tmp, 'declined');
    const bytes = Buffer.alloc(500_000, 7);
    writeFileSync(path, bytes);
    const own = await watched(path);
    const q = new ByteQueue({ file: own.file, regular: true }, 4096);
    let asked = 0;
    q.lend(
      () => {},
      () => {
        asked++;
        return undefined;
      },
      0,
    );
    expect((await drain(q, 1000)).equals(bytes)).toBe(true);
    expect(asked).toBeGreaterThan(50);
    expect(own.positions.length).toBeGreaterThanOrEqual(asked);
  });
});
