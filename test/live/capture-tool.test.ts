// What the capture tools print, turned into one line or into counts. The
// stderr texts are those tcpdump 4.99 and dumpcap 4.0 print (run by hand:
// `tcpdump -i nosuch -w -`, as an unprivileged user, with a bad filter).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureCommands, DEFAULT_FILTER, describeCaptureFailure, droppedTotal, findTool, parseCaptureStats } from '../../src/capture/live.js';

const DUMPCAP_PERMISSION = `Capturing on 'Loopback: lo'
dumpcap: You do not have permission to capture on device "lo".
(socket: Operation not permitted)
Please check to make sure you have sufficient permissions.

On Debian and Debian derivatives such as Ubuntu, if you have installed Wireshark from a package, try running
`;

describe('describeCaptureFailure', () => {
  it('no such interface (tcpdump, dumpcap)', () => {
    expect(describeCaptureFailure('tcpdump', 'tcpdump: nosuch: No such device exists\n(No such device exists)\n', ['nosuch'], DEFAULT_FILTER)).toBe(
      "no such interface: nosuch (tcpdump cannot open it; 'ip link' lists the interfaces)",
    );
    expect(describeCaptureFailure('dumpcap', `Capturing on 'nosuch'\ndumpcap: There is no device named "nosuch".\n(No such device exists)\n`, ['nosuch'], DEFAULT_FILTER)).toBe(
      "no such interface: nosuch (dumpcap cannot open it; 'ip link' lists the interfaces)",
    );
  });

  it('no permission (tcpdump, dumpcap)', () => {
    expect(
      describeCaptureFailure('tcpdump', "tcpdump: lo: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)\n", ['lo'], DEFAULT_FILTER),
    ).toBe('no permission to capture on lo: run upxray as root, or give tcpdump the CAP_NET_RAW and CAP_NET_ADMIN capabilities');
    expect(describeCaptureFailure('dumpcap', DUMPCAP_PERMISSION, ['lo'], DEFAULT_FILTER)).toBe(
      'no permission to capture on lo: run upxray as root, or give dumpcap the CAP_NET_RAW and CAP_NET_ADMIN capabilities',
    );
  });

  it('a bad filter (tcpdump, dumpcap)', () => {
    expect(describeCaptureFailure('tcpdump', "tcpdump: can't parse filter expression: syntax error\n", ['lo'], 'tcp port')).toBe('bad capture filter "tcp port": syntax error');
    const dumpcap = `Capturing on 'Loopback: lo'\ndumpcap: Invalid capture filter "tcp port" for interface 'lo'.\n\nThat string isn't a valid capture filter (can't parse filter expression: syntax error).\n`;
    expect(describeCaptureFailure('dumpcap', dumpcap, ['lo'], 'tcp port')).toBe('bad capture filter "tcp port": syntax error');
  });

  it('anything else: the tool\'s first meaningful line, never empty', () => {
    expect(describeCaptureFailure('tcpdump', 'tcpdump: listening on x\ntcpdump: pcap_loop: The interface disappeared\n', ['x'], 'tcp')).toBe(
      'tcpdump failed: pcap_loop: The interface disappeared',
    );
    expect(describeCaptureFailure('tcpdump', '', ['x'], 'tcp')).toBe('tcpdump failed: it exited before capturing anything');
  });
});

describe('parseCaptureStats', () => {
  it('tcpdump', () => {
    const s = parseCaptureStats('tcpdump', 'tcpdump: listening on ph0\n6719 packets captured\n8800 packets received by filter\n2081 packets dropped by kernel\n');
    expect(s).toEqual({ captured: 6719, received: 8800, droppedByKernel: 2081 });
    expect(droppedTotal(s)).toBe(2081);
  });

  it('dumpcap, two interfaces', () => {
    const s = parseCaptureStats(
      'dumpcap',
      "Capturing on 'a' and 'b'\nFile: -\nPackets captured: 30\nPackets received/dropped on interface 'a': 20/1 (pcap:1/dumpcap:0/flushed:0/ps_ifdrop:2) (95.2%)\nPackets received/dropped on interface 'b': 10/0 (pcap:0/dumpcap:3/flushed:1/ps_ifdrop:0) (100.0%)\n",
    );
    expect(s).toEqual({ captured: 30, received: 30, droppedByKernel: 1, droppedByTool: 4, droppedByInterface: 2 });
    expect(droppedTotal(s)).toBe(7);
  });

  it('nothing printed (killed hard)', () => {
    expect(parseCaptureStats('tcpdump', 'tcpdump: listening on ph0\n')).toBeUndefined();
    expect(parseCaptureStats('dumpcap', "Capturing on 'lo'\n")).toBeUndefined();
    expect(droppedTotal(undefined)).toBe(0);
  });
});

describe('the commands and the tool search', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upx-tools-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('dumpcap captures every interface in one child; tcpdump needs one each', () => {
    expect(captureCommands('dumpcap', ['a', 'b'], 'tcp')).toEqual([['-q', '-B', '16', '-f', 'tcp', '-i', 'a', '-i', 'b', '-w', '-']]);
    const t = captureCommands('tcpdump', ['a', 'b'], 'tcp');
    expect(t).toHaveLength(2);
    expect(t[1]).toEqual(['-n', '-U', '-B', '16384', '-i', 'b', '-w', '-', 'tcp']);
  });

  it('prefers dumpcap, takes tcpdump otherwise, and skips what is not executable', () => {
    const tcpdump = join(dir, 'tcpdump');
    writeFileSync(tcpdump, '#!/bin/sh\n');
    chmodSync(tcpdump, 0o755);
    const dumpcap = join(dir, 'dumpcap');
    writeFileSync(dumpcap, '#!/bin/sh\n');
    chmodSync(dumpcap, 0o644);
    expect(findTool(['dumpcap', 'tcpdump'], `/nonexistent:${dir}`)).toEqual({ tool: 'tcpdump', file: tcpdump });
    chmodSync(dumpcap, 0o755);
    expect(findTool(['dumpcap', 'tcpdump'], dir)).toEqual({ tool: 'dumpcap', file: dumpcap });
    expect(findTool(['dumpcap', 'tcpdump'], '/nonexistent')).toBeUndefined();
    expect(findTool(['tcpdump'], undefined)).toBeUndefined();
  });
});
