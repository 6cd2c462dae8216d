#!/usr/bin/env python3
"""A fake OCS 2007 R2 Device Update Service, for making test captures.

usage: dus_server.py --bind ADDR [--port 80] [--inventory FILE] [--fault NAME]
                     [--provision-first] [--date-file FILE]
                     [--tls-cert PEM --tls-key PEM]

Raw sockets, HTTP/1.1 keep-alive, Content-Length bodies; every byte it writes is
chosen here (fixed Date, IIS-like headers, deterministic file contents), so the
captures come out the same on every run apart from TCP ports and timing.

Service URLs (POST, path case-insensitive, as IIS):
  /RequestHandler/ucdevice.upx      internal handler: file URLs under DeviceUpdateFiles_Int
  /RequestHandlerExt/ucdevice.upx   external handler: file URLs under DeviceUpdateFiles_Ext
  /UCDeviceUpdates/ucdevice.upx     the legacy path of firmware 1.0.452.x, served as if the
                                    redirecting virtual directory existed (see legacy-404)
Firmware tree (GET/HEAD) under /DeviceUpdateFiles_Int/ and /DeviceUpdateFiles_Ext/:
  UCPhone/<Vendor>/<Model>/<Revision>/<Locale>/<Version>/CPE/CPE.nbt and CPE.cat
      for each update in the inventory
  OCInterim/<Locale>/CPE.nbt and CPE.cat   the interim build 1.0.522.103, any locale
CPE.nbt is 64 KiB, CPE.cat a few hundred bytes; both depend only on the path.

The answer to a check-in follows the rules of protocol/ucdevice-upx.md section 5.
A request line that is not "METHOD SP target SP version" with a printable target
gets HTTP.sys's "400 Bad Request - Invalid URL" and the connection is closed, as
Windows does before IIS ever sees the request.

--fault makes the server misbehave in exactly one way (see FAULTS below).
"""
import argparse, hashlib, json, os, re, socket, ssl, struct, sys, threading, time

INTERIM_VERSION = "1.0.522.103"
INTERIM_BELOW = (1, 0, 522, 98)
FILE_STAMP = "16-12-2008 04:43:58"
LAST_MODIFIED = "Tue, 16 Dec 2008 04:43:58 GMT"
DEFAULT_DATE = "Fri, 06 Mar 2009 17:10:39 GMT"
NBT_SIZE = 64 * 1024
MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024

FAULTS = {
    "no-server-version": "check-in answers lack <ServerVersion>",
    "no-service-version": "check-in answers lack <ServiceVersion>",
    "other-locale": "offer the newest update of another locale when the phone's has none",
    "not-xml": "check-in answers are an HTML page sent as text/xml",
    "truncated-xml": "check-in answers stop in the middle of the XML (Content-Length matches)",
    "skip-interim": "offer the newest approved build to a phone that needs the interim one",
    "interim-404": "404 on every GET under OCInterim/ (its virtual directory is missing)",
    "acl-500-19": "500.19 (config unreadable, 0x80070005) on every firmware GET",
    "ssl-403-4": "403.4 (SSL required) on every firmware GET over plain HTTP",
    "file-404": "404 on every firmware GET under UCPhone/ (the version folder is missing)",
    "firmware-401": "401.3 (ACL denies access) on every firmware GET",
    "firmware-403": "403 (access denied) on every firmware GET",
    "legacy-404": "404 on /UCDeviceUpdates/ucdevice.upx (no virtual directory)",
    "short-body": "firmware answers announce the full Content-Length, send less, then close",
    "reset": "firmware answers send part of the body, then reset the connection",
    "handler-503": "503 Service Unavailable on the ucdevice.upx handlers",
}

REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error", 503: "Service Unavailable"}


def vtuple(v):
    """A version as a tuple of ints; empty or unparsable counts as 0.0.0.0."""
    try:
        return tuple(int(p) for p in v.strip().split("."))
    except ValueError:
        return (0, 0, 0, 0)


def norm_mac(m):
    return re.sub(r"[^0-9a-f]", "", (m or "").lower())


# --- deterministic file contents --------------------------------------------

def nbt_bytes(label):
    """64 KiB: a readable first line naming the image, then a SHA-256 counter stream."""
    head = ("UPXRAY FAKE CPE IMAGE %s\r\n" % label).encode()
    out, i = bytearray(head), 0
    seed = hashlib.sha256(label.encode()).digest()
    while len(out) < NBT_SIZE:
        out += hashlib.sha256(seed + struct.pack(">I", i)).digest()
        i += 1
    return bytes(out[:NBT_SIZE])


def cat_bytes(label):
    """A short text catalog that names its image and the image's SHA-256."""
    digest = hashlib.sha256(nbt_bytes(label)).hexdigest()
    return ("UPXRAY FAKE CATALOG\r\nimage=%s\r\nfile=CPE.nbt\r\nsize=%d\r\nsha256=%s\r\n"
            "note=not a real signed catalog; made by captures/make/dus/dus_server.py\r\n"
            % (label, NBT_SIZE, digest)).encode()


# --- IIS / HTTP.sys pages ----------------------------------------------------

def iis_detailed(status, sub, title, summary, rows, app="DEFAULT WEB SITE/DEVICEUPDATEFILES_INT"):
    """An IIS 7 style detailed error page: the status and substatus appear in the
    <title> and in the 'HTTP Error N.S - Reason' heading, as IIS 7 writes them."""
    code = "%d.%d" % (status, sub)
    reason = REASONS[status]
    trs = "\n".join('    <tr><th>%s</th><td>%s</td></tr>' % kv for kv in rows)
    return ("""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
<title>IIS 7.0 Detailed Error - %(code)s - %(reason)s</title>
</head>
<body>
<div id="header"><h1>Server Error in Application "%(app)s"</h1></div>
<div id="server_version"><p>Internet Information Services 7.0</p></div>
<div id="content">
<div class="content-container">
 <fieldset><legend>Error Summary</legend>
  <h2>HTTP Error %(code)s - %(reason)s</h2>
  <h3>%(summary)s</h3>
 </fieldset>
</div>
<div class="content-container">
 <fieldset><legend>Detailed Error Information</legend>
  <table border="0" cellpadding="0" cellspacing="0">
%(trs)s
  </table>
 </fieldset>
</div>
</div>
</body>
</html>
""" % dict(code=code, reason=reason, app=app, summary=summary, trs=trs)).encode("latin-1")


def page_500_19(url):
    return iis_detailed(500, 19, "Internal Server Error",
        "The requested page cannot be accessed because the related configuration data for the page is invalid.",
        [("Module", "IIS Web Core"), ("Notification", "Unknown"), ("Handler", "Not yet determined"),
         ("Error Code", "0x80070005"),
         ("Config Error", "Cannot read configuration file due to insufficient permissions"),
         ("Config File", "\\\\?\\UNC\\fs01.demo.local\\UpdatesShare\\DeviceUpdateFiles\\web.config"),
         ("Requested URL", url), ("Physical Path", ""), ("Logon Method", "Not yet determined"),
         ("Logon User", "Not yet determined")])


def page_403_4(url):
    return iis_detailed(403, 4, "Forbidden",
        "The page you are trying to access is secured with Secure Sockets Layer (SSL).",
        [("Module", "IIS Web Core"), ("Notification", "BeginRequest"), ("Handler", "StaticFile"),
         ("Error Code", "0x80070005"), ("Requested URL", url), ("Logon Method", "Not yet determined"),
         ("Logon User", "Not yet determined")])


def page_404_0(url):
    return iis_detailed(404, 0, "Not Found",
        "The resource you are looking for has been removed, had its name changed, or is temporarily unavailable.",
        [("Module", "IIS Web Core"), ("Notification", "MapRequestHandler"), ("Handler", "StaticFile"),
         ("Error Code", "0x80070002"), ("Requested URL", url), ("Logon Method", "Anonymous"),
         ("Logon User", "Anonymous")], app="DEFAULT WEB SITE")


def page_401_3(url):
    return iis_detailed(401, 3, "Unauthorized",
        "You do not have permission to view this directory or page because of the access control list (ACL) configuration or encryption settings for this resource on the Web server.",
        [("Module", "IIS Web Core"), ("Notification", "AuthenticateRequest"), ("Handler", "StaticFile"),
         ("Error Code", "0x80070005"), ("Requested URL", url), ("Logon Method", "Anonymous"),
         ("Logon User", "Anonymous")])


def page_403_plain():
    return (b"<html><head><title>403 - Forbidden: Access is denied.</title></head>\r\n"
            b"<body><h2>403 - Forbidden: Access is denied.</h2>\r\n"
            b"<h3>You do not have permission to view this directory or page using the credentials that you supplied.</h3>\r\n"
            b"</body></html>\r\n")


def httpsys_page(title, line):
    return ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n'
            '<HTML><HEAD><TITLE>%s</TITLE>\r\n'
            '<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n'
            '<BODY><h2>%s</h2>\r\n<hr><p>%s</p>\r\n</BODY></HTML>\r\n'
            % (title.split(" - ")[0], title, line)).encode("ascii")


# --- the service -------------------------------------------------------------

class Service:
    def __init__(self, inventory, fault, provision_first, date_file):
        self.inv, self.fault = inventory, fault
        self.provision_first, self.date_file = provision_first, date_file
        self.provisioned = set()
        self.lock = threading.Lock()
        self.server = inventory.get("server", "ocs.demo.local")
        self.ext_server = inventory.get("externalServer", "ext.demo.local")

    def date(self):
        if self.date_file and os.path.exists(self.date_file):
            return open(self.date_file).read().strip()
        return DEFAULT_DATE

    def is_test_device(self, req):
        mac, serial = norm_mac(req.get("macaddress")), (req.get("serialnumber") or "").lower()
        for d in self.inv.get("testDevices", []):
            if d.get("mac") and norm_mac(d["mac"]) == mac:
                return True
            if d.get("serial") and d["serial"].lower() == serial:
                return True
        return False

    def newest(self, req, states, other_locale=False):
        best = None
        for u in self.inv.get("updates", []):
            same = all((u.get(k) or "").lower() == (req.get(k.lower()) or "").lower()
                       for k in ("deviceType", "vendor", "model", "revision"))
            loc_ok = (u["locale"].lower() != (req.get("locale") or "").lower()) if other_locale \
                else (u["locale"].lower() == (req.get("locale") or "").lower())
            if same and loc_ok and u.get("state", "approved") in states:
                if best is None or vtuple(u["version"]) > vtuple(best["version"]):
                    best = u
        return best

    def decide(self, req, external):
        """The files to offer: a list of (url, version, timestamp)."""
        files_root = "http://%s/DeviceUpdateFiles_%s" % (self.server, "Ext" if external else "Int")
        cur = vtuple(req.get("version") or "")
        if cur in ((), (0, 0, 0, 0)) and self.provision_first:
            key = norm_mac(req.get("macaddress"))
            with self.lock:
                if key not in self.provisioned:
                    self.provisioned.add(key)  # in-band provisioning: nothing this time
                    return []
        if cur < INTERIM_BELOW and self.fault != "skip-interim":
            return [("%s/OCInterim/%s/CPE.nbt" % (files_root, req.get("locale", "")),
                     INTERIM_VERSION, FILE_STAMP)]
        states = ("approved", "pending") if self.is_test_device(req) else ("approved",)
        u = self.newest(req, states)
        if u is None and self.fault == "other-locale":
            u = self.newest(req, states, other_locale=True)
        if u is None or vtuple(u["version"]) <= cur:
            return []
        url = "%s/%s/%s/%s/%s/%s/%s/CPE/CPE.nbt" % (files_root, u["deviceType"], u["vendor"],
              u["model"], u["revision"], u["locale"], u["version"])
        return [(url, u["version"], FILE_STAMP)]

    def response_xml(self, offers):
        lines = ['<?xml version="1.0" encoding="utf-8"?>', "<Response>"]
        if self.fault != "no-server-version":
            lines.append("  <ServerVersion>%s</ServerVersion>" % self.inv.get("serverVersion", "3.5.6907.0"))
        if self.fault != "no-service-version":
            lines.append("  <ServiceVersion>%s</ServiceVersion>" % self.inv.get("serviceVersion", "3.5.6907.0"))
        lines.append("  <UpdatesServerInternalUrl>https://%s/RequestHandler/ucdevice.upx</UpdatesServerInternalUrl>" % self.server)
        lines.append("  <UpdatesServerExternalUrl>https://%s/RequestHandlerExt/ucdevice.upx</UpdatesServerExternalUrl>" % self.ext_server)
        lines.append("  <Downloads>%d</Downloads>" % len(offers))
        if offers:
            lines.append("  <Files>")
            for url, ver, stamp in offers:
                lines += ["    <File>", "      <FileName>CPE.nbt</FileName>",
                          "      <Version>%s</Version>" % ver, "      <TimeStamp>%s</TimeStamp>" % stamp,
                          "      <Url>%s</Url>" % url, "    </File>"]
            lines.append("  </Files>")
        lines.append("</Response>")
        body = ("\r\n".join(lines) + "\r\n").encode("utf-8")
        if self.fault == "truncated-xml":
            # Cut inside the internal URL: the answer ends before Downloads.
            body = body[: body.index(b"<UpdatesServerInternalUrl>") + 50]
        elif self.fault == "not-xml":
            body = (b"<html><head><title>Runtime Error</title></head><body>\r\n"
                    b"<h1>Server Error in '/RequestHandler' Application.</h1>\r\n"
                    b"<h2><i>Runtime Error</i></h2></body></html>\r\n")
        return body

    # -- HTTP level --

    def handle(self, method, target, headers, body):
        """Returns (status, headers, body, mode); mode is None, 'close', 'short' or 'reset'."""
        path = target.split("?", 1)[0]
        low = path.lower()
        iis = [("Server", "Microsoft-IIS/7.0"), ("X-Powered-By", "ASP.NET")]
        handlers = {"/requesthandler/ucdevice.upx": False, "/requesthandlerext/ucdevice.upx": True,
                    "/ucdeviceupdates/ucdevice.upx": False}
        if low in handlers:
            if low.startswith("/ucdeviceupdates/") and self.fault == "legacy-404":
                return self.error(404, page_404_0("http://%s:80%s" % (self.server, path)), iis)
            if self.fault == "handler-503":
                return (503, [("Content-Type", "text/html; charset=us-ascii"),
                              ("Server", "Microsoft-HTTPAPI/2.0")],
                        httpsys_page("Service Unavailable", "HTTP Error 503. The service is unavailable."), None)
            if method != "POST":
                return self.error(405, b"", iis)
            req = parse_request_xml(body)
            offers = self.decide(req, handlers[low])
            return (200, [("Cache-Control", "private"), ("Content-Type", "text/xml; charset=utf-8")] + iis
                    + [("X-AspNet-Version", "2.0.50727")], self.response_xml(offers), None)
        m = re.match(r"^/deviceupdatefiles_(int|ext)/(.*)$", low)
        if m and method in ("GET", "HEAD"):
            url = "http://%s:80%s" % (self.server, path)
            rest = path[len("/DeviceUpdateFiles_Int/"):]
            f = self.fault
            if f == "acl-500-19":
                return self.error(500, page_500_19(url), iis)
            if f == "ssl-403-4":
                return self.error(403, page_403_4(url), iis)
            if f == "firmware-401":
                return self.error(401, page_401_3(url), iis + [("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "NTLM")])
            if f == "firmware-403":
                return self.error(403, page_403_plain(), iis)
            if f == "interim-404" and rest.lower().startswith("ocinterim/"):
                return self.error(404, page_404_0(url), iis)
            if f == "file-404" and rest.lower().startswith("ucphone/"):
                return self.error(404, page_404_0(url), iis)
            content = self.file_content(rest)
            if content is None:
                return self.error(404, page_404_0(url), iis)
            ctype = "application/vnd.ms-pki.seccat" if low.endswith(".cat") else "application/octet-stream"
            etag = '"%s:0"' % hashlib.sha1(content).hexdigest()[:16]
            hdrs = [("Content-Type", ctype), ("Last-Modified", LAST_MODIFIED), ("Accept-Ranges", "bytes"),
                    ("ETag", etag)] + iis
            mode = None
            if f in ("short-body", "reset") and low.endswith(".nbt"):
                mode = "short" if f == "short-body" else "reset"
            return (200, hdrs, content, mode)
        return self.error(404, page_404_0("http://%s:80%s" % (self.server, path)), iis)

    def error(self, status, page, iis):
        return (status, [("Content-Type", "text/html")] + iis, page, None)

    def file_content(self, rest):
        parts = rest.split("/")
        low = [p.lower() for p in parts]
        if len(parts) == 3 and low[0] == "ocinterim" and low[2] in ("cpe.nbt", "cpe.cat"):
            label = "%s interim %s" % (INTERIM_VERSION, parts[1].upper())
            return nbt_bytes(label) if low[2] == "cpe.nbt" else cat_bytes(label)
        if len(parts) == 8 and low[6] == "cpe" and low[7] in ("cpe.nbt", "cpe.cat"):
            for u in self.inv.get("updates", []):
                want = [u["deviceType"], u["vendor"], u["model"], u["revision"], u["locale"], u["version"]]
                if [w.lower() for w in want] == low[:6]:
                    label = "%s %s %s %s %s" % (u["version"], u["vendor"], u["model"], u["revision"], u["locale"])
                    return nbt_bytes(label) if low[7] == "cpe.nbt" else cat_bytes(label)
        return None


def parse_request_xml(body):
    """Just enough to read our own phone's check-in: element name -> text, lower-case."""
    text = body.decode("utf-8", "replace")
    out = {}
    for name, value in re.findall(r"<([A-Za-z]+)>([^<]*)</\1>", text):
        out.setdefault(name.lower(), value.strip())
    return out


# --- connection handling ------------------------------------------------------

class Conn:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def read_until(self, mark, limit):
        while mark not in self.buf:
            if len(self.buf) > limit:
                return None
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buf += data
        i = self.buf.index(mark) + len(mark)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def read_exact(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def valid_request_line(line):
    parts = line.split(b" ")
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
        return False
    return all(0x21 <= b <= 0x7E for b in parts[1])


def serve_conn(sock, svc):
    conn = Conn(sock)
    try:
        while True:
            head = conn.read_until(b"\r\n\r\n", MAX_HEAD)
            if head is None:
                return
            lines = head[:-4].split(b"\r\n")
            if not valid_request_line(lines[0]):
                # HTTP.sys rejects the request before IIS: 400, then it closes.
                page = httpsys_page("Bad Request - Invalid URL", "HTTP Error 400. The request URL is invalid.")
                send(sock, 400, [("Content-Type", "text/html; charset=us-ascii"),
                                 ("Server", "Microsoft-HTTPAPI/2.0")], page, svc.date(), close=True)
                return
            method, target, version = lines[0].decode("ascii").split(" ")
            headers = []
            for ln in lines[1:]:
                k, _, v = ln.decode("latin-1").partition(":")
                headers.append((k.strip(), v.strip()))
            hmap = {k.lower(): v for k, v in headers}
            n = int(hmap.get("content-length", "0") or 0)
            body = conn.read_exact(min(n, MAX_BODY)) if n else b""
            if body is None:
                return
            status, rh, rb, mode = svc.handle(method, target, headers, body)
            close = hmap.get("connection", "").lower() == "close" or version == "HTTP/1.0"
            if mode == "short":
                send(sock, status, rh, rb[: len(rb) * 3 // 8], svc.date(), length=len(rb))
                time.sleep(0.2)
                sock.shutdown(socket.SHUT_WR)
                return
            if mode == "reset":
                send(sock, status, rh, rb[: len(rb) * 3 // 8], svc.date(), length=len(rb))
                time.sleep(0.3)  # let those bytes reach the phone before the reset
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            send(sock, status, rh, b"" if method == "HEAD" else rb, svc.date(), close=close, length=len(rb))
            if close:
                return
    except (ConnectionError, OSError):
        return
    finally:
        try:
            sock.close()
        except OSError:
            pass


def send(sock, status, headers, body, date, close=False, length=None):
    reason = REASONS.get(status, "Error")
    out = ["HTTP/1.1 %d %s" % (status, reason)]
    out += ["%s: %s" % kv for kv in headers]
    out.append("Date: %s" % date)
    if close:
        out.append("Connection: close")
    out.append("Content-Length: %d" % (len(body) if length is None else length))
    sock.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bind", default="0.0.0.0")
    ap.add_argument("--port", type=int, default=80)
    ap.add_argument("--inventory", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "inventory.json"))
    ap.add_argument("--fault", choices=sorted(FAULTS))
    ap.add_argument("--provision-first", action="store_true",
                    help="a phone's first check-in with no version gets Downloads 0 (in-band provisioning)")
    ap.add_argument("--date-file", help="read the Date header from this file for each answer")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--list-faults", action="store_true")
    a = ap.parse_args(argv)
    if a.list_faults:
        for k in sorted(FAULTS):
            print("%-20s %s" % (k, FAULTS[k]))
        return
    svc = Service(json.load(open(a.inventory)), a.fault, a.provision_first, a.date_file)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.bind, a.port))
    ls.listen(16)
    ctx = None
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # a TLS 1.2 handshake, readable up to the keys
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
    print("listening on %s:%d" % (a.bind, a.port), file=sys.stderr, flush=True)
    while True:
        s, _ = ls.accept()
        if ctx is not None:
            try:
                s = ctx.wrap_socket(s, server_side=True)
            except (ssl.SSLError, OSError):
                s.close()
                continue
        threading.Thread(target=serve_conn, args=(s, svc), daemon=True).start()


if __name__ == "__main__":
    main()
