// `analyze --json` of every capture validates against the committed schema,
// and the document keeps the flows document's exchanges as they are.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { CAPTURES, ROOT, cli } from '../helpers/cli.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/analyze.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const captures = readdirSync(CAPTURES).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f));

describe('analyze --json', () => {
  it.each(captures)('%s validates against schemas/analyze.schema.json', async (f) => {
    const r = await cli(['analyze', '--json', join(CAPTURES, f)]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const ok = validate(doc);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
    expect(ok).toBe(true);
    const flows = JSON.parse((await cli(['flows', '--json', join(CAPTURES, f)])).stdout);
    expect(doc.exchanges.map((x: { id: string }) => x.id)).toEqual(flows.exchanges.map((x: { id: string }) => x.id));
  });

  it('validates a decrypted capture (exchanges carry how they were decrypted)', async () => {
    const key = join(CAPTURES, 'make/tls/keys/server.rsa.pem');
    const r = await cli(['analyze', '--json', '--rsa-key', key, join(CAPTURES, 'tls-demo.pcap')]);
    const doc = JSON.parse(r.stdout);
    expect(doc.exchanges.some((x: { tls?: unknown }) => x.tls !== undefined)).toBe(true);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it('the schema rejects what it should (it is not a rubber stamp)', async () => {
    const r = await cli(['analyze', '--json', join(CAPTURES, 'dus-demo.pcap')]);
    const doc = JSON.parse(r.stdout);
    expect(validate({ ...doc, schema: 2 })).toBe(false);
    expect(validate({ ...doc, findings: [{ code: 'no-such-code', severity: 'error' }] })).toBe(false);
    const bad = structuredClone(doc);
    bad.exchanges[0].request.frame = 0;
    expect(validate(bad)).toBe(false);
  });
});
