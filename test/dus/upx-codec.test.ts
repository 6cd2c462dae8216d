import { describe, expect, it } from 'vitest';
import { decodeUpx } from '../../src/dus/upx-codec.js';
import type { UpxRequest, UpxResponse } from '../../src/dus/upx-types.js';
import { isNoVersion, compareVersions } from '../../src/dus/version.js';
import { error, fixture, fixtureText, utf16, utf8, value } from './helpers.js';

const asRequest = (b: Uint8Array) => value(decodeUpx(b, { kind: 'request' }));
const asResponse = (b: Uint8Array) => value(decodeUpx(b, { kind: 'response' }));

/** A response body around `inner`. */
const resp = (inner: string) => utf8(`<?xml version="1.0"?>\n<Response>${inner}</Response>`);
const req = (inner: string) => utf8(`<Request>${inner}</Request>`);

describe('canonical bodies (protocol sections 2 and 3)', () => {
  it('decodes the canonical request', () => {
    const body = fixture('canonical-request.xml');
    const r = value(decodeUpx(body));
    expect(r.kind).toBe('request');
    const q = r as UpxRequest;
    expect(q).toMatchObject({
      deviceType: 'UCPhone',
      macAddress: { raw: '0021630F207B', normalized: '0021630F207B' },
      serialNumber: 'C185H001209',
      vendor: 'LG-Nortel',
      model: 'IP8540',
      revision: 'A',
      locale: 'ENU',
      root: 'Request',
      encoding: 'utf-8',
      bom: false,
    });
    expect(q.files).toHaveLength(1);
    expect(q.files[0]).toMatchObject({ fileName: 'cpe.nbt', version: '1.0.522.103', timeStamp: '16-12-2008 04:43:58' });
    expect(q.files[0].url).toBeUndefined();
    expect(q.unknown).toEqual([]);
    expect(q.notes).toEqual([]);
    // The File's offset points at its start tag in the body.
    const text = fixtureText('canonical-request.xml');
    expect(q.files[0].offset).toBe(text.indexOf('<File>'));
  });

  it('decodes the canonical response', () => {
    const r = value(decodeUpx(fixture('canonical-response.xml'))) as UpxResponse;
    expect(r).toMatchObject({
      kind: 'response',
      serverVersion: '3.5.6907.0',
      serviceVersion: '3.5.6907.0',
      updatesServerInternalUrl: 'https://ocs.demo.local/RequestHandler/ucdevice.upx',
      updatesServerExternalUrl: 'https://ext.demo.local/RequestHandlerExt/ucdevice.upx',
      downloads: 1,
      downloadsRaw: '1',
    });
    expect(r.files).toEqual([
      {
        fileName: 'CPE.nbt',
        version: '3.5.6907.0',
        timeStamp: '16-12-2008 04:43:58',
        url: 'http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt',
        unknown: [],
        offset: fixtureText('canonical-response.xml').indexOf('<File>'),
      },
    ]);
    expect(r.unknown).toEqual([]);
    expect(r.notes).toEqual([]);
  });

  it('takes the kind from the root element, in any case and with a prefix', () => {
    expect(value(decodeUpx(utf8('<request/>'))).kind).toBe('request');
    expect(value(decodeUpx(utf8('<RESPONSE/>'))).kind).toBe('response');
    expect(value(decodeUpx(utf8('<u:Response xmlns:u="urn:x"/>'))).kind).toBe('response');
  });

  it('decodes as the kind it is told, noting a root that says otherwise', () => {
    const r = value(decodeUpx(utf8('<Request><ServerVersion>1</ServerVersion></Request>'), { kind: 'response' }));
    expect(r.kind).toBe('response');
    expect((r as UpxResponse).serverVersion).toBe('1');
    expect(r.notes.map((n) => n.code)).toEqual(['upx.root-mismatch']);
  });

  it('refuses a root that is neither Request nor Response, with its offset', () => {
    const e = error(decodeUpx(utf8('<?xml version="1.0"?>\n<html><body>Server Error</body></html>')));
    expect(e).toMatchObject({ layer: 'upx', code: 'upx.unknown-root', offset: 22 });
    // Even when the caller says what it expects.
    expect(error(decodeUpx(utf8('<Envelope/>'), { kind: 'response' })).code).toBe('upx.unknown-root');
  });
});

describe('the seed audit log, as bodies', () => {
  it('check-in 1: first provisioning, version 0.0.0.0 with the 1601 time stamp, nothing offered', () => {
    const q = asRequest(fixture('seed-checkin-1-request.xml'));
    expect(q.macAddress?.normalized).toBe('0021630F207B');
    expect(q.serialNumber).toBe('C185H001209');
    expect(q.files[0]).toMatchObject({ fileName: 'cpe.nbt', version: '0.0.0.0', timeStamp: '01-01-1601 00:00:00' });
    expect(isNoVersion(q.files[0].version)).toBe(true);
    const r = asResponse(fixture('seed-checkin-1-response.xml'));
    expect(r.downloads).toBe(0);
    expect(r.files).toEqual([]);
    expect(r.serverVersion).toBe('3.5.6907.0');
  });

  it('check-in 2: still 0.0.0.0, offered the interim build from OCInterim', () => {
    const q = asRequest(fixture('seed-checkin-2-request.xml'));
    expect(q.files[0].version).toBe('0.0.0.0');
    const r = asResponse(fixture('seed-checkin-2-response.xml'));
    expect(r.downloads).toBe(1);
    expect(r.files).toHaveLength(1);
    expect(r.files[0]).toMatchObject({
      fileName: 'CPE.nbt',
      version: '1.0.522.103',
      timeStamp: '16-12-2008 04:43:58',
      url: 'http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt',
    });
  });

  it('check-in 3: runs 1.0.522.103, offered 3.5.6907.0', () => {
    const q = asRequest(fixture('seed-checkin-3-request.xml'));
    expect(q.files[0].version).toBe('1.0.522.103');
    expect(compareVersions(q.files[0].version!, '1.0.522.98')).toBe(1);
    const r = asResponse(fixture('seed-checkin-3-response.xml'));
    expect(r.files[0].version).toBe('3.5.6907.0');
    expect(r.files[0].url).toBe(
      'http://ocs.demo.local/DeviceUpdateFiles_Int/UCPhone/LG-Nortel/IP8540/A/ENU/3.5.6907.0/CPE/CPE.nbt',
    );
    expect(compareVersions(r.files[0].version!, q.files[0].version!)).toBe(1);
  });
});

describe('absent, empty and odd fields', () => {
  it('a response without ServerVersion and ServiceVersion decodes with both undefined', () => {
    const r = asResponse(fixture('response-no-versions.xml'));
    expect(r.serverVersion).toBeUndefined();
    expect(r.serviceVersion).toBeUndefined();
    expect('serverVersion' in r).toBe(false);
    expect(r.downloads).toBe(0);
    expect(r.updatesServerInternalUrl).toBe('https://poolname.domainname/RequestHandler/ucdevice.upx');
    expect(r.unknown).toEqual([]);
  });

  it('an element present but empty is the empty string, not undefined', () => {
    const r = asResponse(resp('<ServerVersion></ServerVersion><ServiceVersion/><Files><File><Version>  </Version></File></Files>'));
    expect(r.serverVersion).toBe('');
    expect(r.serviceVersion).toBe('');
    expect(r.files[0].version).toBe('');
    expect(r.files[0].fileName).toBeUndefined();
    expect(isNoVersion(r.files[0].version)).toBe(true);
  });

  it('keeps a Downloads that is not a count as raw text, with a note', () => {
    const r = asResponse(resp('<Downloads>two</Downloads>'));
    expect(r.downloads).toBeUndefined();
    expect(r.downloadsRaw).toBe('two');
    expect(r.notes.map((n) => n.code)).toEqual(['upx.bad-number']);
  });

  it('normalises a MAC address and keeps what was sent', () => {
    const q = asRequest(req('<MacAddress>00-21-63-0f-20-7b</MacAddress>'));
    expect(q.macAddress).toEqual({ raw: '00-21-63-0f-20-7b', normalized: '0021630F207B' });
    expect(q.notes).toEqual([]);
    const bad = asRequest(req('<MacAddress>not-a-mac</MacAddress>'));
    expect(bad.macAddress).toEqual({ raw: 'not-a-mac', normalized: undefined });
    expect(bad.notes.map((n) => n.code)).toEqual(['upx.bad-mac']);
  });

  it('keeps the first of two values for one field and notes the second with its offset', () => {
    const body = '<Response><ServerVersion>1</ServerVersion><Server_Version>2</Server_Version></Response>';
    const r = asResponse(utf8(body));
    expect(r.serverVersion).toBe('1');
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toMatchObject({ code: 'upx.duplicate-field', offset: body.indexOf('<Server_Version>') });
    expect(r.notes[0].detail).toContain("'2'");
  });

  it('several File elements all count', () => {
    const r = asResponse(
      resp('<Files><File><FileName>CPE.nbt</FileName></File><File><FileName>CPE.cat</FileName></File></Files>'),
    );
    expect(r.files.map((f) => f.fileName)).toEqual(['CPE.nbt', 'CPE.cat']);
  });
});

describe('tolerance rules (protocol section 4)', () => {
  it('rule 1: element names match case-insensitively, ignoring - and _', () => {
    for (const name of ['ServerVersion', 'serverversion', 'SERVERVERSION', 'server_version', 'Server-Version', 'SERVER__VERSION']) {
      const r = asResponse(resp(`<${name}>3.5.6907.0</${name}>`));
      expect(r.serverVersion, name).toBe('3.5.6907.0');
      expect(r.unknown, name).toEqual([]);
    }
  });

  it('rule 1: names with spaces match where text can carry them (key=value lines)', () => {
    const r = asResponse(resp('\nServer Version=3.5.6907.0\nservice version = 3.5.6907.0\nDown Loads=0\n'));
    expect(r.serverVersion).toBe('3.5.6907.0');
    expect(r.serviceVersion).toBe('3.5.6907.0');
    expect(r.downloads).toBe(0);
  });

  it('rule 1: attribute names match the same way', () => {
    const r = asResponse(utf8('<Response server_version="1" SERVICE-VERSION="2" downloads="0"/>'));
    expect(r).toMatchObject({ serverVersion: '1', serviceVersion: '2', downloads: 0 });
  });

  it('rule 2: a File given as attributes equals the element form', () => {
    const url = 'http://ocs.demo.local/DeviceUpdateFiles_Int/OCInterim/ENU/CPE.nbt';
    const attrs = asResponse(
      resp(`<Files><File Name="CPE.nbt" Version="1.0.522.103" TimeStamp="16-12-2008 04:43:58" Url="${url}"/></Files>`),
    );
    const elems = asResponse(
      resp(
        `<Files><File><FileName>CPE.nbt</FileName><Version>1.0.522.103</Version>` +
          `<TimeStamp>16-12-2008 04:43:58</TimeStamp><Url>${url}</Url></File></Files>`,
      ),
    );
    const strip = (f: (typeof attrs.files)[0]) => ({ ...f, offset: 0 });
    expect(attrs.files.map(strip)).toEqual(elems.files.map(strip));
    expect(attrs.files[0].fileName).toBe('CPE.nbt');
    expect(attrs.files[0].unknown).toEqual([]);
  });

  it('rule 2: FileName and Name are one field, as element or attribute', () => {
    expect(asResponse(resp('<File><Name>CPE.cat</Name></File>')).files[0].fileName).toBe('CPE.cat');
    expect(asResponse(resp('<File FileName="CPE.cat"/>')).files[0].fileName).toBe('CPE.cat');
    expect(asResponse(resp('<File file_name="CPE.cat"/>')).files[0].fileName).toBe('CPE.cat');
  });

  it('rule 2: root fields may be attributes of the root', () => {
    const q = asRequest(utf8('<Request DeviceType="UCPhone" MacAddress="0021630F207B" Locale="ENU"/>'));
    expect(q).toMatchObject({ deviceType: 'UCPhone', locale: 'ENU', macAddress: { normalized: '0021630F207B' } });
  });

  it("rule 3: key=value lines inside the root's text are fields", () => {
    const body =
      '<?xml version="1.0" ?>\r\n<Response>\r\ndownloads=0\r\n' +
      'UpdatesServerInternalUrl=https://pool.demo.local/RequestHandler/ucdevice.upx\r\n' +
      'ServerVersion = 3.5.6907.0\r\n</Response>\r\n';
    const r = asResponse(utf8(body));
    expect(r.downloads).toBe(0);
    expect(r.downloadsRaw).toBe('0');
    expect(r.updatesServerInternalUrl).toBe('https://pool.demo.local/RequestHandler/ucdevice.upx');
    expect(r.serverVersion).toBe('3.5.6907.0');
    expect(r.unknown).toEqual([]);
  });

  it('rule 3: unknown key=value lines and free text are listed with their line offsets', () => {
    const body = '<Response>\nfoo=bar\njust words\n</Response>';
    const r = asResponse(utf8(body));
    expect(r.unknown).toEqual([
      { path: 'Response/#line/foo', where: 'line', value: 'bar', offset: body.indexOf('foo=') },
      { path: 'Response/#text', where: 'text', value: 'just words', offset: body.indexOf('just') },
    ]);
  });

  it('rule 4: namespaces and prefixes are ignored', () => {
    const body =
      '<dus:Response xmlns:dus="urn:ms:dus" xmlns="urn:default">' +
      '<dus:ServerVersion>3.5.6907.0</dus:ServerVersion><ServiceVersion>3.5.6907.0</ServiceVersion>' +
      '<dus:Files><dus:File dus:Name="CPE.nbt" x:Url="http://h/CPE.nbt" xmlns:x="urn:x"/></dus:Files></dus:Response>';
    const r = value(decodeUpx(utf8(body))) as UpxResponse;
    expect(r.kind).toBe('response');
    expect(r.root).toBe('Response');
    expect(r.serverVersion).toBe('3.5.6907.0');
    expect(r.serviceVersion).toBe('3.5.6907.0');
    expect(r.files[0]).toMatchObject({ fileName: 'CPE.nbt', url: 'http://h/CPE.nbt' });
    expect(r.unknown).toEqual([]);
    expect(r.files[0].unknown).toEqual([]);
  });

  const canonical = fixtureText('canonical-response.xml');
  const reference = asResponse(fixture('canonical-response.xml'));
  const fields = (r: UpxResponse) => ({ ...r, files: r.files.map((f) => ({ ...f, offset: 0 })), encoding: '', bom: false });

  it('rule 4: a UTF-8 byte-order mark is skipped and offsets still count it', () => {
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(canonical)]);
    const r = asResponse(body);
    expect(fields(r)).toEqual(fields(reference));
    expect(r.bom).toBe(true);
    expect(r.encoding).toBe('utf-8');
    expect(r.files[0].offset).toBe(3 + canonical.indexOf('<File>'));
  });

  for (const [le, bom] of [
    [true, true],
    [false, true],
    [true, false],
    [false, false],
  ] as const) {
    const name = `UTF-16${le ? 'LE' : 'BE'} ${bom ? 'with' : 'without'} BOM`;
    it(`rule 4: a ${name} body decodes like the UTF-8 one`, () => {
      const r = asResponse(utf16(canonical, le, bom));
      expect(fields(r)).toEqual(fields(reference));
      expect(r.encoding).toBe(le ? 'utf-16le' : 'utf-16be');
      expect(r.bom).toBe(bom);
      // Offsets are bytes: two per character, after the two-byte BOM.
      expect(r.files[0].offset).toBe((bom ? 2 : 0) + 2 * canonical.indexOf('<File>'));
    });
  }

  it('rule 4: a BOM-less UTF-16 body may start with white space', () => {
    const r = asResponse(utf16('\r\n  ' + canonical, true, false));
    expect(r.encoding).toBe('utf-16le');
    expect(r.serverVersion).toBe('3.5.6907.0');
  });

  it('rule 5: unknown elements are kept and listed with path, value and offset', () => {
    const body =
      '<Response><ServerVersion>1</ServerVersion><Checksum algo="md5">abc</Checksum>' +
      '<Files><Priority>high</Priority><File><FileName>CPE.nbt</FileName><Size>123</Size></File></Files>' +
      '<Extra><Deep>1</Deep></Extra></Response>';
    const r = asResponse(utf8(body));
    expect(r.unknown).toEqual([
      { path: 'Response/Checksum', where: 'element', value: 'abc', offset: body.indexOf('<Checksum') },
      { path: 'Response/Checksum/@algo', where: 'attribute', value: 'md5', offset: body.indexOf('<Checksum') },
      { path: 'Response/Files/Priority', where: 'element', value: 'high', offset: body.indexOf('<Priority') },
      { path: 'Response/Extra', where: 'element', value: '', offset: body.indexOf('<Extra') },
      { path: 'Response/Extra/Deep', where: 'element', value: '1', offset: body.indexOf('<Deep') },
    ]);
    expect(r.files[0].unknown).toEqual([
      { path: 'Response/Files/File/Size', where: 'element', value: '123', offset: body.indexOf('<Size') },
    ]);
    expect(r.files[0].fileName).toBe('CPE.nbt');
  });

  it('rule 5: attributes on a field element are listed, the field value still taken', () => {
    const r = asResponse(resp('<ServerVersion build="x">3.5</ServerVersion>'));
    expect(r.serverVersion).toBe('3.5');
    expect(r.unknown.map((u) => u.path)).toEqual(['Response/ServerVersion/@build']);
  });

  it('rule 6: a malformed body is an error with the byte offset of the problem', () => {
    const body = '<Response>\n  <ServerVersion>3.5</ServiceVersion>\n</Response>';
    const e = error(decodeUpx(utf8(body)));
    expect(e.code).toBe('upx.malformed');
    expect(e.layer).toBe('upx');
    expect(e.offset).toBe(body.indexOf('</ServiceVersion>'));
    expect(e.detail).toContain('ServerVersion');
  });

  it('rule 6: the offset counts bytes, not characters, before the problem (UTF-8 multi-byte, CRLF)', () => {
    const body = '<Response>\r\n<Vendor>Ünïcødé 😀</Vendor>\r\n<a></b>\r\n</Response>';
    const bytes = utf8(body);
    const e = error(decodeUpx(bytes, { kind: 'response' }));
    expect(e.code).toBe('upx.malformed');
    expect(e.offset).toBe(utf8(body.slice(0, body.indexOf('</b>'))).length);
  });

  it('rule 6: the offset counts two bytes per code unit in UTF-16 (surrogate pairs too)', () => {
    const body = '<Response>\n<Vendor>😀😀</Vendor>\n<a></b>\n</Response>';
    for (const [le, bom] of [
      [true, true],
      [false, false],
    ] as const) {
      const e = error(decodeUpx(utf16(body, le, bom)));
      expect(e.offset).toBe((bom ? 2 : 0) + 2 * body.indexOf('</b>'));
    }
  });

  it('rule 6: an error after leading white space and a BOM still points at the right byte', () => {
    const body = '\n\n<Response><x y="1" y="2"/></Response>';
    const e = error(decodeUpx(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(body)])));
    expect(e.code).toBe('upx.malformed');
    // The validator points at the repeated attribute.
    expect(e.offset).toBe(3 + body.indexOf('y="2"'));
  });
});

describe('truncation', () => {
  const bodies: Array<[string, Uint8Array]> = [
    ['canonical request (UTF-8)', fixture('canonical-request.xml')],
    ['canonical response (UTF-8)', fixture('canonical-response.xml')],
    ['canonical response (UTF-16LE, BOM)', utf16(fixtureText('canonical-response.xml'), true, true)],
    ['key=value response (CRLF)', fixture('response-no-versions.xml')],
  ];
  for (const [name, full] of bodies) {
    it(`every truncation of the ${name} is an error within the body, never a throw`, () => {
      const text = new TextDecoder(name.includes('UTF-16') ? 'utf-16le' : 'utf-8').decode(full);
      const closeAt = text.lastIndexOf('>') + 1; // chars up to the end of the root
      const unit = name.includes('UTF-16') ? 2 : 1;
      const complete = (name.includes('UTF-16') ? 2 : 0) + unit * closeAt;
      for (let n = 0; n < full.length; n++) {
        let d;
        expect(() => (d = decodeUpx(full.subarray(0, n)))).not.toThrow();
        const r = d!;
        if (n < complete) {
          expect(r.ok, `cut at ${n}`).toBe(false);
          if (!r.ok) {
            expect(['upx.truncated', 'upx.empty'], `cut at ${n}: ${r.error.code}`).toContain(r.error.code);
            expect(r.error.offset).toBeGreaterThanOrEqual(0);
            expect(r.error.offset).toBeLessThanOrEqual(n);
          }
        } else {
          expect(r.ok, `cut at ${n}`).toBe(true);
        }
      }
    });
  }

  it('names where the body stopped', () => {
    const text = fixtureText('canonical-request.xml');
    const cut = text.indexOf('1.0.522') + 3;
    const e = error(decodeUpx(utf8(text.slice(0, cut))));
    expect(e).toMatchObject({ code: 'upx.truncated', offset: cut, available: cut });
    expect(e.detail).toContain('<Version>');
  });

  it('a body with only the XML declaration is truncated, not empty', () => {
    expect(error(decodeUpx(utf8('<?xml version="1.0"?>\n'))).code).toBe('upx.truncated');
  });
});

describe('hostile bodies', () => {
  it('refuses a billion-laughs body before parsing, quickly', () => {
    let dtd = '<!ENTITY lol "lol">';
    for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
    const body = `<?xml version="1.0"?>\n<!DOCTYPE lolz [${dtd}]>\n<Response><ServerVersion>&lol9;</ServerVersion></Response>`;
    const t0 = performance.now();
    const e = error(decodeUpx(utf8(body)));
    expect(performance.now() - t0).toBeLessThan(200);
    expect(e).toMatchObject({ layer: 'upx', code: 'upx.doctype-refused', offset: body.indexOf('<!DOCTYPE') });
  });

  it('refuses any DOCTYPE or DTD declaration, in any case', () => {
    expect(error(decodeUpx(utf8('<!doctype Response><Response/>'))).code).toBe('upx.doctype-refused');
    expect(error(decodeUpx(utf8('<!DOCTYPE Response SYSTEM "file:///etc/passwd"><Response/>'))).code).toBe(
      'upx.doctype-refused',
    );
    expect(error(decodeUpx(utf8('<Response><!ENTITY x "y"></Response>'))).code).toBe('upx.doctype-refused');
  });

  it('does not expand entities: unknown ones stay as written, with a note', () => {
    const r = asResponse(resp('<ServerVersion>&lol9;</ServerVersion>'));
    expect(r.serverVersion).toBe('&lol9;');
    expect(r.notes.map((n) => n.code)).toEqual(['upx.unknown-entity']);
  });

  it('decodes the five predefined entities and character references', () => {
    const r = asResponse(resp('<ServerVersion>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x1F600;</ServerVersion>'));
    expect(r.serverVersion).toBe('<>&"\'AB😀');
    expect(r.notes).toEqual([]);
  });

  it('refuses a 10 MB body without looking at it', () => {
    const body = new Uint8Array(10 * 1024 * 1024).fill(0x41);
    const t0 = performance.now();
    const e = error(decodeUpx(body));
    expect(performance.now() - t0).toBeLessThan(50);
    expect(e).toMatchObject({ code: 'upx.too-large', available: body.length });
  });

  it('applies the maxBytes option', () => {
    const body = fixture('canonical-response.xml');
    expect(error(decodeUpx(body, { maxBytes: 100 })).code).toBe('upx.too-large');
    expect(decodeUpx(body, { maxBytes: body.length }).ok).toBe(true);
  });

  it('refuses 10,000-deep nesting at the first element too deep', () => {
    const body = '<Response>' + '<a>'.repeat(9999) + '</a>'.repeat(9999) + '</Response>';
    const t0 = performance.now();
    const e = error(decodeUpx(utf8(body)));
    expect(performance.now() - t0).toBeLessThan(200);
    expect(e.code).toBe('upx.too-deep');
    // Root is depth 1; the 33rd element is the 32nd <a>.
    expect(e.offset).toBe('<Response>'.length + 31 * 3);
  });

  it('accepts nesting up to the cap and lists the unknown chain', () => {
    const body = '<Response>' + '<a>'.repeat(31) + 'x' + '</a>'.repeat(31) + '</Response>';
    const r = asResponse(utf8(body));
    expect(r.unknown).toHaveLength(31);
    expect(r.unknown[30].value).toBe('x');
    expect(error(decodeUpx(utf8(body), { maxDepth: 31 })).code).toBe('upx.too-deep');
  });

  it('keeps control characters and terminal escape sequences in values as data', () => {
    const nasty = '\x1b[31mred\x1b[0m\x07\x01\x7f\x9b2J';
    const r = asResponse(resp(`<ServerVersion>${nasty}</ServerVersion><Url2 a="\x1b]0;title\x07">\x00</Url2>`));
    expect(r.serverVersion).toBe(nasty);
    expect(r.unknown.map((u) => u.value)).toEqual(['\x00', '\x1b]0;title\x07']);
    // As character references too.
    expect(asResponse(resp('<ServerVersion>&#x1b;[2J&#7;</ServerVersion>')).serverVersion).toBe('\x1b[2J\x07');
  });

  it('names that are JavaScript object members are plain unknown fields', () => {
    const body =
      '<Response __proto__="x" constructor="y"><__proto__><polluted>1</polluted></__proto__>' +
      '<constructor>c</constructor><hasOwnProperty>h</hasOwnProperty><prototype/><toString>t</toString></Response>';
    const r = asResponse(utf8(body));
    expect(r.unknown.map((u) => u.path)).toEqual([
      'Response/@__proto__',
      'Response/@constructor',
      'Response/__proto__',
      'Response/__proto__/polluted',
      'Response/constructor',
      'Response/hasOwnProperty',
      'Response/prototype',
      'Response/toString',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(r.serverVersion).toBeUndefined();
  });

  it('lists at most UPX_MAX_UNKNOWN unknown fields and counts the rest', () => {
    const r = asResponse(resp('<x/>'.repeat(10_005)));
    expect(r.unknown).toHaveLength(10_000);
    const capped = r.notes.find((n) => n.code === 'upx.unknown-capped');
    expect(capped?.detail).toContain('5 more');
  });

  it('survives random bytes without throwing', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const canonical = fixture('canonical-response.xml');
    for (let k = 0; k < 300; k++) {
      const b = new Uint8Array(canonical);
      for (let j = 0; j < 1 + (k % 8); j++) b[(rnd() << 8 | rnd()) % b.length] = rnd();
      const d = decodeUpx(b);
      if (!d.ok) {
        expect(d.error.layer).toBe('upx');
        expect(d.error.offset).toBeGreaterThanOrEqual(0);
        expect(d.error.offset).toBeLessThanOrEqual(b.length);
      }
    }
  });
});

describe('lax decoding of near-XML', () => {
  it('a bare & (in a URL query) is kept as data with a note at its offset', () => {
    const body = '<Response><UpdatesServerInternalUrl>https://h/x.upx?a=1&b=2</UpdatesServerInternalUrl></Response>';
    const r = asResponse(utf8(body));
    expect(r.updatesServerInternalUrl).toBe('https://h/x.upx?a=1&b=2');
    expect(r.notes).toEqual([expect.objectContaining({ code: 'upx.bare-ampersand', offset: body.indexOf('&') })]);
  });

  it('data after the root element is ignored with a note; comments and white space are not data', () => {
    const body = '<Response><Downloads>0</Downloads></Response>\r\n<html>error</html>';
    const r = asResponse(utf8(body));
    expect(r.downloads).toBe(0);
    expect(r.notes).toEqual([expect.objectContaining({ code: 'upx.trailing-data', offset: body.indexOf('<html>') })]);
    expect(asResponse(utf8('<Response/>\n<!-- served by IIS -->\n')).notes).toEqual([]);
  });

  it('CDATA values are taken literally', () => {
    const r = asResponse(resp('<UpdatesServerInternalUrl><![CDATA[https://h/a?x=1&y=<2>]]></UpdatesServerInternalUrl>'));
    expect(r.updatesServerInternalUrl).toBe('https://h/a?x=1&y=<2>');
  });

  it('comments and processing instructions inside are skipped', () => {
    const r = asResponse(resp('<!-- c --><?pi x?><ServerVersion>1<!-- mid -->.2</ServerVersion>'));
    expect(r.serverVersion).toBe('1.2');
    expect(r.unknown).toEqual([]);
  });

  it('a File directly under the root counts', () => {
    expect(asResponse(resp('<File Name="CPE.nbt"/>')).files.map((f) => f.fileName)).toEqual(['CPE.nbt']);
  });

  it('invalid UTF-8 is replaced and noted at its byte offset', () => {
    const head = utf8('<Response><Vendor>');
    const body = new Uint8Array([...head, 0xc3, 0x28, ...utf8('</Vendor></Response>')]);
    const r = value(decodeUpx(body, { kind: 'response' }));
    expect(r.notes).toEqual([expect.objectContaining({ code: 'upx.bad-utf8', offset: head.length })]);
    expect(r.unknown[0].value).toBe('\ufffd(');
  });

  it('notes come in body order', () => {
    const body = '<Response><A>&x;</A><B>1&2</B></Response>junk';
    const r = asResponse(utf8(body));
    const offsets = r.notes.map((n) => n.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(r.notes.map((n) => n.code)).toEqual(['upx.unknown-entity', 'upx.bare-ampersand', 'upx.trailing-data']);
  });
});

describe('not XML at all', () => {
  it('an empty body', () => {
    expect(error(decodeUpx(new Uint8Array(0)))).toMatchObject({ code: 'upx.empty', offset: 0 });
    expect(error(decodeUpx(utf8(' \r\n\t'))).code).toBe('upx.empty');
  });

  it('text that is not markup', () => {
    expect(error(decodeUpx(utf8('  downloads=0')))).toMatchObject({ code: 'upx.not-xml', offset: 2 });
    expect(error(decodeUpx(utf8('HTTP/1.1 200 OK'))).code).toBe('upx.not-xml');
  });

  it('binary junk', () => {
    const e = error(decodeUpx(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00])));
    expect(['upx.not-xml', 'upx.malformed']).toContain(e.code);
  });
});
