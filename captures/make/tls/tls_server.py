#!/usr/bin/env python3
"""The fake Device Update Service (../dus/dus_server.py) behind a chosen TLS setup.

usage: tls_server.py --bind ADDR --cert PEM --key PEM [--port 443] [--plain-port 80]
                     [--tls 1.0|1.1|1.2|1.3] [--ciphers OPENSSL-LIST] [--option NAME]...
                     [--provision-first] [--date-file FILE] [--keylog FILE]

The HTTP side is dus_server's own Service and serve_conn, unchanged; only the socket
under it is Python's ssl (OpenSSL). --plain-port also serves plain HTTP (the firmware
downloads of the demo). Unlike dus_server's --tls-cert, a connection is closed
with the server's own close_notify after the client's, as IIS does.

Options (--option, repeatable) are OpenSSL SSL_OP_* bits that Python names only
in part:
  no-ems               SSL_OP_NO_EXTENDED_MASTER_SECRET: no RFC 7627 extension
  no-etm               SSL_OP_NO_ENCRYPT_THEN_MAC: MAC-then-encrypt CBC records
  no-ticket            SSL_OP_NO_TICKET: resumption by session ID only
  no-empty-fragments   SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS: plain chained CBC IVs in
                       TLS 1.0 (Python clears it by default, against BEAST)
  no-renegotiation     SSL_OP_NO_RENEGOTIATION: refuse a renegotiation with a
                       no_renegotiation warning alert
"""
import argparse, os, socket, ssl, sys, threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dus"))
import dus_server as dus  # noqa: E402

VERSIONS = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
            "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
OPTIONS = {"no-ems": 1 << 0, "no-etm": 1 << 19, "no-ticket": ssl.OP_NO_TICKET,
           "no-empty-fragments": 1 << 11, "no-renegotiation": ssl.OP_NO_RENEGOTIATION}


def tls_context(server, version, ciphers, options, keylog=None):
    """A context pinned to one TLS version, with the given cipher list and options."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    if version:
        # Set the floor first: Debian's default config has MinProtocol TLSv1.2.
        ctx.minimum_version = VERSIONS[version]
        ctx.maximum_version = VERSIONS[version]
    if ciphers:
        ctx.set_ciphers(ciphers)
    for name in options:
        ctx.options |= OPTIONS[name]
    if keylog:
        ctx.keylog_filename = keylog
    return ctx


class ClosingTls:
    """An SSLSocket whose close() first answers the peer's close_notify with ours."""

    def __init__(self, sock):
        self.sock = sock

    def close(self):
        try:
            self.sock.unwrap()
        except (OSError, ValueError, ssl.SSLError):
            pass
        self.sock.close()

    def __getattr__(self, name):
        return getattr(self.sock, name)


def serve_tls(s, ctx, svc):
    try:
        s = ctx.wrap_socket(s, server_side=True)
    except (ssl.SSLError, OSError) as e:
        print("tls_server: handshake failed: %s" % e, file=sys.stderr, flush=True)
        s.close()
        return
    dus.serve_conn(ClosingTls(s), svc)


def listen(addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(16)
    return ls


def accept_loop(ls, handler):
    while True:
        s, _ = ls.accept()
        threading.Thread(target=handler, args=(s,), daemon=True).start()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bind", default="0.0.0.0")
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--plain-port", type=int, help="also serve plain HTTP on this port")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--tls", choices=sorted(VERSIONS), help="the only TLS version accepted")
    ap.add_argument("--ciphers", help="OpenSSL cipher list for TLS 1.0-1.2")
    ap.add_argument("--option", action="append", default=[], choices=sorted(OPTIONS))
    ap.add_argument("--inventory", default=os.path.join(os.path.dirname(dus.__file__), "inventory.json"))
    ap.add_argument("--fault", choices=sorted(dus.FAULTS))
    ap.add_argument("--provision-first", action="store_true")
    ap.add_argument("--date-file")
    ap.add_argument("--keylog", help="server-side key log (NSS format)")
    a = ap.parse_args(argv)
    import json
    svc = dus.Service(json.load(open(a.inventory)), a.fault, a.provision_first, a.date_file)
    ctx = tls_context(True, a.tls, a.ciphers, a.option, a.keylog)
    ctx.load_cert_chain(a.cert, a.key)
    # Python leaves OpenSSL without DH parameters, so DHE suites would fail.
    ctx.load_dh_params(os.path.join(os.path.dirname(os.path.abspath(__file__)), "keys", "dhparams.pem"))
    tls_ls = listen(a.bind, a.port)
    if a.plain_port:
        plain_ls = listen(a.bind, a.plain_port)
        threading.Thread(target=accept_loop, args=(plain_ls, lambda s: dus.serve_conn(s, svc)),
                         daemon=True).start()
    print("listening on %s:%d" % (a.bind, a.port), file=sys.stderr, flush=True)
    accept_loop(tls_ls, lambda s: serve_tls(s, ctx, svc))


if __name__ == "__main__":
    main()
