import { describe, expect, it } from 'vitest';
import { decodeUpx, encodeUpxRequest, encodeUpxResponse } from '../../src/dus/upx-codec.js';
import type { UpxRequest, UpxResponse } from '../../src/dus/upx-types.js';
import { fixture, fixtureText, utf8, value } from './helpers.js';

const decodeRequest = (s: string) => value(decodeUpx(utf8(s), { kind: 'request' }));
const decodeResponse = (s: string) => value(decodeUpx(utf8(s), { kind: 'response' }));

/** The fields a round trip must keep (offsets, notes and body facts aside). */
function fieldsOf(m: UpxRequest | UpxResponse) {
  const { notes: _n, unknown: _u, root: _r, encoding: _e, bom: _b, ...rest } = m;
  return { ...rest, files: m.files.map(({ offset: _o, unknown: _fu, ...f }) => f) };
}

describe('encodeUpxRequest / encodeUpxResponse', () => {
  it('writes the canonical request of section 2 byte for byte', () => {
    const out = encodeUpxRequest({
      deviceType: 'UCPhone',
      macAddress: '0021630F207B',
      serialNumber: 'C185H001209',
      vendor: 'LG-Nortel',
      model: 'IP8540',
      revision: 'A',
      locale: 'ENU',
      files: [{ fileName: 'cpe.nbt', version: '1.0.522.103', timeStamp: '16-12-2008 04:43:58' }],
    });
    expect(out).toBe(fixtureText('canonical-request.xml'));
  });

  it('writes the canonical response of section 3 byte for byte', () => {
    const out = encodeUpxResponse({
      serverVersion: '3.5.6907.0',
      serviceVersion: '3.5.6907.0',
      updatesServerInternalUrl: 'https://ocs.demo.local/RequestHandler/ucdevice.upx',
      updatesServerExternalUrl: 'https://ext.demo.local/RequestHandlerExt/ucdevice.upx',
      downloads: 1,
      files: [
        {
          fileName: 'CPE.nbt',
          version: '3.5.6907.0',
          timeStamp: '16-12-2008 04:43:58',
          url: 'http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt',
        },
      ],
    });
    expect(out).toBe(fixtureText('canonical-response.xml'));
  });

  it('writes Downloads 0 and no Files when nothing is offered', () => {
    const out = encodeUpxResponse({ serverVersion: '3.5.6907.0', serviceVersion: '3.5.6907.0', downloads: 0 });
    expect(out).toContain('<Downloads>0</Downloads>');
    expect(out).not.toContain('Files');
  });

  it('leaves absent fields out and writes empty ones as empty elements', () => {
    const out = encodeUpxResponse({ serviceVersion: '' });
    expect(out).not.toContain('ServerVersion');
    expect(out).toContain('<ServiceVersion></ServiceVersion>');
    const back = decodeResponse(out);
    expect(back.serverVersion).toBeUndefined();
    expect(back.serviceVersion).toBe('');
  });

  it('honours the newline and declaration options', () => {
    const out = encodeUpxResponse({ downloads: 0 }, { newline: '\r\n', declaration: false });
    expect(out).toBe('<Response>\r\n  <Downloads>0</Downloads>\r\n</Response>\r\n');
  });

  it('writes a decoded MAC address as it was sent', () => {
    const q = decodeRequest('<Request><MacAddress>00-21-63-0f-20-7b</MacAddress></Request>');
    expect(encodeUpxRequest(q)).toContain('<MacAddress>00-21-63-0f-20-7b</MacAddress>');
  });
});

describe('round trips', () => {
  const names = [
    'canonical-request.xml',
    'canonical-response.xml',
    'seed-checkin-1-request.xml',
    'seed-checkin-1-response.xml',
    'seed-checkin-2-request.xml',
    'seed-checkin-2-response.xml',
    'seed-checkin-3-request.xml',
    'seed-checkin-3-response.xml',
  ];
  for (const name of names) {
    it(`${name}: decode, encode, decode gives the same fields and the same bytes`, () => {
      const first = value(decodeUpx(fixture(name)));
      const xml = first.kind === 'request' ? encodeUpxRequest(first) : encodeUpxResponse(first);
      expect(xml).toBe(fixtureText(name));
      expect(fieldsOf(value(decodeUpx(utf8(xml))))).toEqual(fieldsOf(first));
    });
  }

  it('a non-canonical body comes back canonical with the same fields', () => {
    const odd = '<r:response xmlns:r="urn:x" server_version="3.5">\ndownloads=1\n<File Name="CPE.nbt" Url="http://h/a?x=1&amp;y=2"/></r:response>';
    const first = decodeResponse(odd);
    const again = decodeResponse(encodeUpxResponse(first));
    expect(fieldsOf(again)).toEqual(fieldsOf(first));
    expect(again.files[0].url).toBe('http://h/a?x=1&y=2');
  });

  it('values with markup, entities, edge white space, CR, controls and non-ASCII survive', () => {
    const tricky = [' lead', 'trail\t', '\n both \n', 'a<b>&c;"\'', 'cr\r\nlf', '\x1b[31m\x01', 'Ünïcødé 😀', '&amp;', ']]>'];
    for (const v of tricky) {
      const r = decodeResponse(encodeUpxResponse({ serverVersion: v, files: [{ url: v }] }));
      expect(r.serverVersion, JSON.stringify(v)).toBe(v);
      expect(r.files[0].url, JSON.stringify(v)).toBe(v);
      expect(r.notes, JSON.stringify(v)).toEqual([]);
      const q = decodeRequest(encodeUpxRequest({ vendor: v }));
      expect(q.vendor, JSON.stringify(v)).toBe(v);
    }
  });

  it('keeps Downloads as written when it is the same number', () => {
    const r = decodeResponse('<Response><Downloads>01</Downloads></Response>');
    expect(encodeUpxResponse(r)).toContain('<Downloads>01</Downloads>');
    expect(encodeUpxResponse({ ...r, downloads: 2 })).toContain('<Downloads>2</Downloads>');
    const junk = decodeResponse('<Response><Downloads>lots</Downloads></Response>');
    expect(encodeUpxResponse(junk)).toContain('<Downloads>lots</Downloads>');
  });
});
