#!/usr/bin/env python3
"""Record Wireshark's answer for a capture, so tests can compare upxray with it
without tshark installed.

usage: judge.py [--keylog FILE] [--rsa-key FILE[@IP:PORT]]... [--password PW] CAPTURE...
       -> writes <capture without extension>.tshark.json

The key options (for the TLS captures) let tshark decrypt HTTPS, so the verdict
lists the HTTP exchanges inside the tunnels and the objects they carry:
  --keylog FILE       NSS key log, passed as -o tls.keylog_file:FILE
  --rsa-key FILE      server private key (PEM or PKCS#12), added to the TLS RSA keys
                      list (UAT ssl_keys); @IP:PORT scopes it to that server, as in
                      Wireshark's dialog. Repeatable.
  --password PW       password of the --rsa-key files that follow it (encrypted PEM
                      is not read by tshark 4.0; PKCS#12 is)
Only with these options the file also gets "decryptedWith" (the key material
named as given, relative paths kept); without them the output is unchanged.

tshark runs twice: with out-of-order TCP reassembly on (tcp.reassemble_out_of_order,
off by default in tshark) and off, because each mode misses things the other sees:
with it on, tshark waits forever at a hole the capture never fills and stops
dissecting that direction; with it off, out-of-order data is not reassembled.

The file holds, for each mode ("exchanges" for on, "exchangesInOrderOnly" for off):
  one entry per HTTP request, in request-frame order:
    {"stream", "request": {"frame", "firstFrame", "method", "uri"},
     "response": {"frame", "firstFrame", "status"} | null,
     "interim": [1xx responses], only when there were any}
  responses paired with no request in the capture under "orphanResponses" / "orphanResponsesInOrderOnly".
  objects / objectsInOrderOnly: sorted sha256 of every file `tshark --export-objects http` writes.

Pairing follows tshark's http.request_in. Where tshark 4.0 is wrong (it pairs
pipelined responses with the newest request), captures/<name>.deviations.json
says so, with the reason, and the tests apply it. A 1xx answer is interim: it
goes to the request it answers, or, when tshark links it to none (a 100
Continue sent before the request body ended), to the request of the same TCP
stream whose frames span it.
"""
import hashlib, json, os, subprocess, sys, tempfile

FIELDS = ["frame.number", "tcp.stream", "http.request.method", "http.request.uri",
          "http.response.code", "http.request_in", "tcp.segment"]


def split(v):
    return [x for x in v.split(",") if x != ""] if v else []


# Extra tshark preferences from the key options (empty without them).
KEY_PREFS = []
DECRYPTED_WITH = None


def tshark_rows(path, ooo):
    cmd = ["tshark", "-n", "-r", path, *KEY_PREFS, "-o", f"tcp.reassemble_out_of_order:{'TRUE' if ooo else 'FALSE'}",
           "-Y", "http.request or http.response",
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(FIELDS) - len(cols))
        yield dict(zip(FIELDS, cols))


def verdict(path, ooo):
    requests, responses = [], []
    for r in tshark_rows(path, ooo):
        frame = int(r["frame.number"])
        segs = [int(s) for s in split(r["tcp.segment"])]
        first_frame = min(segs) if segs else frame
        stream = int(split(r["tcp.stream"])[0]) if r["tcp.stream"] else None
        # One frame can carry several pipelined messages: tshark lists each occurrence.
        methods = split(r["http.request.method"])
        uris = r["http.request.uri"].split(",") if r["http.request.uri"] else []
        for i, m in enumerate(methods):
            # A pipelined message after the first in a frame starts in that frame.
            ff = first_frame if i == 0 else frame
            requests.append({"stream": stream, "request": {"frame": frame, "firstFrame": ff, "method": m,
                             "uri": uris[i] if i < len(uris) else ""}, "response": None})
        req_in = [int(x) for x in split(r["http.request_in"])]
        for i, c in enumerate(split(r["http.response.code"])):
            ff = first_frame if i == 0 else frame
            responses.append({"stream": stream, "frame": frame, "firstFrame": ff, "status": int(c),
                              "requestIn": req_in[i] if i < len(req_in) else None})
    orphans = []
    for resp in responses:
        stream = resp.pop("stream")
        ri = resp.pop("requestIn")
        interim = 100 <= resp["status"] < 200 and resp["status"] != 101
        if ri is not None:
            cands = [q for q in requests if q["request"]["frame"] == ri and (interim or q["response"] is None)]
        elif interim:
            cands = [q for q in requests if q["stream"] == stream
                     and q["request"]["firstFrame"] < resp["frame"] <= q["request"]["frame"]]
        else:
            cands = []
        if not cands:
            orphans.append(resp)
        elif interim:
            cands[0].setdefault("interim", []).append(resp)
        else:
            cands[0]["response"] = resp
    return requests, orphans


def objects(path, ooo):
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["tshark", "-n", "-r", path, *KEY_PREFS, "-o",
                        f"tcp.reassemble_out_of_order:{'TRUE' if ooo else 'FALSE'}",
                        "-Q", "--export-objects", f"http,{d}"], check=True, capture_output=True)
        return sorted(hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest()
                      for f in os.listdir(d))


def main(path):
    doc = {"tshark": subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0]}
    if DECRYPTED_WITH is not None:
        doc["decryptedWith"] = DECRYPTED_WITH
    for ooo, suffix in ((True, ""), (False, "InOrderOnly")):
        reqs, orphans = verdict(path, ooo)
        doc["exchanges" + suffix] = reqs
        doc["orphanResponses" + suffix] = orphans
        doc["objects" + suffix] = objects(path, ooo)
    base = path
    for ext in (".gz", ".pcapng", ".pcap"):
        if base.endswith(ext):
            base = base[: -len(ext)]
    with open(base + ".tshark.json", "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")


def uat_field(v):
    # UAT values are double-quoted; a quote or backslash inside is escaped as \xNN.
    return '"%s"' % "".join("\\x%02x" % ord(c) if c in '"\\' else c for c in v)


def parse_args(argv):
    """Take the key options off argv; returns the capture paths."""
    global DECRYPTED_WITH
    paths, keylog, rsa, password = [], None, [], ""
    it = iter(argv)
    for arg in it:
        if arg in ("--keylog", "--rsa-key", "--password"):
            val = next(it, None)
            if val is None:
                sys.exit("judge.py: %s needs a value" % arg)
            if arg == "--keylog":
                keylog = val
            elif arg == "--password":
                password = val
            else:
                rsa.append((val, password))
        else:
            paths.append(arg)
    if keylog is not None:
        KEY_PREFS.extend(["-o", "tls.keylog_file:" + os.path.abspath(keylog)])
    for spec, pw in rsa:
        ip, port, path = "any", "0", spec
        if "@" in spec:
            path, _, where = spec.rpartition("@")
            ip, _, port = where.rpartition(":")
        KEY_PREFS.extend(["-o", "uat:ssl_keys:" + ",".join(
            uat_field(v) for v in (ip, port, "http", os.path.abspath(path), pw))])
    if keylog is not None or rsa:
        DECRYPTED_WITH = {}
        if keylog is not None:
            DECRYPTED_WITH["keylog"] = keylog
        if rsa:
            DECRYPTED_WITH["rsaKeys"] = [{"key": spec, "password": pw} if pw else {"key": spec}
                                         for spec, pw in rsa]
    return paths


if __name__ == "__main__":
    for p in parse_args(sys.argv[1:]):
        main(p)
