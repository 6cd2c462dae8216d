import { describe, expect, it } from 'vitest';
import { upxDecodeRule } from '../../../src/diagnose/rules/upx-decode.js';
import { checkIn, model } from './builders.js';

describe('upx-decode rule', () => {
  it('reports a response that did not decode, with its frame and byte offset', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4 });
    x.upxResponse = { ok: false, error: { layer: 'upx', code: 'upx.truncated', offset: 196, detail: 'the body ends inside <Url>' } };
    const [f, ...rest] = upxDecodeRule.run(model({ exchanges: [x] }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ code: 'upx-decode-error', severity: 'error', evidence: { frames: [6], field: 'body byte 196' } });
    expect(f.message).toMatch(/response body in frame 6 .*upx\.truncated at byte 196/);
  });

  it('reports a request that did not decode on the request frame', () => {
    const x = checkIn({ id: '0.1', reqFrame: 4 });
    x.upxRequest = { ok: false, error: { layer: 'upx', code: 'upx.not-xml', offset: 3, detail: 'bad\u0007bell' } };
    const [f] = upxDecodeRule.run(model({ exchanges: [x] }));
    expect(f.evidence.frames).toEqual([4]);
    expect(f.message).not.toMatch(/\u0007/);
  });

  it('reports an empty 200 answer, and nothing for a good check-in', () => {
    const empty = checkIn({ id: '0.1', reqFrame: 4 });
    empty.upxResponse = undefined;
    const good = checkIn({ id: '1.1', reqFrame: 14 });
    const fs = upxDecodeRule.run(model({ exchanges: [empty, good] }));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toMatch(/empty body/);
  });
});
