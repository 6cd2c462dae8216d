import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastSegment, NameAllocator, safeFileName } from '../../src/report/safe-name.js';

describe('lastSegment', () => {
  it('takes the last path segment without query or fragment', () => {
    expect(lastSegment('/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt?x=1#y')).toBe('CPE.nbt');
    expect(lastSegment('http://ocs.demo.local/a/b/CPE.cat')).toBe('CPE.cat');
    expect(lastSegment('/')).toBe('');
  });

  it('decodes %-escapes, so an encoded separator is seen and then made safe', () => {
    expect(lastSegment('/x/..%2f..%2fetc%2fpasswd')).toBe('../../etc/passwd');
    expect(lastSegment('/x/%zz')).toBe('%zz');
  });
});

describe('safeFileName', () => {
  it.each([
    ['../../etc/passwd', '_.._etc_passwd'],
    ['..', 'object'],
    ['.', 'object'],
    ['', 'object'],
    ['C:\\x', 'C__x'],
    ['a\u0000b', 'a_b'],
    ['\u001b]52;c;ZXZpbA==\u0007', '_]52;c;ZXZpbA==_'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['com1', '_com1'],
    ['.hidden', 'hidden'],
    ['CPE.nbt', 'CPE.nbt'],
  ])('%j becomes %j', (raw, safe) => {
    expect(safeFileName(raw)).toBe(safe);
  });

  it('never yields a name that resolves outside the folder', () => {
    const hostile = ['../x', '..\\..\\x', '/etc/passwd', 'a/../../b', '\u0000', '....//', 'x/.', '%2e%2e'];
    const dir = resolve('/tmp/out');
    for (const h of hostile) {
      const name = safeFileName(lastSegment(`/p/${encodeURIComponent(h)}`));
      expect(resolve(dir, name).startsWith(dir + '/')).toBe(true);
      expect(name).not.toMatch(/[\\/]/);
    }
  });

  it('keeps names within 200 bytes without splitting characters', () => {
    const name = safeFileName('é'.repeat(500));
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(name).toBe('é'.repeat(100));
  });

  it('really can be created on disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'upxray-names-'));
    try {
      for (const h of ['../../etc/passwd', 'C:\\x', 'a\u0000b', 'CON']) {
        const p = resolve(dir, safeFileName(h));
        expect(p.startsWith(dir)).toBe(true);
      }
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('NameAllocator', () => {
  it('numbers repeats as Wireshark does, case-insensitively', () => {
    const names = new NameAllocator();
    expect(names.take('CPE.nbt')).toBe('CPE.nbt');
    expect(names.take('CPE.nbt')).toBe('CPE(1).nbt');
    expect(names.take('cpe.nbt')).toBe('cpe(2).nbt');
    expect(names.take('object')).toBe('object');
    expect(names.take('object')).toBe('object(1)');
  });
});
