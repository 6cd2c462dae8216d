// The binary as a user meets it: exit codes, one-line errors with no stack
// trace, partial results with a warning, standard input, hostile names.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, bin, CAPTURES, cli } from '../helpers/cli.js';
import type { FlowsDocument } from '../../src/report/flows-json.js';

const DERIVED = join(CAPTURES, 'derived');
const STACK = /\n\s+at |Error:|node:internal/;

function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(STACK);
  return lines[0];
}

describe('unreadable input: one line on stderr, exit 2', () => {
  it.each([
    ['empty.pcap', /empty/],
    ['html.pcap', /not a pcap or pcapng file/],
    ['short-header.pcap', /cut short|header/],
    ['not-gzip.pcap.gz', /gzip/],
  ])('%s', (file, message) => {
    const r = bin(['flows', join(DERIVED, file)]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a file that does not exist', () => {
    const r = bin(['flows', join(DERIVED, 'no-such.pcap')]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/no such file/);
  });

  it('a folder given as a capture', () => {
    const r = bin(['objects', DERIVED, '-o', join(tmpdir(), 'upxray-unused')]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/directory/);
  });
});

describe('bad usage: exit 2', () => {
  it.each([
    [['flows']],
    [['flows', '--no-such-option', 'x.pcap']],
    [['no-such-command']],
    [['objects', join(CAPTURES, 'http-keepalive.pcap')]],
  ])('%j', (argv) => {
    const r = bin(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('is the bundle package.json names, and its hashing thread loads from beside it', async () => {
    const pkg = JSON.parse(readFileSync(resolve(CAPTURES, '../package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(resolve(CAPTURES, '..', pkg.bin.upxray)).toBe(BIN);
    // Firmware of 2 MB and more (the test captures' bodies are kept whole, and so hashed where they are
    // read): the benchmark's generator makes a small mass update (bench/synth-capture.mjs).
    const dir = mkdtempSync(join(tmpdir(), 'upxray-bundle-'));
    try {
      const capture = join(dir, 'mass-update.pcap');
      const generator = new URL('../../bench/synth-capture.mjs', import.meta.url).href;
      const { synthesize } = (await import(generator)) as { synthesize: (path: string, bytes: number) => { downloads: number } };
      expect(synthesize(capture, 8e6).downloads).toBeGreaterThan(0);
      const threaded = bin(['analyze', '--json', capture]);
      expect(threaded.stderr).toBe('');
      expect(threaded.code).toBe(0);
      const alone = bin(['analyze', '--json', '--threads', '1', capture]);
      expect(threaded.stdout).toBe(alone.stdout);
      expect(JSON.parse(threaded.stdout).exchanges.some((x: { response?: { bodySize: number } }) => x.response && x.response.bodySize > 1e6)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs --threads 2 on worker threads of the bundle, and says so when they fail', () => {
    const capture = join(CAPTURES, 'many-phones.pcap');
    const alone = bin(['analyze', '--json', '--threads', '1', capture]);
    const threaded = bin(['analyze', '--json', '--threads', '2', capture]);
    // A shard worker that did not load would be a warning here.
    expect(threaded.stderr).toBe('');
    expect(threaded.stdout).toBe(alone.stdout);
    // The same bundle without its shard worker (copied aside, beside the project's node_modules).
    const dir = mkdtempSync(join(tmpdir(), 'upxray-bundle-'));
    try {
      cpSync(dirname(BIN), join(dir, 'dist', 'bundle'), { recursive: true });
      rmSync(join(dir, 'dist', 'bundle', 'shard-worker.js'));
      symlinkSync(resolve(CAPTURES, '..', 'node_modules'), join(dir, 'node_modules'));
      const r = spawnSync(process.execPath, [join(dir, 'dist', 'bundle', basename(BIN)), 'analyze', '--json', '--threads', '2', capture], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(alone.stdout);
      expect(oneLine(r.stderr)).toMatch(/^upxray: warning: --threads 2: a worker thread failed \(.*shard-worker\.js.*\); the capture was analysed on one thread$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--help and --version exit 0', () => {
    expect(bin(['--help']).code).toBe(0);
    const v = bin(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(resolve(CAPTURES, '../package.json'), 'utf8')).version);
  });
});

describe('broken files give partial results and say how far they got', () => {
  it.each([
    ['cut-mid-record.pcap', 'pcap.truncated-record', 5],
    ['cut-mid-header.pcap', 'pcap.trailing-bytes', 5],
    ['trailing-bytes.pcap', 'pcap.trailing-bytes', 12],
    ['incl-len-huge.pcap', 'pcap.incl-len-too-large', 4],
    ['block-len-4g.pcapng', 'pcapng.bad-block-length', 6],
    ['bad-trailing-length.pcapng', 'pcapng.bad-trailing-length', 6],
    ['cut-mid-block.pcapng', 'pcapng.truncated-block', 7],
    ['cut.pcap.gz', 'pcap.read-error', undefined],
  ])('%s', (file, code, records) => {
    const r = bin(['flows', '--json', join(DERIVED, file)]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as FlowsDocument;
    expect(doc.warnings.map((w) => w.code)).toContain(code);
    if (records !== undefined) expect(doc.captures[0].records).toBe(records);
    const warning = oneLine(r.stderr);
    expect(warning).toMatch(/^upxray: warning: /);
    expect(warning).toMatch(/\d+ record/);
  });

  it('a record cut short still lets the exchanges before it through', async () => {
    const whole = JSON.parse((await cli(['flows', '--json', join(DERIVED, 'http-lo.pcap')])).stdout) as FlowsDocument;
    const cut = JSON.parse((await cli(['flows', '--json', join(DERIVED, 'cut-mid-record.pcap')])).stdout) as FlowsDocument;
    expect(whole.exchanges).toHaveLength(1);
    expect(cut.exchanges.map((x) => x.request?.uri)).toEqual(whole.exchanges.map((x) => x.request?.uri));
  });
});

describe('standard input', () => {
  it('reads a gzipped capture from a pipe as it reads the file', () => {
    const file = join(CAPTURES, 'http-keepalive.pcap');
    const fromFile = bin(['flows', '--json', file]);
    const fromPipe = bin(['flows', '--json', '-'], readFileSync(`${file}.gz`));
    expect(fromPipe.code).toBe(0);
    const a = JSON.parse(fromFile.stdout) as FlowsDocument;
    const b = JSON.parse(fromPipe.stdout) as FlowsDocument;
    expect(b.exchanges).toEqual(a.exchanges);
    expect(b.captures[0]).toMatchObject({ path: '-', gzip: true, records: a.captures[0].records });
  });
});

describe('several captures', () => {
  it('lists each file and prefixes exchange ids with the file number', async () => {
    const r = await cli(['flows', '--json', join(CAPTURES, 'http-nanosecond.pcap'), join(CAPTURES, 'http-sll.pcap')]);
    const doc = JSON.parse(r.stdout) as FlowsDocument;
    expect(doc.captures.map((c) => c.path)).toEqual([join(CAPTURES, 'http-nanosecond.pcap'), join(CAPTURES, 'http-sll.pcap')]);
    expect(new Set(doc.exchanges.map((x) => x.id.split('/')[0]))).toEqual(new Set(['1', '2']));
    expect(doc.exchanges.every((x) => x.capture !== undefined)).toBe(true);
  });
});

describe('text output', () => {
  it('shows each exchange with its frames, and nothing the terminal would act on', async () => {
    const r = await cli(['flows', join(CAPTURES, 'http-hostile-names.pcap')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^0\.1 +127\.0\.0\.1:18631 -> 127\.0\.0\.1:18131 +4 GET \/x\/\.\.\/\.\.\/etc\/passwd +=> 6: 404 Not Found/m);
    expect(r.stdout).toContain('\\x1b[2J');
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

describe('objects', () => {
  it('names every file safely inside the folder, whatever the URI', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'upxray-hostile-'));
    const out = join(parent, 'out');
    try {
      const r = await cli(['objects', join(CAPTURES, 'http-hostile-names.pcap'), '-o', out]);
      expect(r.code).toBe(0);
      expect(readdirSync(parent)).toEqual(['out']);
      const names = readdirSync(out).sort();
      expect(names).toHaveLength(9);
      for (const n of names) {
        expect(n).not.toMatch(/[\\/:\u0000-\u001f\u007f]/);
        expect(n).not.toMatch(/^\.|^(con|nul)(\.|$)/i);
      }
      expect(names).toContain('_.._etc_passwd');
      expect(names).toContain('_CON');
      expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('never overwrites a file already in the folder', async () => {
    const out = mkdtempSync(join(tmpdir(), 'upxray-keep-'));
    try {
      writeFileSync(join(out, '1500'), 'mine');
      const r = await cli(['objects', join(CAPTURES, 'http-keepalive.pcap'), '-o', out]);
      expect(r.code).toBe(0);
      expect(readFileSync(join(out, '1500'), 'utf8')).toBe('mine');
      expect(existsSync(join(out, '1500(1)'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('leaves bodies cut short out unless asked, and then marks them', async () => {
    const out = mkdtempSync(join(tmpdir(), 'upxray-partial-'));
    try {
      const capture = join(CAPTURES, 'tcp-rst.pcap');
      const plain = await cli(['objects', capture, '-o', join(out, 'a')]);
      expect(plain.stderr).toMatch(/cut short/);
      expect(readdirSync(join(out, 'a')).some((n) => n.endsWith('.partial'))).toBe(false);
      await cli(['objects', capture, '-o', join(out, 'b'), '--include-incomplete']);
      const partial = readdirSync(join(out, 'b')).filter((n) => n.endsWith('.partial'));
      expect(partial).toEqual(['60000.partial']);
      expect(readFileSync(join(out, 'b', partial[0])).length).toBeLessThan(60000);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
