#!/usr/bin/env python3
"""Record Wireshark's answer for a capture, so tests can compare upxray with it
without tshark installed.

usage: judge.py CAPTURE  -> writes CAPTURE-without-extension.tshark.json

The file holds:
  exchanges: one entry per HTTP request, in request-frame order:
    {"stream", "request": {"frame", "firstFrame", "method", "uri"},
     "response": {"frame", "firstFrame", "status"} | null,
     "interim": [1xx responses], only when there were any}
  responses without a request in the capture are listed under "orphanResponses".
  objects: sorted sha256 of every file `tshark --export-objects http` writes.
tshark runs with out-of-order reassembly on (it is off by default).
"""
import hashlib, json, os, subprocess, sys, tempfile

OPTS = ["-o", "tcp.reassemble_out_of_order:TRUE"]
FIELDS = ["frame.number", "tcp.stream", "http.request.method", "http.request.uri",
          "http.response.code", "http.request_in", "tcp.segment"]

def tshark_rows(path):
    cmd = ["tshark", "-n", "-r", path, *OPTS, "-Y", "http.request or http.response",
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(FIELDS) - len(cols))
        yield dict(zip(FIELDS, cols))

def first(v):
    return v.split(",")[0] if v else ""

def main(path):
    requests, responses = {}, []
    for r in tshark_rows(path):
        frame = int(r["frame.number"])
        segs = [int(s) for s in r["tcp.segment"].split(",") if s]
        first_frame = min(segs) if segs else frame
        stream = int(first(r["tcp.stream"])) if r["tcp.stream"] else None
        # One frame can carry several pipelined messages: tshark lists each
        # occurrence, so walk the methods and the codes separately.
        methods = [m for m in r["http.request.method"].split(",") if m]
        uris = r["http.request.uri"].split(",") if r["http.request.uri"] else []
        for i, m in enumerate(methods):
            key = (frame, i)
            requests[key] = {"stream": stream, "request": {"frame": frame, "firstFrame": first_frame,
                             "method": m, "uri": uris[i] if i < len(uris) else ""}, "response": None}
        codes = [c for c in r["http.response.code"].split(",") if c]
        req_in = [int(x) for x in r["http.request_in"].split(",") if x]
        for i, c in enumerate(codes):
            responses.append({"frame": frame, "firstFrame": first_frame, "status": int(c),
                              "requestIn": req_in[i] if i < len(req_in) else None})
    orphans = []
    for resp in responses:
        ri = resp.pop("requestIn")
        # A 1xx is an interim answer: the exchange's response is the final one.
        if 100 <= resp["status"] < 200 and resp["status"] != 101:
            cands = [k for k in sorted(requests) if k[0] == ri]
            if cands:
                requests[cands[0]].setdefault("interim", []).append(resp)
                continue
        cands = [k for k in sorted(requests) if k[0] == ri and requests[k]["response"] is None]
        if ri is None or not cands:
            orphans.append(resp)
        else:
            requests[cands[0]]["response"] = resp
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["tshark", "-n", "-r", path, *OPTS, "-Q", "--export-objects", f"http,{d}"],
                       check=True, capture_output=True)
        objects = sorted(hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest()
                         for f in os.listdir(d))
    version = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    doc = {"tshark": version, "options": OPTS,
           "exchanges": [requests[k] for k in sorted(requests)],
           "orphanResponses": orphans, "objects": objects}
    base = path
    for ext in (".gz", ".pcapng", ".pcap"):
        if base.endswith(ext):
            base = base[: -len(ext)]
    with open(base + ".tshark.json", "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")

if __name__ == "__main__":
    for p in sys.argv[1:]:
        main(p)
