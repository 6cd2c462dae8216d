#!/usr/bin/env python3
"""The phone (../dus/phone.py) checking in over a chosen TLS setup.

usage: tls_phone.py [--tls-version V] [--ciphers LIST] [--tls13-ciphers LIST]
                    [--option NAME]... [--connections N] [--write-pieces N]
                    [--pad-body N] [--pause-after-handshake S] -- phone.py args...

Everything after "--" goes to phone.py unchanged (give it --tls --port 443 and a
--keylog); this script only replaces phone.connect's TLS context, so the bytes of
the check-in and the download logic stay phone.py's own.

  --connections N          run the update cycle N times, each from --src-port + 10*i,
                           offering the previous connection's session (resumption by
                           ticket, or by session ID when the server sends no ticket)
  --write-pieces N         write the request in N-byte pieces under TCP_CORK: each piece
                           is its own TLS record, and records share TCP segments
  --pad-body N             add N bytes of whitespace lines inside <Request> (before
                           </Request>), so the request needs several TLS records
  --pause-after-handshake S  print "handshake done" and wait S seconds before the
                           request (for a capture that starts after the handshake)
  --tls13-ciphers LIST     TLS 1.3 suites to offer; Python has no call for that, so it
                           goes in through an OpenSSL config file (Ciphersuites)
"""
import argparse, os, socket, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))


def own_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tls-version", choices=["1.0", "1.1", "1.2", "1.3"])
    ap.add_argument("--ciphers")
    ap.add_argument("--tls13-ciphers")
    ap.add_argument("--option", action="append", default=[])
    ap.add_argument("--connections", type=int, default=1)
    ap.add_argument("--write-pieces", type=int, default=0)
    ap.add_argument("--pad-body", type=int, default=0)
    ap.add_argument("--pause-after-handshake", type=float, default=0)
    if "--" in argv:
        i = argv.index("--")
        return ap.parse_args(argv[:i]), argv[i + 1:]
    return ap.parse_args(argv), []


A, PHONE_ARGS = own_args(sys.argv[1:])
if A.tls13_ciphers:
    # Must be in the environment before OpenSSL reads its configuration.
    conf = tempfile.NamedTemporaryFile("w", suffix=".cnf", delete=False)
    conf.write("openssl_conf = conf\n[conf]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n"
               "[sys]\nCiphersuites = %s\n" % A.tls13_ciphers)
    conf.close()
    os.environ["OPENSSL_CONF"] = conf.name

import ssl  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "dus"))
sys.path.insert(0, HERE)
import phone  # noqa: E402
from tls_server import tls_context  # noqa: E402

CTX = None
SESSION = None


class PieceWriter:
    """Sends each sendall() in fixed-size TLS records, corked so they share segments."""

    def __init__(self, sock, size):
        self.sock, self.size = sock, size

    def sendall(self, data):
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        for i in range(0, len(data), self.size):
            self.sock.sendall(data[i:i + self.size])
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)

    def __getattr__(self, name):
        return getattr(self.sock, name)


def connect(a, port, src_port, use_tls=False):
    global CTX, SESSION
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if src_port:
        s.bind(("0.0.0.0", src_port))
    s.settimeout(a.timeout)
    s.connect((a.server_ip, port))
    if not use_tls:
        return s
    if CTX is None:
        CTX = tls_context(False, A.tls_version, A.ciphers, A.option, a.keylog)
        CTX.check_hostname = False
        CTX.verify_mode = ssl.CERT_NONE  # the lab server's certificate is self-signed
    s = CTX.wrap_socket(s, server_hostname=a.host, session=SESSION)
    phone.log("TLS %s %s, resumed %s" % (s.version(), s.cipher()[0], s.session_reused))
    if s.session is not None:
        SESSION = s.session
    if A.pause_after_handshake:
        phone.log("handshake done")
        time.sleep(A.pause_after_handshake)
    return PieceWriter(s, A.write_pieces) if A.write_pieces else s


def padded_xml(orig):
    def checkin_xml(a):
        body = orig(a)
        if not A.pad_body:
            return body
        line = b" " * 62 + b"\r\n"
        pad = line * (A.pad_body // len(line))
        i = body.rindex(b"</Request>")
        return body[:i] + pad + body[i:]
    return checkin_xml


def main():
    phone.connect = connect
    phone.checkin_xml = padded_xml(phone.checkin_xml)
    args = list(PHONE_ARGS)
    base = 0
    if "--src-port" in args:
        base = int(args[args.index("--src-port") + 1])
    for i in range(A.connections):
        if i and base:
            args[args.index("--src-port") + 1] = str(base + 10 * i)
            time.sleep(0.2)
        phone.main(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
