import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUpx } from '../../src/dus/upx-codec.js';
import { encodeUpxRequest, encodeUpxResponse } from '../../src/dus/upx-encode.js';
import { META, plainTree, xmlParser, XMLValidator } from '../../src/dus/upx-xml-tree.js';
import { fixtureText, utf8, value } from './helpers.js';

// plainTree() stands in for fast-xml-parser's validator and parser on plain
// XML. It may decline anything, but what it accepts must be what the
// validator accepts, read into the very tree the parser builds.

/** Deep equality over every own key, symbols (the parser's position metadata) included. */
function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Reflect.ownKeys(a);
  const kb = Reflect.ownKeys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string | symbol, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameTree((a as Record<string | symbol, unknown>)[k], rb[k]));
}

/** Whether plainTree's answer for `xml` is a safe stand-in; also whether it answered at all. */
function check(xml: string): 'plain' | 'declined' {
  const mine = plainTree(xml);
  if (mine === undefined) return 'declined';
  expect(XMLValidator.validate(xml, { allowBooleanAttributes: true }), xml).toBe(true);
  expect(sameTree(mine, xmlParser.parse(xml)), xml).toBe(true);
  return 'plain';
}

// Every body fixture of the codec tests.
const FIXTURES = readdirSync(fileURLToPath(new URL('./fixtures/', import.meta.url)))
  .filter((name) => name.endsWith('.xml'))
  .sort()
  .map((name) => fixtureText(name).trim());

const BENCH_REQUEST = encodeUpxRequest({
  deviceType: 'UCPhone',
  macAddress: '0021630236AA',
  serialNumber: 'C185H103962',
  vendor: 'Aastra',
  model: '6725ip',
  revision: 'A',
  locale: 'ENU',
  files: [
    { fileName: 'CPE.nbt', version: '3.5.6907.0', timeStamp: '16-12-2008 04:43:58' },
    { fileName: 'CPE.cat', version: '3.5.6907.0', timeStamp: '16-12-2008 04:43:58' },
  ],
});
const BENCH_RESPONSE = encodeUpxResponse({
  serverVersion: '3.5.6907.0',
  serviceVersion: '3.5.6907.0',
  updatesServerInternalUrl: 'https://ocs.bench.local/RequestHandler/ucdevice.upx',
  downloads: 0,
});

describe('plainTree', () => {
  it('reads plain check-in bodies into the tree fast-xml-parser builds', () => {
    for (const xml of [BENCH_REQUEST.trim(), BENCH_RESPONSE.trim(), ...FIXTURES.filter((x) => !/[&\r]|<!|\/>/.test(x))]) {
      expect(check(xml), xml).toBe('plain');
    }
    expect(check('<Request></Request>')).toBe('plain');
    expect(check('<?xml version="1.0"?>\n\n<Request>x<A>1</A>y<B></B>\n</Request>\n  ')).toBe('plain');
  });

  it('declines what is not plain XML, or not well-formed', () => {
    const declined = [
      '<Request a="1"></Request>', // an attribute
      '<Request><A/></Request>', // self-closing
      '<Request><!-- c --></Request>', // a comment
      '<Request><![CDATA[x]]></Request>', // CDATA
      '<Request>a &amp; b</Request>', // a reference
      '<Request>a & b</Request>', // a bare ampersand
      '<Request>\r\n<A>1</A></Request>', // CR LF
      '<Request>a > b</Request>', // '>' in text
      '<Request><A>1</B></Request>', // mismatched end
      '<Request><A>1</A>', // unclosed
      '<Request></Request><Request></Request>', // two roots
      '<Request></Request>x', // text after the root
      'x<Request></Request>', // text before it
      '<p:Request></p:Request>', // a prefix
      '<Request ></Request>', // white space in a tag
      '<Request></Request >',
      '<Réquest></Réquest>', // a name beyond ASCII
      '<?pi x?><Request></Request>', // a processing instruction
      '<?xml version=1.0?><Request></Request>', // an unquoted pseudo-attribute
      '<Request><?pi?></Request>',
      '<Request>',
      '',
      '</Request>',
      '<1A></1A>',
    ];
    for (const xml of declined) expect(check(xml), xml).toBe('declined');
  });

  it('agrees with fast-xml-parser on generated documents', () => {
    // Documents from a small grammar whose text and names may hold the characters that matter.
    // Mostly what plain XML holds; now and then what it must not.
    const rarely = <T,>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
      fc.oneof({ arbitrary: usual, weight: 30 }, { arbitrary: odd, weight: 1 });
    const name = rarely(fc.constantFrom('Request', 'Response', 'File', 'Files', 'A', 'b.c', '_x-1', 'Url', 'xmlns'), fc.constantFrom('p:q', 'É', '1'));
    const text = fc.string({
      unit: rarely(fc.constantFrom('a', ' ', '\n', '\t', ';', '/', '"', '?', '=', 'é', '\''), fc.constantFrom('\r', '>', '&', '<')),
      maxLength: 6,
    });
    const element: fc.Memo<string> = fc.memo((depth) =>
      fc
        .tuple(name, fc.array(fc.oneof(text, depth > 1 ? element(depth - 1) : text), { maxLength: 4 }), rarely(fc.constant(''), fc.constantFrom(' ', '/', ' a="1"')))
        .map(([n, kids, tagTail]) => (tagTail === '/' ? `<${n}/>` : `<${n}${tagTail}>${kids.join('')}</${n}>`)),
    );
    const decl = fc.constantFrom('', '<?xml version="1.0" encoding="utf-8"?>\n', "<?xml version='1.0'?>", '<?xml?>', '<?xml version = "1.0"\n?>', '<?pi?>', ' ');
    let plain = 0;
    fc.assert(
      fc.property(decl, element(4), text, (d, root, tail) => {
        if (check(d + root + tail) === 'plain') plain++;
      }),
      { numRuns: 3000, seed: 20261207 },
    );
    // The grammar must reach the fast road often enough for this to test it.
    expect(plain).toBeGreaterThan(300);
  });

  it('agrees with fast-xml-parser on bodies with a character inserted or removed', () => {
    const bases = [BENCH_REQUEST, BENCH_RESPONSE, FIXTURES[0], FIXTURES[1]];
    const ch = fc.constantFrom('<', '>', '/', '&', '\r', ' ', 'x', '?', '!', '"', '=', '\u0000');
    let plain = 0;
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.nat(), ch, fc.boolean(), (base, at, c, insert) => {
        const i = at % base.length;
        const xml = insert ? base.slice(0, i) + c + base.slice(i) : base.slice(0, i) + base.slice(i + 1);
        if (check(xml) === 'plain') plain++;
      }),
      { numRuns: 3000, seed: 7 },
    );
    expect(plain).toBeGreaterThan(300);
  });

  it('gives decodeUpx the same answer as the general road on the bodies it reads', () => {
    // A body the plain reader takes, and the same body with a comment, which it declines:
    // the decoded message (offsets included) must not depend on which road was taken.
    const plainBody = BENCH_REQUEST.replace('<Locale>', '<Extra>1</Extra>\n  <Locale>');
    const viaGeneral = plainBody.replace('</Request>', '<!---->\n</Request>');
    expect(plainTree(plainBody.slice(plainBody.indexOf('<')))).toBeDefined();
    expect(plainTree(viaGeneral.slice(viaGeneral.indexOf('<')))).toBeUndefined();
    const a = value(decodeUpx(utf8(plainBody), { kind: 'request' }));
    const b = value(decodeUpx(utf8(viaGeneral), { kind: 'request' }));
    expect(a).toEqual(b);
    expect(a.unknown.map((u) => u.path)).toEqual(['Request/Extra']);
  });

  it('reads from an index, counts positions from there, and keeps to a depth', () => {
    const xml = ' \r\n <A><B>1</B></A> \n';
    const tree = plainTree(xml, 4)!;
    expect(sameTree(tree, xmlParser.parse(xml.slice(4).trim()))).toBe(true);
    expect(tree[0][META]).toEqual({ startIndex: 0, endIndex: '<A><B>1</B></A>'.length });
    expect(plainTree(xml, 4, 2)).toBeDefined();
    expect(plainTree(xml, 4, 1)).toBeUndefined();
    // Past the depth the decoder allows, the pre-scan's error still comes out.
    const deep = '<Request>' + '<A>'.repeat(40) + '</A>'.repeat(40) + '</Request>';
    expect(decodeUpx(utf8(deep))).toMatchObject({ ok: false, error: { code: 'upx.too-deep' } });
  });

  it('keeps the parser position metadata under its symbol', () => {
    const xml = '<Request>\n  <A>1</A>\n</Request>';
    const tree = plainTree(xml)!;
    const root = tree[0];
    expect(root[META]).toEqual({ startIndex: 0, endIndex: xml.length });
    const a = (root['\u0000Request'] as Array<Record<string | symbol, unknown>>)[1];
    expect(a[META]).toEqual({ startIndex: xml.indexOf('<A>'), endIndex: xml.indexOf('</Request>') - 1 });
  });
});
