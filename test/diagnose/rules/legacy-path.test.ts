import { describe, expect, it } from 'vitest';
import { legacyPathRule } from '../../../src/diagnose/rules/legacy-path.js';
import { checkIn, connection, model } from './builders.js';

const legacy = (extra = {}) => checkIn({ id: '0.1', uri: '/UCDeviceUpdates/ucdevice.upx', reqFrame: 4, resFrame: 8, status: 404, ...extra });

describe('legacy-path rule', () => {
  it('reports a 404 on /UCDeviceUpdates/ucdevice.upx with request and response frames', () => {
    const [f, ...rest] = legacyPathRule.run(model({ exchanges: [legacy()] }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ code: 'legacy-upx-path', severity: 'error', evidence: { frames: [4, 8] } });
  });

  it('reports a legacy check-in with no answer, with the frame that ended it', () => {
    const x = legacy({ noResponse: true });
    const conns = [connection({ firstFrame: 1, server: { ip: '10.0.0.1', port: 80 }, synAckFrame: 2, finFrames: [9] })];
    const [f] = legacyPathRule.run(model({ exchanges: [x], connections: conns }));
    expect(f.evidence.frames).toEqual([4, 9]);
    expect(f.message).toMatch(/no answer before the FIN in frame 9/);
  });

  it('is quiet when the legacy path works, and for the normal handler', () => {
    expect(legacyPathRule.run(model({ exchanges: [legacy({ status: 200 })] }))).toEqual([]);
    expect(legacyPathRule.run(model({ exchanges: [checkIn({ id: '0.1', reqFrame: 4, status: 404 })] }))).toEqual([]);
  });
});
