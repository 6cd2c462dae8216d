// DNS and DHCP in a capture reach `analyze`: the ucupdates lookups and the
// DHCP offers to phones raise their findings, healthy captures none. Frames are
// the ones tshark shows for the query/response and the OFFER/ACK (see the
// .tshark.txt beside each capture).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPTURES, cli } from '../helpers/cli.js';

const CASES: Array<[string, Array<{ code: string; frames: number[] }>]> = [
  ['dns-ucupdates-a.pcap', []],
  ['dns-ucupdates-tcp.pcap', []],
  ['dhcp-healthy.pcap', []],
  ['dns-ucupdates-cname.pcap', [{ code: 'ucupdates-cname', frames: [1, 2] }]],
  ['dns-ucupdates-nxdomain.pcap', [{ code: 'ucupdates-unresolved', frames: [3, 4] }]],
  ['dns-ucupdates-servfail.pcap', [{ code: 'ucupdates-unresolved', frames: [1, 2] }]],
  ['dns-ucupdates-noanswer.pcap', [{ code: 'ucupdates-unresolved', frames: [1, 2] }]],
  ['dhcp-missing-options.pcap', [{ code: 'dhcp-options-missing', frames: [2, 4] }]],
];

describe.each(CASES)('analyze %s', (file, expected) => {
  it('raises exactly the discovery findings it shows', async () => {
    const r = await cli(['analyze', '--json', join(CAPTURES, file)]);
    expect(r.code).toBe(0);
    const findings = JSON.parse(r.stdout).findings as Array<{ code: string; evidence: { frames: number[] } }>;
    expect(findings.map((f) => f.code)).toEqual(expected.map((e) => e.code));
    for (const [i, e] of expected.entries()) expect(findings[i].evidence.frames).toEqual(expect.arrayContaining(e.frames));
  });
});
