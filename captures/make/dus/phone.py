#!/usr/bin/env python3
"""Act as a Communicator Phone Edition phone talking to a Device Update Service.

usage: phone.py --server-ip 10.99.2.90 [options]

One update cycle: POST the check-in XML (protocol/ucdevice-upx.md section 2) to the
handler, read the answer, then GET each offered CPE.nbt and the CPE.cat beside it
over one keep-alive plain-HTTP connection. Like a real phone it ignores an answer
that lacks ServerVersion or ServiceVersion, that is not 200, or that it cannot read,
and it stops at the first failed download. Prints what happened on stderr and
exits 0 whatever the server did (the captures are about the server's faults).

Host names in URLs are not resolved: every connection goes to --server-ip.
"""
import argparse, re, socket, ssl, sys, time

UA = "Microsoft UCPhone Device"
PATHS = {"internal": "/RequestHandler/ucdevice.upx", "external": "/RequestHandlerExt/ucdevice.upx",
         "legacy": "/UCDeviceUpdates/ucdevice.upx"}


def log(*a):
    print("phone:", *a, file=sys.stderr, flush=True)


def checkin_xml(a):
    stamp = a.timestamp or ("01-01-1601 00:00:00" if a.version in ("", "0.0.0.0") else "16-12-2008 04:43:58")
    return ('<?xml version="1.0" encoding="utf-8"?>\r\n'
            "<Request>\r\n"
            "  <DeviceType>%s</DeviceType>\r\n"
            "  <MacAddress>%s</MacAddress>\r\n"
            "  <SerialNumber>%s</SerialNumber>\r\n"
            "  <Vendor>%s</Vendor>\r\n"
            "  <Model>%s</Model>\r\n"
            "  <Revision>%s</Revision>\r\n"
            "  <Locale>%s</Locale>\r\n"
            "  <Files>\r\n"
            "    <File>\r\n"
            "      <FileName>cpe.nbt</FileName>\r\n"
            "      <Version>%s</Version>\r\n"
            "      <TimeStamp>%s</TimeStamp>\r\n"
            "    </File>\r\n"
            "  </Files>\r\n"
            "</Request>\r\n" % (a.device_type, a.mac, a.serial, a.vendor, a.model, a.revision,
                                a.locale, a.version, stamp)).encode("utf-8")


class Reader:
    """Reads HTTP/1.1 responses with Content-Length from one socket."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def response(self):
        """(status, headers dict, body, complete) or None when nothing came back."""
        try:
            while b"\r\n\r\n" not in self.buf:
                d = self.sock.recv(65536)
                if not d:
                    return None
                self.buf += d
            i = self.buf.index(b"\r\n\r\n")
            head, self.buf = self.buf[:i].decode("latin-1"), self.buf[i + 4:]
            lines = head.split("\r\n")
            status = int(lines[0].split(" ")[1])
            hdrs = {}
            for ln in lines[1:]:
                k, _, v = ln.partition(":")
                hdrs[k.strip().lower()] = v.strip()
            n = int(hdrs.get("content-length", "0"))
            while len(self.buf) < n:
                d = self.sock.recv(65536)
                if not d:
                    break
                self.buf += d
        except ConnectionResetError:
            log("connection reset after %d body bytes" % len(self.buf))
            body, self.buf = self.buf, b""
            return (status if "status" in locals() else 0, {}, body, False)
        body, self.buf = self.buf[:n], self.buf[n:]
        return (status, hdrs, body, len(body) == n)


def connect(a, port, src_port, use_tls=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if src_port:
        s.bind(("0.0.0.0", src_port))
    s.settimeout(a.timeout)
    s.connect((a.server_ip, port))
    if use_tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # the lab server's certificate is self-signed
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        if a.keylog:
            ctx.keylog_filename = a.keylog
        s = ctx.wrap_socket(s, server_hostname=a.host)
    return s


def request_target(url, raw):
    """The path of an offered URL; percent-encode what a sane client would, unless raw."""
    m = re.match(r"^[a-zA-Z]+://[^/]*(/.*)$", url)
    path = m.group(1) if m else url
    if raw:
        return path.encode("latin-1", "replace")
    out = bytearray()
    for b in path.encode("utf-8"):
        out += b"%%%02X" % b if b <= 0x20 or b >= 0x7F else bytes([b])
    return bytes(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server-ip", required=True)
    ap.add_argument("--host", default="ocs.demo.local", help="Host header")
    ap.add_argument("--port", type=int, default=80, help="check-in port")
    ap.add_argument("--tls", action="store_true", help="check in over TLS (use with --port 443)")
    ap.add_argument("--keylog", help="write the TLS key log (NSS format) here")
    ap.add_argument("--handler", choices=sorted(PATHS), default="internal")
    ap.add_argument("--device-type", default="UCPhone")
    ap.add_argument("--mac", default="0021630F207B")
    ap.add_argument("--serial", default="C185H001209")
    ap.add_argument("--vendor", default="LG-Nortel")
    ap.add_argument("--model", default="IP8540")
    ap.add_argument("--revision", default="A")
    ap.add_argument("--locale", default="ENU",
                    help="Python escapes allowed (\\x01): a broken language setting")
    ap.add_argument("--version", default="0.0.0.0", help="current CPE version; 0.0.0.0 = none")
    ap.add_argument("--timestamp", help="default 01-01-1601 00:00:00 for 0.0.0.0, else 16-12-2008 04:43:58")
    ap.add_argument("--unsupported", action="store_true", help="be a Microsoft DV1 (unsupported model)")
    ap.add_argument("--no-download", action="store_true", help="read the offer but fetch nothing")
    ap.add_argument("--bad-url", action="store_true",
                    help="send offered URLs byte for byte, spaces and control characters included")
    ap.add_argument("--src-port", type=int, default=0, help="check-in source port; downloads use +1")
    ap.add_argument("--gap", type=float, default=0.3, help="seconds between check-in and downloads")
    ap.add_argument("--timeout", type=float, default=10.0)
    a = ap.parse_args(argv)
    a.locale = a.locale.encode("latin-1").decode("unicode_escape")
    if a.unsupported:
        a.vendor, a.model = "Microsoft", "DV1"

    body = checkin_xml(a)
    head = ("POST %s HTTP/1.1\r\nContent-Type: text/xml\r\nUser-Agent: %s\r\nHost: %s\r\n"
            "Content-Length: %d\r\nConnection: Keep-Alive\r\nCache-Control: no-cache\r\n\r\n"
            % (PATHS[a.handler], UA, a.host, len(body))).encode("latin-1")
    try:
        s = connect(a, a.port, a.src_port, a.tls)
    except (OSError, socket.timeout) as e:
        log("check-in failed: %s" % e)
        return 0
    s.sendall(head + body)
    r = Reader(s).response()
    if a.tls:
        try:
            s = s.unwrap()  # send close_notify and wait for the server's, as WinInet does
        except (OSError, ssl.SSLError):
            pass
    s.close()
    if r is None:
        log("check-in: no answer")
        return 0
    status, _, rbody, complete = r
    log("check-in: HTTP %d, %d bytes" % (status, len(rbody)))
    text = rbody.decode("utf-8", "replace")
    if status != 200 or not complete:
        return 0
    if not text.rstrip().endswith("</Response>"):
        log("answer is not a complete Response document: ignored")
        return 0
    if "<ServerVersion>" not in text or "<ServiceVersion>" not in text:
        log("answer lacks ServerVersion or ServiceVersion: ignored")
        return 0
    urls = re.findall(r"<Url>([^<]*)</Url>", text)
    if not urls or a.no_download:
        log("nothing to download" if not urls else "offer of %d file(s) not fetched" % len(urls))
        return 0
    time.sleep(a.gap)
    d = connect(a, 80, a.src_port + 1 if a.src_port else 0)
    rd = Reader(d)
    for url in urls:
        for u in (url, re.sub(r"(?i)\.nbt$", ".cat", url)):
            target = request_target(u, a.bad_url)
            d.sendall(b"GET " + target + b" HTTP/1.1\r\nUser-Agent: " + UA.encode() + b"\r\nHost: "
                      + a.host.encode() + b"\r\nConnection: Keep-Alive\r\n\r\n")
            r = rd.response()
            if r is None:
                log("GET %r: connection closed, no answer" % target)
                d.close()
                return 0
            status, _, fbody, complete = r
            log("GET %r: HTTP %d, %d bytes%s" % (target, status, len(fbody), "" if complete else " (short)"))
            if status != 200 or not complete:
                d.close()
                return 0
    d.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
