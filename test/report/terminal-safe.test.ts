import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeBlock } from '../../src/report/terminal-safe.js';

describe('terminalSafe', () => {
  it('neutralises CSI, OSC and OSC 52 clipboard writes', () => {
    const hostile = '\u001b[2J\u001b]0;pwned\u0007\u001b]52;c;ZXZpbA==\u001b\\';
    const safe = terminalSafe(hostile);
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(safe).toBe('\\x1b[2J\\x1b]0;pwned\\x07\\x1b]52;c;ZXZpbA==\\x1b\\');
  });

  it('escapes C1 controls (8-bit CSI) and bidi overrides', () => {
    expect(terminalSafe('a\u009b2Jb')).toBe('a\\x9b2Jb');
    expect(terminalSafe('x\u202Ey')).toBe('x\\u202ey');
  });

  it('escapes line breaks in single-line fields but not in blocks', () => {
    expect(terminalSafe('a\r\nb')).toBe('a\\x0d\\x0ab');
    expect(terminalSafeBlock('a\n\tb\u001b[0m')).toBe('a\n\tb\\x1b[0m');
  });

  it('leaves ordinary text alone', () => {
    expect(terminalSafe('GET /DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt')).toBe(
      'GET /DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt',
    );
    expect(terminalSafe('Ünïcödé ok')).toBe('Ünïcödé ok');
  });
});
