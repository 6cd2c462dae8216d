import { describe, expect, it } from 'vitest';
import { deviceRule, isDv1 } from '../../../src/diagnose/rules/device.js';
import { checkIn, model, upxRequest } from './builders.js';

describe('device rule', () => {
  it('recognises the DV1 however the model is spelled', () => {
    for (const m of ['DV1', 'dv1', 'DV-1', ' DV 1 ', 'Microsoft DV1']) expect(isDv1(m)).toBe(true);
    for (const m of ['IP8540', 'CX700', 'DV10', undefined]) expect(isDv1(m)).toBe(false);
  });

  it('reports a DV1 check-in on its request frame', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, req: upxRequest({ vendor: 'Microsoft', model: 'DV1', version: '1.0.522.101' }) });
    const [f, ...rest] = deviceRule.run(model({ exchanges: [x] }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ code: 'unsupported-device', severity: 'error', evidence: { frames: [4], field: 'Model' } });
    expect(f.message).toContain('Microsoft DV1');
  });

  it('is quiet for a supported phone', () => {
    expect(deviceRule.run(model({ exchanges: [checkIn({ id: '0.1', reqFrame: 4 })] }))).toEqual([]);
  });
});
