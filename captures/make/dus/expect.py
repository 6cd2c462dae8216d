#!/usr/bin/env python3
"""Write <capture>.expect.json: what a capture shows and the findings upxray must
raise for it, with evidence frames looked up in tshark's own view (never typed in).

usage: expect.py CAPTURE --shows "one sentence" [--finding "CODE SEVERITY SEL..."]...

A selector names one frame:
  req:N / resp:N   the frame where tshark shows the Nth HTTP request / its response
                   (N counts requests in frame order, as in <capture>.tshark.json,
                   which judge.py must have written first); for a message spread over
                   several segments that is its last segment
  syn:N            the Nth SYN without ACK
  rst:N            the Nth segment with RST set
  fin:N            the Nth segment with FIN set sent by the server (10.99.2.90)
  hello:N          the Nth TLS ClientHello
"""
import argparse, json, subprocess, sys

SERVER = "10.99.2.90"
FILTERS = {
    "syn": "tcp.flags.syn==1 && tcp.flags.ack==0",
    "rst": "tcp.flags.reset==1",
    "fin": "tcp.flags.fin==1 && ip.src==%s" % SERVER,
    "hello": "tls.handshake.type==1",
}


def base_of(path):
    for ext in (".gz", ".pcapng", ".pcap"):
        if path.endswith(ext):
            path = path[: -len(ext)]
    return path


def frames_matching(cap, flt):
    out = subprocess.run(["tshark", "-n", "-r", cap, "-o", "tcp.reassemble_out_of_order:TRUE",
                          "-Y", flt, "-T", "fields", "-e", "frame.number"],
                         check=True, capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def resolve(cap, judged, sel):
    kind, _, n = sel.partition(":")
    i = int(n) - 1
    if kind in ("req", "resp"):
        ex = judged["exchanges"][i]
        part = ex["request"] if kind == "req" else ex["response"]
        if part is None:
            sys.exit("expect.py: %s: request %d has no response in tshark's view" % (cap, i + 1))
        return part["frame"]
    frames = frames_matching(cap, FILTERS[kind])
    if i >= len(frames):
        sys.exit("expect.py: %s: no %s number %d (found %d)" % (cap, kind, i + 1, len(frames)))
    return frames[i]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("--shows", required=True)
    ap.add_argument("--finding", action="append", default=[])
    a = ap.parse_args()
    base = base_of(a.capture)
    judged = json.load(open(base + ".tshark.json"))
    findings = []
    for spec in a.finding:
        code, severity, *sels = spec.split()
        assert severity in ("error", "warning", "info"), severity
        findings.append({"code": code, "severity": severity,
                         "frames": sorted({resolve(a.capture, judged, s) for s in sels})})
    with open(base + ".expect.json", "w") as fh:
        json.dump({"shows": a.shows, "findings": findings}, fh, indent=1)
        fh.write("\n")
    print("expect %s: %s" % (base.split("/")[-1], json.dumps(findings)))


if __name__ == "__main__":
    main()
