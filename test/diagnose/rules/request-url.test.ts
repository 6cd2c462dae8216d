import { describe, expect, it } from 'vitest';
import { requestUrlRule, targetProblem } from '../../../src/diagnose/rules/request-url.js';
import { download, exchange, model } from './builders.js';

const PATH = '/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt';

describe('request-url rule', () => {
  it('accepts a clean target, absolute-form included', () => {
    expect(targetProblem(download({ id: '1.1', uri: PATH, reqFrame: 14 }))).toBeUndefined();
    expect(targetProblem(download({ id: '1.1', uri: `http://ocs.demo.local${PATH}`, reqFrame: 14 }))).toBeUndefined();
    expect(requestUrlRule.run(model({ exchanges: [download({ id: '1.1', uri: PATH, reqFrame: 14 })] }))).toEqual([]);
  });

  it('names each kind of malformed target', () => {
    const t = (uri: string, rawTarget?: string) => targetProblem(download({ id: '1', uri, rawTarget, reqFrame: 4 }));
    expect(t('/DeviceUpdateFiles_Int/OCInterim/NL', '/DeviceUpdateFiles_Int/OCInterim/NL D/CPE.nbt')).toMatch(/space/);
    expect(t('/DeviceUpdateFiles_Int/OCInterim/E\u0001NU/CPE.nbt')).toMatch(/control/);
    expect(t('/DeviceUpdateFiles_Int/OCInterim/\u00e9NU/CPE.nbt')).toMatch(/non-ASCII/);
    expect(t('/DeviceUpdateFiles_Int/OCInterim/%E/CPE.nbt')).toMatch(/%-escape/);
    expect(t('/DeviceUpdateFiles_Int//OCInterim/ENU/CPE.nbt')).toMatch(/malformed path/);
    expect(t('/DeviceUpdateFiles_Int/OCInterim/../CPE.nbt')).toMatch(/malformed path/);
  });

  it('reports a raw space with the request and the 400 frames, and keeps control bytes out of the message', () => {
    const x = download({
      id: '1.1',
      uri: '/DeviceUpdateFiles_Int/OCInterim/NL',
      rawTarget: '/DeviceUpdateFiles_Int/OCInterim/NL D\u001b[2J/CPE.nbt',
      reqFrame: 14,
      status: 400,
      reason: 'Bad Request',
    });
    const [f] = requestUrlRule.run(model({ exchanges: [x] }));
    expect(f).toMatchObject({ code: 'bad-request-url', severity: 'error', evidence: { frames: [14, 16], exchanges: ['1.1'] } });
    expect(f.message).toMatch(/raw space.*400/);
    expect(f.message).not.toMatch(/[\u0000-\u001f]/);
    expect(f.message).toContain('\\x1b');
  });

  it('reports a 400 on a clean check-in URL', () => {
    const x = exchange({ id: '0.1', method: 'POST', uri: '/RequestHandler/ucdevice.upx', reqFrame: 4, status: 400, reason: 'Bad Request' });
    const fs = requestUrlRule.run(model({ exchanges: [x] }));
    expect(fs.map((f) => f.code)).toEqual(['bad-request-url']);
    expect(fs[0].message).toMatch(/check-in .* answered 400/);
  });

  it('ignores URLs that are not the service', () => {
    const x = exchange({ id: '0.1', uri: '/other path', rawTarget: '/other path', reqFrame: 4, status: 400 });
    expect(requestUrlRule.run(model({ exchanges: [x] }))).toEqual([]);
  });
});
