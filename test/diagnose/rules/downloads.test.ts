import { describe, expect, it } from 'vitest';
import { downloadsRule } from '../../../src/diagnose/rules/downloads.js';
import { httpErrorsRule } from '../../../src/diagnose/rules/http-errors.js';
import { checkIn, connection, download, FIRMWARE_URL, INTERIM_URL, model, offer, SEC, upxResponse } from './builders.js';

const PATH = new URL(FIRMWARE_URL).pathname;
const CAT = PATH.replace('CPE.nbt', 'CPE.cat');

function failed(status: number, body = '', extra: Partial<Parameters<typeof download>[0]> = {}) {
  return download({ id: '1.1', uri: PATH, reqFrame: 14, resFrame: 18, status, body, offeredBy: '0.1', ...extra });
}

function codes(x: ReturnType<typeof download>, connections = [connection({ firstFrame: 11, server: { ip: '10.0.0.1', port: 80 } })]) {
  const m = model({ exchanges: [x], connections });
  return [...downloadsRule.run(m), ...httpErrorsRule.run(m)].map((f) => f.code);
}

describe('downloads rule: failed GETs', () => {
  it('takes a 500 whose IIS page says 500.19 for the share ACL, with request and response frames', () => {
    const m = model({ exchanges: [failed(500, '<h3>HTTP Error 500.19 - Internal Server Error</h3>')] });
    const [f] = downloadsRule.run(m);
    expect(f).toMatchObject({ code: 'download-forbidden-acl', severity: 'error', evidence: { frames: [14, 18], exchanges: ['1.1'] } });
    expect(f.message).toContain('IIS 500.19');
  });

  it('leaves any other 500 to http-error', () => {
    expect(codes(failed(500, '<h3>HTTP Error 500.0 - Internal Server Error</h3>'))).toEqual(['http-error']);
  });

  it('takes 401 and a 403 other than 403.4 for the ACL', () => {
    expect(codes(failed(401, 'HTTP Error 401.3 - Unauthorized'))).toEqual(['download-forbidden-acl']);
    expect(codes(failed(403, 'HTTP Error 403.1 - Forbidden'))).toEqual(['download-forbidden-acl']);
  });

  it('takes a 403.4 over plain HTTP for "require SSL", but not over TLS', () => {
    expect(codes(failed(403, 'HTTP Error 403.4 - Forbidden'))).toEqual(['ssl-required-on-files']);
    expect(codes(failed(403, 'The page must be viewed over a secure channel: SSL required'))).toEqual(['ssl-required-on-files']);
    const tls = [connection({ firstFrame: 11, server: { ip: '10.0.0.1', port: 80 }, tls: true })];
    expect(codes(failed(403, 'HTTP Error 403.4 - Forbidden'), tls)).toEqual(['http-error']);
  });

  it('takes a 404 on an offered file, or the catalog beside it, for firmware not found', () => {
    expect(codes(failed(404))).toEqual(['firmware-not-found']);
    expect(codes(failed(404, '', { uri: CAT, offeredBy: undefined, offeredBeside: '0.1' }))).toEqual(['firmware-not-found']);
  });

  it('leaves a 404 on a file nobody offered to http-error, and one under OCInterim to the interim family', () => {
    expect(codes(failed(404, '', { offeredBy: undefined }))).toEqual(['http-error']);
    expect(codes(failed(404, '', { uri: new URL(INTERIM_URL).pathname }))).toEqual([]);
  });
});

describe('downloads rule: truncated bodies', () => {
  const conn = (extra = {}) => [connection({ firstFrame: 11, lastFrame: 60, server: { ip: '10.0.0.1', port: 80 }, synAckFrame: 12, ...extra })];
  const cut = () =>
    download({ id: '1.1', uri: PATH, reqFrame: 14, resFrame: 50, complete: false, bodySize: 24576, headers: [{ name: 'Content-Length', value: '65536' }] });

  it('reports a body cut by the server FIN, with the GET and the FIN frames', () => {
    const fs = downloadsRule.run(model({ exchanges: [cut()], connections: conn({ finFrames: [52, 53] }) }));
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ code: 'download-truncated', severity: 'error' });
    expect(fs[0].evidence.frames).toEqual(expect.arrayContaining([14, 52]));
    expect(fs[0].message).toMatch(/24576 bytes of the 65536 announced before the server's FIN in frame 52/);
    expect(fs[0].caveat).toBeUndefined();
  });

  it('reports a body cut by a reset', () => {
    const fs = downloadsRule.run(model({ exchanges: [cut()], connections: conn({ resets: [{ frame: 52, from: 'server' }] }) }));
    expect(fs[0].message).toMatch(/RST in frame 52/);
    expect(fs[0].evidence.frames).toContain(52);
  });

  it('says nothing when the capture stops mid-transfer, and warns when it has holes', () => {
    expect(downloadsRule.run(model({ exchanges: [cut()], connections: conn() }))).toEqual([]);
    const holed = downloadsRule.run(model({ exchanges: [cut()], connections: conn({ finFrames: [52] }), whole: false }));
    expect(holed[0].caveat).toMatch(/not whole/);
  });
});

describe('downloads rule: offers not fetched', () => {
  const offered = (at = 0) => checkIn({ id: '0.1', reqFrame: 4, at, res: upxResponse({ files: [offer(FIRMWARE_URL, '3.5.6907.0')] }) });
  const fetch = (at: number) => download({ id: '1.1', uri: PATH, reqFrame: 14, at });
  const notFetched = (m: Parameters<typeof downloadsRule.run>[0]) => downloadsRule.run(m).filter((f) => f.code === 'update-offered-not-downloaded');

  it('is quiet when the phone fetches the file within ten minutes', () => {
    expect(notFetched(model({ exchanges: [offered(), fetch(130)] }))).toEqual([]);
  });

  it('matches the raw target, so a GET with a space in it still counts as the fetch', () => {
    const url = 'http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/NL D/CPE.nbt';
    const x = checkIn({ id: '0.1', reqFrame: 4, res: upxResponse({ files: [offer(url, '1.0.522.103')] }) });
    const d = download({ id: '1.1', uri: '/DeviceUpdateFiles_Int/OCInterim/NL', rawTarget: '/DeviceUpdateFiles_Int/OCInterim/NL D/CPE.nbt', reqFrame: 14, at: 1 });
    expect(notFetched(model({ exchanges: [x, d] }))).toEqual([]);
  });

  it('reports a fetch later than ten minutes, without a capture-end caveat when the capture ran long enough', () => {
    const fs = notFetched(model({ exchanges: [offered(), fetch(700)], end: 3600 }));
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ severity: 'warning', evidence: { frames: [6], field: 'Url' } });
    expect(fs[0].message).toContain(FIRMWARE_URL);
    expect(fs[0].caveat).toBeUndefined();
  });

  it('says when the capture ended before ten minutes had passed', () => {
    const m = model({ exchanges: [offered(100)] });
    m.endNs = 100n * SEC + 30n * SEC;
    const [f] = notFetched(m);
    expect(f.caveat).toMatch(/capture ends 30\.0 s after this offer/);
  });

  it('carries the caveat that the capture is not whole', () => {
    const [f] = notFetched(model({ exchanges: [offered()], whole: false }));
    expect(f.caveat).toMatch(/not whole.*1 hole/);
  });

  it('does not count a download from before the offer', () => {
    expect(notFetched(model({ exchanges: [fetch(0), offered(10)] }))).toHaveLength(1);
  });
});
