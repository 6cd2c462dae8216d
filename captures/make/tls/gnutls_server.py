#!/usr/bin/env python3
"""The fake Device Update Service (../dus/dus_server.py) behind GnuTLS, for the suites
this machine's OpenSSL 3 no longer has (3DES, RC4): libgnutls through ctypes.

usage: gnutls_server.py --bind ADDR --cert PEM --key PEM --priority STRING [--port 443]

The HTTP side is dus_server's Service and serve_conn, unchanged. The connection is
closed with the server's close_notify (gnutls_bye) after the client's.
"""
import argparse, ctypes, json, os, socket, sys, threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dus"))
import dus_server as dus  # noqa: E402

G = ctypes.CDLL("libgnutls.so.30")
G.gnutls_record_recv.restype = ctypes.c_ssize_t
G.gnutls_record_recv.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
G.gnutls_record_send.restype = ctypes.c_ssize_t
G.gnutls_record_send.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
G.gnutls_strerror.restype = ctypes.c_char_p
for fn in ("gnutls_handshake", "gnutls_bye", "gnutls_deinit", "gnutls_credentials_set",
           "gnutls_priority_set_direct", "gnutls_transport_set_int2", "gnutls_init"):
    getattr(G, fn).argtypes = None
GNUTLS_SERVER, GNUTLS_CRD_CERTIFICATE, GNUTLS_X509_FMT_PEM, GNUTLS_SHUT_WR = 1, 1, 1, 1
E_AGAIN, E_INTERRUPTED = -28, -52


def check(ret, what):
    if ret < 0:
        raise OSError("%s: %s" % (what, G.gnutls_strerror(ret).decode()))
    return ret


class GnutlsSocket:
    """Enough of a socket for dus_server.serve_conn: recv, sendall, close."""

    def __init__(self, sock, cred, priority):
        self.sock = sock
        self.s = ctypes.c_void_p()
        check(G.gnutls_init(ctypes.byref(self.s), GNUTLS_SERVER), "init")
        check(G.gnutls_priority_set_direct(self.s, priority.encode(), None), "priority")
        check(G.gnutls_credentials_set(self.s, GNUTLS_CRD_CERTIFICATE, cred), "credentials")
        G.gnutls_transport_set_int2(self.s, sock.fileno(), sock.fileno())
        while True:
            r = G.gnutls_handshake(self.s)
            if r not in (E_AGAIN, E_INTERRUPTED):
                break
        check(r, "handshake")

    def recv(self, n):
        buf = ctypes.create_string_buffer(n)
        r = G.gnutls_record_recv(self.s, buf, n)
        if r <= 0:
            return b""  # close_notify (0) or an error: the connection is over
        return buf.raw[:r]

    def sendall(self, data):
        off = 0
        while off < len(data):
            chunk = data[off:off + 16384]
            off += check(G.gnutls_record_send(self.s, chunk, len(chunk)), "send")

    def close(self):
        G.gnutls_bye(self.s, GNUTLS_SHUT_WR)
        G.gnutls_deinit(self.s)
        self.sock.close()

    def __getattr__(self, name):
        return getattr(self.sock, name)


def serve(s, cred, priority, svc):
    try:
        g = GnutlsSocket(s, cred, priority)
    except OSError as e:
        print("gnutls_server: %s" % e, file=sys.stderr, flush=True)
        s.close()
        return
    dus.serve_conn(g, svc)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bind", default="0.0.0.0")
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--priority", required=True, help="GnuTLS priority string")
    ap.add_argument("--inventory", default=os.path.join(os.path.dirname(dus.__file__), "inventory.json"))
    a = ap.parse_args(argv)
    svc = dus.Service(json.load(open(a.inventory)), None, False, None)
    check(G.gnutls_global_init(), "global_init")
    cred = ctypes.c_void_p()
    check(G.gnutls_certificate_allocate_credentials(ctypes.byref(cred)), "credentials")
    check(G.gnutls_certificate_set_x509_key_file(cred, a.cert.encode(), a.key.encode(), GNUTLS_X509_FMT_PEM),
          "key file")
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.bind, a.port))
    ls.listen(16)
    print("listening on %s:%d" % (a.bind, a.port), file=sys.stderr, flush=True)
    while True:
        s, _ = ls.accept()
        threading.Thread(target=serve, args=(s, cred, a.priority, svc), daemon=True).start()


if __name__ == "__main__":
    main()
