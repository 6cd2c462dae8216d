// Which findings a live session tells, and when.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/diagnose/finding.js';
import { FindingTracker, findingKey } from '../../src/live/finding-tracker.js';

const S = 1_000_000_000n;

function f(code: Finding['code'], frames: number[], mac = '0021630F207B'): Finding {
  return { code, severity: 'error', phone: { mac, ip: '10.0.0.5' }, message: `${code} at ${frames[0]}`, evidence: { frames } };
}

describe('FindingTracker', () => {
  it('tells a finding once, even when later diagnoses add evidence to it', () => {
    const t = new FindingTracker();
    expect(t.update([f('missing-server-version', [6])], 0n)).toHaveLength(1);
    expect(t.update([f('missing-server-version', [6, 14])], S)).toHaveLength(0);
    expect(t.update([f('missing-server-version', [6, 14]), f('missing-server-version', [30])], 2n * S).map((x) => x.evidence.frames)).toEqual([[30]]);
    expect(t.count).toBe(2);
  });

  it('holds an absence finding until its settle time has passed, then tells it', () => {
    const t = new FindingTracker({ 'check-in-failed': 75n * S });
    const x = f('check-in-failed', [3]);
    expect(t.update([x], 10n * S)).toEqual([]);
    expect(t.waitingCount).toBe(1);
    expect(t.update([x], 80n * S)).toEqual([]);
    expect(t.update([x], 85n * S)).toEqual([x]);
    expect(t.waitingCount).toBe(0);
  });

  it('forgets an absence that stopped being one (the SYN-ACK came)', () => {
    const t = new FindingTracker({ 'check-in-failed': 75n * S });
    expect(t.update([f('check-in-failed', [3])], 0n)).toEqual([]);
    expect(t.update([], S)).toEqual([]);
    expect(t.waitingCount).toBe(0);
    // Seen again later: it waits its full settle time from then.
    expect(t.update([f('check-in-failed', [3])], 100n * S)).toEqual([]);
    expect(t.update([f('check-in-failed', [3])], 170n * S)).toEqual([]);
    expect(t.update([f('check-in-failed', [3])], 176n * S)).toHaveLength(1);
  });

  it('at the end tells what was held or never seen, and withdraws what no longer holds', () => {
    const t = new FindingTracker({ 'update-offered-not-downloaded': 600n * S });
    const early = f('http-error', [9]);
    const held = f('update-offered-not-downloaded', [12]);
    expect(t.update([early, held], 0n)).toEqual([early]);
    const late = f('download-truncated', [40]);
    const end = t.finish([held, late]);
    expect(end.told).toEqual([held, late]);
    expect(end.withdrawn).toEqual([early]);
  });

  it('keys on code, phone and first frame', () => {
    expect(findingKey(f('http-error', [9, 10]))).toBe(findingKey(f('http-error', [9])));
    expect(findingKey(f('http-error', [9]))).not.toBe(findingKey(f('http-error', [9], '0021630F207C')));
    expect(findingKey(f('http-error', [9]))).not.toBe(findingKey(f('http-error', [10])));
  });
});
