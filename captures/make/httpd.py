#!/usr/bin/env python3
"""A small scripted HTTP/1.1 server on raw sockets, for making test captures.

usage: httpd.py --bind ADDR --port PORT [--root DIR]
       (IPv6 when ADDR contains ':'; serves until killed)

Every byte it writes is chosen here, so captures made against it are
predictable: fixed Date and Server headers, bodies that depend only on the URL.

Routes (HEAD works on all of them and sends the GET headers without a body):
  GET  /bytes/N      N bytes of body(N), Content-Length
  GET  /chunked/N    body(N) chunked: several chunks, a chunk extension, a trailer
  GET  /gzip/N       gzip of text(N), Content-Encoding: gzip (gzip mtime 0)
  GET  /deflate/N    zlib stream of text(N), Content-Encoding: deflate (RFC 9110 8.4.1.2)
  GET  /close/N      body(N) with no Content-Length: the body ends when we close
  GET  /slow/N       like /bytes/N, answered after 200 ms (lets a client pipeline)
  GET  /status/C     status C; 204 and 304 carry no body, others a short text
  GET  /files/NAME   a file from --root, if given
  POST /echo         answers with the request body (Content-Length or chunked);
                     an "Expect: 100-continue" request gets a real 100 Continue first
  any other          404

Other scripts can add routes: import this module and decorate a handler with
@route("POST", "/path") (exact path) or @route("GET", "/prefix/", prefix=True).
A handler gets a Request and returns a Response.
"""
import argparse, gzip, os, socket, sys, threading, time, zlib

DATE = "Mon, 01 Jan 2024 00:00:00 GMT"
SERVER = "upxray-httpd/1"
REASONS = {100: "Continue", 200: "OK", 204: "No Content", 206: "Partial Content",
           301: "Moved Permanently", 302: "Found", 304: "Not Modified", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           413: "Payload Too Large", 500: "Internal Server Error", 503: "Service Unavailable"}
MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024 * 1024


def body(n):
    """n deterministic binary bytes (every byte value occurs)."""
    return bytes((i * 31 + 7) & 0xFF for i in range(n))


def text(n):
    """n deterministic text bytes, compressible, so gzip/deflate bodies stay small."""
    out, i = bytearray(), 0
    while len(out) < n:
        out += b"line %05d of the upxray test body\n" % i
        i += 1
    return bytes(out[:n])


class Request:
    def __init__(self, method, target, version, headers, body):
        self.method, self.target, self.version = method, target, version
        self.headers, self.body = headers, body  # headers: list of (name, value)

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None


class Response:
    """status, headers (list of pairs), body bytes or a list of chunks.

    chunks: list of (data, extension) sent with chunked coding, with trailers.
    close_delimited: no Content-Length, close the connection after the body.
    """
    def __init__(self, status, headers=None, body=b"", chunks=None, trailers=None,
                 close_delimited=False, no_body=False):
        self.status, self.headers, self.body = status, list(headers or []), body
        self.chunks, self.trailers = chunks, list(trailers or [])
        self.close_delimited, self.no_body = close_delimited, no_body


ROUTES = []  # (method, path, prefix, handler)


def route(method, path, prefix=False):
    def deco(fn):
        ROUTES.insert(0, (method, path, prefix, fn))
        return fn
    return deco


def size_arg(req, prefix):
    try:
        n = int(req.target[len(prefix):].split("?")[0])
    except ValueError:
        return None
    return n if 0 <= n <= MAX_BODY else None


def bad(status=400):
    return Response(status, [("Content-Type", "text/plain")], b"bad request\n")


@route("GET", "/bytes/", prefix=True)
def r_bytes(req):
    n = size_arg(req, "/bytes/")
    if n is None:
        return bad()
    return Response(200, [("Content-Type", "application/octet-stream")], body(n))


@route("GET", "/slow/", prefix=True)
def r_slow(req):
    n = size_arg(req, "/slow/")
    if n is None:
        return bad()
    time.sleep(0.2)
    return Response(200, [("Content-Type", "application/octet-stream")], body(n))


@route("GET", "/chunked/", prefix=True)
def r_chunked(req):
    n = size_arg(req, "/chunked/")
    if n is None:
        return bad()
    data = body(n)
    # Uneven pieces so chunk sizes differ; the first one carries an extension.
    cuts, pos, step = [], 0, max(1, n // 4 + 3)
    while pos < n:
        cuts.append(data[pos:pos + step])
        pos += step
    chunks = [(c, ";name=first" if i == 0 else "") for i, c in enumerate(cuts)]
    return Response(200, [("Content-Type", "application/octet-stream"), ("Trailer", "X-Body-Length")],
                    chunks=chunks, trailers=[("X-Body-Length", str(n))])


@route("GET", "/gzip/", prefix=True)
def r_gzip(req):
    n = size_arg(req, "/gzip/")
    if n is None:
        return bad()
    z = gzip.compress(text(n), compresslevel=9, mtime=0)
    return Response(200, [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")], z)


@route("GET", "/deflate/", prefix=True)
def r_deflate(req):
    n = size_arg(req, "/deflate/")
    if n is None:
        return bad()
    z = zlib.compress(text(n), 9)
    return Response(200, [("Content-Type", "text/plain"), ("Content-Encoding", "deflate")], z)


@route("GET", "/close/", prefix=True)
def r_close(req):
    n = size_arg(req, "/close/")
    if n is None:
        return bad()
    return Response(200, [("Content-Type", "application/octet-stream")], body(n), close_delimited=True)


@route("GET", "/status/", prefix=True)
def r_status(req):
    try:
        code = int(req.target[len("/status/"):])
    except ValueError:
        return bad()
    if not 100 <= code <= 999:
        return bad()
    if code in (204, 304):
        hdrs = [("ETag", '"upx-1"')] if code == 304 else []
        return Response(code, hdrs, no_body=True)
    return Response(code, [("Content-Type", "text/plain")], b"status %d\n" % code)


@route("POST", "/echo")
def r_echo(req):
    ctype = req.header("Content-Type") or "application/octet-stream"
    return Response(200, [("Content-Type", ctype)], req.body)


ROOT = None


@route("GET", "/files/", prefix=True)
def r_files(req):
    name = req.target[len("/files/"):]
    if ROOT is None or not name or "/" in name or name.startswith("."):
        return Response(404, [("Content-Type", "text/plain")], b"no such file\n")
    path = os.path.join(ROOT, name)
    if not os.path.isfile(path):
        return Response(404, [("Content-Type", "text/plain")], b"no such file\n")
    with open(path, "rb") as fh:
        return Response(200, [("Content-Type", "application/octet-stream")], fh.read())


def find_handler(method, path):
    look = "GET" if method == "HEAD" else method
    for m, p, prefix, fn in ROUTES:
        if m == look and (path.startswith(p) if prefix else path == p):
            return fn
    return None


class Conn:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buf += data
        return True

    def read_until(self, mark, limit):
        while mark not in self.buf:
            if len(self.buf) > limit or not self.fill():
                return None
        i = self.buf.index(mark) + len(mark)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def read_exact(self, n):
        while len(self.buf) < n:
            if not self.fill():
                return None
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def read_chunked(conn):
    out = bytearray()
    while True:
        line = conn.read_until(b"\r\n", 1024)
        if line is None:
            return None
        try:
            size = int(line.split(b";")[0].strip(), 16)
        except ValueError:
            return None
        if size == 0:
            break
        if len(out) + size > MAX_BODY:
            return None
        data = conn.read_exact(size + 2)
        if data is None:
            return None
        out += data[:-2]
    while True:  # trailer section, ignored
        line = conn.read_until(b"\r\n", MAX_HEAD)
        if line is None or line == b"\r\n":
            break
    return bytes(out)


def status_line(code):
    return b"HTTP/1.1 %d %s\r\n" % (code, REASONS.get(code, "Status").encode())


def send_response(sock, req, resp, keep):
    head = [("Date", DATE), ("Server", SERVER)] + resp.headers
    send_body = req.method != "HEAD" and not resp.no_body and resp.status not in (204, 304)
    if resp.chunks is not None:
        head.append(("Transfer-Encoding", "chunked"))
    elif resp.close_delimited:
        keep = False
    elif resp.status not in (204, 304) and not (100 <= resp.status < 200):
        head.append(("Content-Length", str(len(resp.body))))
    head.append(("Connection", "keep-alive" if keep else "close"))
    out = bytearray(status_line(resp.status))
    for k, v in head:
        out += b"%s: %s\r\n" % (k.encode(), v.encode())
    out += b"\r\n"
    if send_body:
        if resp.chunks is not None:
            for data, ext in resp.chunks:
                out += b"%x%s\r\n%s\r\n" % (len(data), ext.encode(), data)
            out += b"0\r\n"
            for k, v in resp.trailers:
                out += b"%s: %s\r\n" % (k.encode(), v.encode())
            out += b"\r\n"
        else:
            out += resp.body
    sock.sendall(bytes(out))
    return keep


def serve_conn(sock):
    conn = Conn(sock)
    try:
        while True:
            head = conn.read_until(b"\r\n\r\n", MAX_HEAD)
            if head is None:
                return
            lines = head[:-4].decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) != 3:
                sock.sendall(status_line(400) + b"Connection: close\r\nContent-Length: 0\r\n\r\n")
                return
            method, target, version = parts
            headers = []
            for ln in lines[1:]:
                k, _, v = ln.partition(":")
                headers.append((k.strip(), v.strip()))
            req = Request(method, target, version, headers, b"")
            if (req.header("Expect") or "").lower() == "100-continue":
                sock.sendall(status_line(100) + b"\r\n")
            if "chunked" in (req.header("Transfer-Encoding") or "").lower():
                req.body = read_chunked(conn)
                if req.body is None:
                    return
            elif req.header("Content-Length"):
                try:
                    n = int(req.header("Content-Length"))
                except ValueError:
                    n = -1
                if not 0 <= n <= MAX_BODY:
                    send_response(sock, req, bad(), False)
                    return
                req.body = conn.read_exact(n)
                if req.body is None:
                    return
            handler = find_handler(method, target.split("?")[0])
            resp = handler(req) if handler else Response(
                404, [("Content-Type", "text/plain")], b"not found\n")
            keep = (req.header("Connection") or "").lower() != "close" and version == "HTTP/1.1"
            if not send_response(sock, req, resp, keep):
                return
    except OSError:
        pass
    finally:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


def serve(bind, port):
    fam = socket.AF_INET6 if ":" in bind else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((bind, port))
    ls.listen(16)
    print(f"httpd listening on {bind} port {port}", file=sys.stderr, flush=True)
    while True:
        s, _ = ls.accept()
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve_conn, args=(s,), daemon=True).start()


def main(argv=None):
    global ROOT
    ap = argparse.ArgumentParser(description="scripted HTTP/1.1 test server")
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--root", help="folder served under /files/")
    a = ap.parse_args(argv)
    ROOT = a.root
    try:
        serve(a.bind, a.port)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
