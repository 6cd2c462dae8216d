import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/io.js';
import { keyInput, colourWanted } from '../../src/tui/run.js';
import { CAPTURES, cli } from '../helpers/cli.js';

const demo = join(CAPTURES, 'dus-demo.pcap');
const stream = (isTTY: boolean) => ({ isTTY }) as unknown as NodeJS.ReadStream;

describe('browse and analyze --tui without a terminal', () => {
  it.each([[['browse', demo]], [['analyze', '--tui', demo]]])('%j refuses with one line and exit 2', async (argv) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('upxray: the terminal UI needs a terminal on standard output; use analyze for a text report\n');
  });

  it('lists browse in the help', async () => {
    const r = await cli(['--help']);
    expect(r.stdout).toMatch(/browse \[options\] <capture>|browse <capture>/);
  });
});

describe('keyInput', () => {
  it('reads keys from stdin when it is a terminal and does not carry the capture', () => {
    const tty = stream(true);
    expect(keyInput('file.pcap', tty, () => stream(true))).toBe(tty);
  });

  it('reads keys from /dev/tty when the capture comes on stdin, or when stdin is a pipe', () => {
    const devTty = stream(true);
    expect(keyInput('-', stream(false), () => devTty)).toBe(devTty);
    expect(keyInput('file.pcap', stream(false), () => devTty)).toBe(devTty);
  });

  it('refuses with a clear usage error when there is no terminal to read keys from', () => {
    const none = () => {
      throw Object.assign(new Error('ENXIO: no such device or address'), { code: 'ENXIO' });
    };
    expect(() => keyInput('-', stream(false), none)).toThrow(UsageError);
    expect(() => keyInput('-', stream(false), none)).toThrow(/capture comes on standard input and there is no terminal \(\/dev\/tty\) to read keys from/);
    expect(() => keyInput('x.pcap', stream(false), none)).toThrow(/standard input is not a terminal/);
  });
});

describe('colourWanted', () => {
  it('is off under NO_COLOR and on a dumb terminal, on otherwise', () => {
    expect(colourWanted({ NO_COLOR: '1', TERM: 'xterm' })).toBe(false);
    expect(colourWanted({ TERM: 'dumb' })).toBe(false);
    expect(colourWanted({ NO_COLOR: '', TERM: 'xterm' })).toBe(true);
    expect(colourWanted({ TERM: 'xterm-256color' })).toBe(true);
  });
});
