// analyze copies only the bodies it may read (bodyWorthKeeping): what it
// keeps of every exchange (storedExchange drops the rest) must be what it
// kept when it copied every body, on real captures of check-ins, firmware
// downloads (whole, cut short, refused) and error pages.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEEP_BODY_BYTES } from '../../src/analysis-collector.js';
import { openCapture } from '../../src/capture/open.js';
import { bodyWorthKeeping, storedExchange } from '../../src/dus/build-model.js';
import type { HttpExchange } from '../../src/http/exchanges.js';
import { runPipeline } from '../../src/pipeline.js';
import { CAPTURES } from '../helpers/cli.js';

async function exchanges(name: string, policy: boolean): Promise<{ kept: number; stored: HttpExchange[] }> {
  const stored: HttpExchange[] = [];
  let kept = 0;
  await runPipeline(await openCapture(join(CAPTURES, name)), {
    keepBodies: true,
    maxBodyBytes: KEEP_BODY_BYTES,
    keepBody: policy ? bodyWorthKeeping : undefined,
    onExchange: (x) => {
      kept += (x.request?.body?.length ? 1 : 0) + (x.response?.body?.length ? 1 : 0);
      storedExchange(x, { keep: true });
      stored.push(x);
    },
  });
  return { kept, stored };
}

describe('bodies analyze passes over', () => {
  const captures = [
    'dus-demo.pcap',
    'dus-healthy.pcap',
    'dus-download-truncated.pcap',
    'dus-download-truncated-reset.pcap',
    'dus-download-forbidden-acl.pcap',
    'dus-download-forbidden-acl-401.pcap',
    'dus-firmware-not-found.pcap',
    'dus-http-error.pcap',
    'dus-bad-request-url.pcap',
  ];
  it.each(captures)('%s: the same exchanges as when every body was copied', async (name) => {
    const all = await exchanges(name, false);
    const some = await exchanges(name, true);
    expect(some.stored.length).toBeGreaterThan(0);
    expect(some.stored).toEqual(all.stored);
    expect(some.kept).toBeLessThanOrEqual(all.kept);
  });

  it('does pass over the firmware downloads', async () => {
    const all = await exchanges('dus-demo.pcap', false);
    const some = await exchanges('dus-demo.pcap', true);
    // dus-demo fetches four firmware files: their bodies are no longer copied.
    expect(all.kept - some.kept).toBe(4);
  });
});
