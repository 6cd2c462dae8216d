import { describe, expect, it } from 'vitest';
import { interimRule, needsInterim } from '../../../src/diagnose/rules/interim.js';
import { checkIn, download, FIRMWARE_URL, INTERIM_URL, model, offer, upxRequest, upxResponse } from './builders.js';

function run(version: string, files = [offer(INTERIM_URL, '1.0.522.103')]) {
  const x = checkIn({ id: '0.1', reqFrame: 4, req: upxRequest({ version }), res: upxResponse({ files }) });
  return interimRule.run(model({ exchanges: [x] }));
}

describe('interim rule', () => {
  it('draws the line at 1.0.522.98, numerically', () => {
    expect(needsInterim('1.0.522.97')).toBe(true);
    expect(needsInterim('1.0.522.98')).toBe(false);
    expect(needsInterim('1.0.522.103')).toBe(false);
    expect(needsInterim('1.0.452.0')).toBe(true);
    expect(needsInterim('0.0.0.0')).toBe(true);
    expect(needsInterim('')).toBe(true);
    expect(needsInterim(undefined)).toBe(true);
  });

  it('calls the interim offer to 1.0.522.97 information', () => {
    const fs = run('1.0.522.97');
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ code: 'interim-required', severity: 'info', evidence: { frames: [6], exchanges: ['0.1'] } });
    expect(fs[0].message).toContain('1.0.522.97');
  });

  it('says nothing for phones on 1.0.522.98 or newer, whatever they are offered', () => {
    expect(run('1.0.522.98', [offer(FIRMWARE_URL, '3.5.6907.0')])).toEqual([]);
    expect(run('1.0.522.103', [offer(FIRMWARE_URL, '3.5.6907.0')])).toEqual([]);
  });

  it('reports an error when a phone below the line is offered the final build directly', () => {
    const fs = run('1.0.522.97', [offer(FIRMWARE_URL, '3.5.6907.0')]);
    expect(fs.map((f) => [f.code, f.severity])).toEqual([['interim-not-offered', 'error']]);
    expect(fs[0].message).toContain('3.5.6907.0');
  });

  it('does not take 1.0.522.103 from outside OCInterim for the interim build', () => {
    expect(run('1.0.522.34', [offer(FIRMWARE_URL.replace('3.5.6907.0', '1.0.522.103'), '1.0.522.103')]).map((f) => f.code)).toEqual([
      'interim-not-offered',
    ]);
  });

  it('treats a first check-in with no version answered Downloads 0 as provisioning', () => {
    expect(run('0.0.0.0', [])).toEqual([]);
    expect(run('', [])).toEqual([]);
  });

  it('still expects the interim build for a phone with no version that is offered something', () => {
    expect(run('0.0.0.0').map((f) => f.code)).toEqual(['interim-required']);
    expect(run('0.0.0.0', [offer(FIRMWARE_URL, '3.5.6907.0')]).map((f) => f.code)).toEqual(['interim-not-offered']);
  });

  it('reports a known old version answered with nothing', () => {
    const fs = run('1.0.522.34', []);
    expect(fs.map((f) => f.code)).toEqual(['interim-not-offered']);
    expect(fs[0].message).toMatch(/offers nothing/);
  });

  it('reports a 404 under OCInterim as the missing virtual directory', () => {
    const d = download({ id: '1.1', uri: '/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt', reqFrame: 14, resFrame: 18, status: 404, offeredBy: '0.1' });
    const fs = interimRule.run(model({ exchanges: [d] }));
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ code: 'interim-vdir-missing', severity: 'error', evidence: { frames: [14, 18] } });
  });
});
