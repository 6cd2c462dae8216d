import { describe, expect, it } from 'vitest';
import { responseFieldsRule } from '../../../src/diagnose/rules/response-fields.js';
import { checkIn, model, upxResponse } from './builders.js';

describe('response-fields rule', () => {
  it('says nothing about a response with both versions', () => {
    expect(responseFieldsRule.run(model({ exchanges: [checkIn({ id: '0.1', reqFrame: 4 })] }))).toEqual([]);
  });

  it('reports a missing ServerVersion on the response frame', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, res: upxResponse({ serverVersion: undefined }) });
    const [f, ...rest] = responseFieldsRule.run(model({ exchanges: [x] }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ code: 'missing-server-version', severity: 'error', phone: { mac: '0021630F207B', ip: '10.0.0.5' } });
    expect(f.evidence).toMatchObject({ frames: [6], exchanges: ['0.1'], field: 'ServerVersion' });
    expect(f.message).toMatch(/frame 6 has no ServerVersion/);
    expect(f.remedy).not.toBe('');
  });

  it('counts an empty ServiceVersion as missing, and reports both fields when both lack', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, res: upxResponse({ serverVersion: undefined, serviceVersion: '  ' }) });
    const fs = responseFieldsRule.run(model({ exchanges: [x] }));
    expect(fs.map((f) => f.code).sort()).toEqual(['missing-server-version', 'missing-service-version']);
    expect(fs.find((f) => f.code === 'missing-service-version')!.message).toMatch(/empty ServiceVersion/);
  });

  it('judges a response even when the request did not decode', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, res: upxResponse({ serviceVersion: undefined }) });
    x.upxRequest = { ok: false, error: { layer: 'upx', code: 'upx.truncated', offset: 10 } };
    expect(responseFieldsRule.run(model({ exchanges: [x] })).map((f) => f.code)).toEqual(['missing-service-version']);
  });
});
