#!/usr/bin/env python3
"""A raw-socket HTTP/1.1 client for making test captures.

usage: client.py --host H --port P [options] REQUEST...

REQUEST is METHOD:PATH[:BODY], BODY one of
  len=N      N deterministic bytes (httpd.body(N))
  text=STR   the string STR
  @FILE      the contents of FILE
e.g.  GET:/bytes/100  HEAD:/chunked/50  POST:/echo:len=300

All requests go on one connection (keep-alive). Options:
  --pipeline          write every request in one send, then read the answers
  --pipeline-writes   pipeline too, but one send per request (one segment each)
  --expect-continue   requests with a body send "Expect: 100-continue" and the
                      body only after the 100 (or after --continue-wait seconds)
  --source-port N     bind the client socket to this local port
  --close             ask for "Connection: close" on the last request
  --segment N         write each request in pieces of N bytes, --gap seconds apart
  --header "K: V"     add a header to every request (repeatable)
  --gap S             pause between requests (and between pieces), seconds
A summary of each response goes to stderr. Exit status 1 if a response could not be read.
"""
import argparse, os, socket, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httpd import body as det_body  # noqa: E402


def parse_spec(spec):
    method, _, rest = spec.partition(":")
    # The path may hold no ':' of its own; the body part follows the second ':'.
    path, _, b = rest.partition(":")
    if not method or not path.startswith("/"):
        raise SystemExit(f"bad request spec: {spec!r}")
    data = None
    if b.startswith("len="):
        data = det_body(int(b[4:]))
    elif b.startswith("text="):
        data = b[5:].encode()
    elif b.startswith("@"):
        with open(b[1:], "rb") as fh:
            data = fh.read()
    elif b:
        raise SystemExit(f"bad body spec: {b!r}")
    return method, path, data


class Reader:
    def __init__(self, sock):
        self.sock, self.buf, self.eof = sock, b"", False

    def fill(self):
        if self.eof:
            return False
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def until(self, mark):
        while mark not in self.buf:
            if not self.fill():
                return None
        i = self.buf.index(mark) + len(mark)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def exact(self, n):
        while len(self.buf) < n:
            if not self.fill():
                return None
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def rest(self):
        while self.fill():
            pass
        out, self.buf = self.buf, b""
        return out


def read_response(rd, method):
    """Read one response (skipping 1xx); return (status, body length) or None."""
    while True:
        head = rd.until(b"\r\n\r\n")
        if head is None:
            return None
        lines = head[:-4].decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        hdrs = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        if 100 <= status < 200 and status != 101:
            print(f"  interim {status}", file=sys.stderr)
            continue
        break
    if method == "HEAD" or status in (204, 304):
        return status, 0
    if "chunked" in hdrs.get("transfer-encoding", "").lower():
        total = 0
        while True:
            line = rd.until(b"\r\n")
            if line is None:
                return None
            size = int(line.split(b";")[0].strip(), 16)
            if size == 0:
                break
            if rd.exact(size + 2) is None:
                return None
            total += size
        while True:
            line = rd.until(b"\r\n")
            if line is None or line == b"\r\n":
                break
        return status, total
    if "content-length" in hdrs:
        data = rd.exact(int(hdrs["content-length"]))
        return None if data is None else (status, len(data))
    return status, len(rd.rest())


def encode(method, path, data, host, extra, expect, last_close):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "User-Agent: upxray-client/1"]
    lines += extra
    if data is not None:
        lines.append("Content-Type: application/octet-stream")
        lines.append(f"Content-Length: {len(data)}")
        if expect:
            lines.append("Expect: 100-continue")
    if last_close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def send(sock, data, segment, gap):
    if not segment:
        sock.sendall(data)
        return
    for i in range(0, len(data), segment):
        sock.sendall(data[i:i + segment])
        if gap:
            time.sleep(gap)


def main(argv=None):
    ap = argparse.ArgumentParser(description="raw-socket HTTP/1.1 test client")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pipeline", action="store_true")
    ap.add_argument("--pipeline-writes", action="store_true")
    ap.add_argument("--expect-continue", action="store_true")
    ap.add_argument("--continue-wait", type=float, default=1.0)
    ap.add_argument("--source-port", type=int, default=0)
    ap.add_argument("--close", action="store_true")
    ap.add_argument("--segment", type=int, default=0)
    ap.add_argument("--gap", type=float, default=0.0)
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("requests", nargs="+")
    a = ap.parse_args(argv)
    reqs = [parse_spec(s) for s in a.requests]

    fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if a.source_port:
        sock.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", a.source_port))
    sock.settimeout(a.timeout)
    sock.connect((a.host, a.port))
    host = f"[{a.host}]:{a.port}" if fam == socket.AF_INET6 else f"{a.host}:{a.port}"
    rd, failed = Reader(sock), False

    def wire(i):
        method, path, data = reqs[i]
        last = a.close and i == len(reqs) - 1
        return encode(method, path, data, host, a.header, False, last) + (data or b"")

    if a.pipeline or a.pipeline_writes:
        if a.pipeline_writes:
            for i in range(len(reqs)):
                send(sock, wire(i), a.segment, 0)
                time.sleep(a.gap)
        else:
            send(sock, b"".join(wire(i) for i in range(len(reqs))), a.segment, a.gap)
        for method, path, _ in reqs:
            r = read_response(rd, method)
            print(f"{method} {path} -> {r}", file=sys.stderr)
            failed |= r is None
    else:
        for i, (method, path, data) in enumerate(reqs):
            if i and a.gap:
                time.sleep(a.gap)
            last = a.close and i == len(reqs) - 1
            if data is not None and a.expect_continue:
                send(sock, encode(method, path, data, host, a.header, True, last), a.segment, a.gap)
                # Wait for the 100 but do not consume it: read_response skips it.
                sock.settimeout(a.continue_wait)
                rd.fill()
                sock.settimeout(a.timeout)
                send(sock, data, a.segment, a.gap)
            else:
                send(sock, wire(i), a.segment, a.gap)
            r = read_response(rd, method)
            print(f"{method} {path} -> {r}", file=sys.stderr)
            failed |= r is None
    try:
        sock.shutdown(socket.SHUT_WR)
        rd.rest()
    except OSError:
        pass
    sock.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
