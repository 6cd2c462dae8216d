import { closeSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeSpool } from '../../src/report/exchange-spool.js';

const folders: string[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

function folder(): string {
  const f = mkdtempSync(join(tmpdir(), 'upxray-spool-test-'));
  folders.push(f);
  return f;
}

describe('ExchangeSpool', () => {
  it('gives back each text put aside, in any order, across writes of the buffer and beyond its size', () => {
    const at = folder();
    const spool = new ExchangeSpool(at);
    expect(spool.onDisk).toBe(true);
    // Nothing to be seen in the folder: the file was unlinked as soon as it was opened.
    expect(readdirSync(at)).toEqual([]);
    const texts = Array.from({ length: 3000 }, (_, i) => `{"id": "${i}.1", "text": "${'é€😀x'.repeat(i % 97)}"}`);
    // Longer than the write buffer; then one whose worst case is longer but whose bytes fit; then short ones.
    texts.push('y'.repeat(3 << 20), 'w'.repeat(400_000), '', 'z');
    const places = texts.map((t) => spool.append(t));
    for (let i = texts.length - 1; i >= 0; i -= 7) expect(spool.read(places[i])).toBe(texts[i]);
    // More after reading (the buffer was written out), then all of it again.
    places.push(spool.append('after'));
    texts.push('after');
    texts.forEach((t, i) => expect(spool.read(places[i])).toBe(t));
    spool.close();
    expect(readdirSync(at)).toEqual([]);
  });

  it('reads texts read back in about the order they were written a piece of the file at a time', () => {
    const spool = new ExchangeSpool(folder());
    const texts = Array.from({ length: 4000 }, (_, i) => `{"id": "${i}.1", "pad": "${'p'.repeat(200 + (i % 300))}"}`);
    const places = texts.map((t) => spool.append(t));
    const bytes = places.reduce((n, p) => n + p.length, 0);
    // Report order: mostly in order, each 50th text read ahead of its place (a download, written when it ended).
    const order = texts.map((_, i) => i).sort((a, b) => (a % 50 === 0 ? a - 300 : a) - (b % 50 === 0 ? b - 300 : b));
    for (const i of order) expect(spool.read(places[i])).toBe(texts[i]);
    // One read per 64 KiB of the file, give or take the texts read ahead: not one per text.
    expect(spool.fileReads).toBeLessThan((bytes / (64 * 1024)) * 2 + 4);
    expect(spool.fileReads).toBeGreaterThan(0);
    spool.close();
  });

  it('says which folder it could not write to, with the error the system gave', () => {
    const at = folder();
    const spool = new ExchangeSpool(at);
    // The file goes away under it (as on a full disk, the write fails).
    const inside = spool as unknown as { fd: number | undefined };
    closeSync(inside.fd!);
    expect(() => spool.append('x'.repeat(2 << 20))).toThrow(new RegExp(`cannot write the temporary file of exchanges in ${at} \\(TMPDIR\\): EBADF`));
    // Forget the closed descriptor, so that nothing closes its number again once another file has it.
    inside.fd = undefined;
    spool.close();
  });

  it('holds the texts in memory where no file can be made', () => {
    const spool = new ExchangeSpool(join(folder(), 'no', 'such', 'folder'));
    expect(spool.onDisk).toBe(false);
    const a = spool.append('{"a": 1}');
    const b = spool.append('{"b": "ü"}');
    expect(spool.read(b)).toBe('{"b": "ü"}');
    expect(spool.read(a)).toBe('{"a": 1}');
    const bytes = spool.appendBytes(Uint8Array.of(1, 2, 3));
    expect([...spool.readBytes(bytes)]).toEqual([1, 2, 3]);
    expect(spool.read(a, true)).toBe('{"a": 1}');
  });

  it('gives back bytes and texts put aside between each other, read scattered or in order', () => {
    const spool = new ExchangeSpool(folder());
    const texts: string[] = [];
    const blobs: Uint8Array[] = [];
    const places = [];
    for (let i = 0; i < 2000; i++) {
      texts.push(`[${i}, "${'ß'.repeat(i % 50)}"]`);
      blobs.push(Uint8Array.from({ length: (i * 37) % 900 }, (_, k) => (k * 7 + i) & 0xff));
      places.push({ text: spool.append(texts[i]), bytes: spool.appendBytes(blobs[i]) });
    }
    // Bytes beyond the write buffer go straight to the file, and what follows them stays in its place.
    const big = Uint8Array.from({ length: (1 << 20) + 5 }, (_, k) => k & 0xff);
    const bigPlace = spool.appendBytes(big);
    const last = spool.append('last');
    expect(Buffer.from(spool.readBytes(bigPlace)).equals(Buffer.from(big))).toBe(true);
    expect(spool.read(last)).toBe('last');
    for (let i = places.length - 1; i >= 0; i -= 3) {
      expect(spool.read(places[i].text, true)).toBe(texts[i]);
      expect([...spool.readBytes(places[i].bytes)]).toEqual([...blobs[i]]);
    }
    for (let i = 0; i < places.length; i++) expect(spool.read(places[i].text)).toBe(texts[i]);
    spool.close();
  });
});
