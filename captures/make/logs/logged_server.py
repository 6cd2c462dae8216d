#!/usr/bin/env python3
"""dus_server.py with a request log, for captures that come with server logs.

usage: logged_server.py --request-log FILE [dus_server.py args]

Wraps ../dus/dus_server.py without editing it: the connection handler learns the
client's address, Service.handle is timed, and Service.decide tells what was
offered. Each answered request becomes one JSON line in FILE (wall-clock times,
client and server address, method, target, status, the IIS substatus and Win32
status the error page names, the check-in's fields and the offer). to_logs.py
turns that file into an IIS W3C log and a RequestHandlerAuditLog.
"""
import json, os, re, sys, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dus"))
import dus_server as ds  # noqa: E402

local = threading.local()
lock = threading.Lock()
out = None

# IIS error pages name the Win32 error behind the substatus as an HRESULT.
WIN32 = {"0x80070005": 5, "0x80070002": 2}

orig_serve_conn = ds.serve_conn
orig_decide = ds.Service.decide
orig_handle = ds.Service.handle


def serve_conn(sock, svc):
    try:
        local.client = sock.getpeername()[0]
        local.server, local.port = sock.getsockname()[:2]
    except OSError:
        local.client, local.server, local.port = None, None, None
    return orig_serve_conn(sock, svc)


def decide(self, req, external):
    offers = orig_decide(self, req, external)
    local.offers = offers
    return offers


def handle(self, method, target, headers, body):
    local.offers = None
    started = time.time()
    status, rh, rb, mode = orig_handle(self, method, target, headers, body)
    ended = time.time()
    page = rb.decode("latin-1") if status >= 400 else ""
    m = re.search(r"HTTP Error (\d{3})\.(\d+)", page)
    code = re.search(r"Error Code</th><td>(0x[0-9A-Fa-f]{8})", page)
    rec = {
        "start": started, "end": ended, "client": getattr(local, "client", None),
        "server": getattr(local, "server", None), "port": getattr(local, "port", None),
        "method": method, "target": target, "status": status,
        "substatus": int(m.group(2)) if m else 0,
        "win32": WIN32.get(code.group(1).lower(), 0) if code else 0,
        "userAgent": next((v for k, v in headers if k.lower() == "user-agent"), None),
    }
    if getattr(local, "offers", None) is not None:
        rec["checkIn"] = ds.parse_request_xml(body)
        rec["offers"] = local.offers
    with lock:
        out.write(json.dumps(rec) + "\n")
        out.flush()
    return status, rh, rb, mode


ds.serve_conn = serve_conn
ds.Service.decide = decide
ds.Service.handle = handle

if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "--request-log":
        sys.exit(__doc__)
    out = open(args[1], "a")
    ds.main(args[2:])
