import { describe, expect, it } from 'vitest';
import { httpErrorsRule } from '../../../src/diagnose/rules/http-errors.js';
import { checkIn, download, exchange, model } from './builders.js';

describe('http-errors rule', () => {
  it('reports a 503 on a check-in with both frames', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4, status: 503, reason: 'Service Unavailable' });
    const [f, ...rest] = httpErrorsRule.run(model({ exchanges: [x] }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ code: 'http-error', severity: 'warning', evidence: { frames: [4, 6], exchanges: ['0.1'] } });
    expect(f.message).toMatch(/503 Service Unavailable in frame 6/);
  });

  it('leaves statuses the specific families explain alone', () => {
    const xs = [
      exchange({ id: '0.1', method: 'POST', uri: '/RequestHandler/ucdevice.upx', reqFrame: 4, status: 400 }),
      checkIn({ id: '1.1', uri: '/UCDeviceUpdates/ucdevice.upx', reqFrame: 14, status: 404 }),
      download({ id: '2.1', uri: '/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt', reqFrame: 24, status: 404 }),
      download({ id: '3.1', uri: '/DeviceUpdateFiles_Int/x/CPE.nbt', reqFrame: 34, status: 401 }),
    ];
    expect(httpErrorsRule.run(model({ exchanges: xs }))).toEqual([]);
  });

  it('ignores successes, redirects and URLs outside the service', () => {
    const xs = [
      checkIn({ id: '0.1', reqFrame: 4 }),
      download({ id: '1.1', uri: '/DeviceUpdateFiles_Int/x/CPE.nbt', reqFrame: 14, status: 304 }),
      exchange({ id: '2.1', uri: '/favicon.ico', reqFrame: 24, status: 404 }),
    ];
    expect(httpErrorsRule.run(model({ exchanges: xs }))).toEqual([]);
  });
});
