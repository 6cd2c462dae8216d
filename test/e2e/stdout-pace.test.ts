// `analyze --json` into a pipe waits for the reader instead of queueing the
// whole document in memory (Node queues every write to a pipe): the output
// must still arrive whole and identical when the reader is slow, and an early
// close (`| head`) still ends quietly.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { roomIn } from '../../src/cli/io.js';
import { BIN, CAPTURES, ROOT } from '../helpers/cli.js';

const CAPTURE = join(CAPTURES, 'many-phones.pcap');

describe('roomIn', () => {
  it('answers at once while the stream has room, else when it drains', async () => {
    const s = new PassThrough({ highWaterMark: 16 });
    let ready = false;
    await roomIn(s);
    s.write('x'.repeat(64));
    const waiting = roomIn(s).then(() => (ready = true));
    await new Promise((r) => setImmediate(r));
    expect(ready).toBe(false);
    s.read();
    await waiting;
    expect(ready).toBe(true);
  });

  it('does not wait forever on a stream that closes instead of draining', async () => {
    const s = new PassThrough({ highWaterMark: 16 });
    s.write('x'.repeat(64));
    const waiting = roomIn(s);
    s.destroy();
    await expect(waiting).resolves.toBeUndefined();
  });
});

describe('analyze --json into a pipe', () => {
  it('gives a slow reader the very document a fast one gets', async () => {
    const fast = spawnSync(process.execPath, [BIN, 'analyze', '--json', CAPTURE], { cwd: ROOT, maxBuffer: 1 << 28 });
    expect(fast.status).toBe(0);
    expect(fast.stdout.length).toBeGreaterThan(1 << 16); // more than a Linux pipe holds, so the writer must wait
    const child = spawn(process.execPath, [BIN, 'analyze', '--json', CAPTURE], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const code = new Promise<number | null>((r) => child.on('close', r));
    // A slow reader: each chunk taken only after a pause (async iteration reads no further ahead).
    const chunks: Buffer[] = [];
    for await (const c of child.stdout) {
      chunks.push(c as Buffer);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await code).toBe(0);
    expect(Buffer.concat(chunks).length).toBe(fast.stdout.length);
    expect(Buffer.concat(chunks).equals(fast.stdout)).toBe(true);
  }, 60_000);

  it('ends with exit 0 and no message when the reader closes early', async () => {
    const child = spawn(process.execPath, [BIN, 'analyze', '--json', CAPTURE], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(stderr).toBe('');
  }, 60_000);
});
