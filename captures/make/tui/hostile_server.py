#!/usr/bin/env python3
"""dus_server.py with one more fault, for tui-hostile.pcap: its answers carry
terminal escape sequences where a naive viewer would print them raw.

usage: hostile_server.py [dus_server.py options]

Every answer gets an X-Upx-Note header holding an OSC 52 clipboard write, a CSI
clear-screen and a C1 CSI (0x9b); check-in answers also get an extra <Note>
element (kept by upxray as an unknown field) with an OSC window title, a bidi
override (U+202E) and an alternate-screen switch, and their internal URL ends
with a cursor-home sequence. Nothing else differs from the plain service.
"""
import os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dus"))
import dus_server  # noqa: E402

HEADER = "\x1b]52;c;cHduZWQ=\x07\x1b[2J\x9b31m"
NOTE = "\x1b]0;owned\x07\u202etxt.exe\x1b[?1049h"


class HostileService(dus_server.Service):
    def response_xml(self, offers):
        body = super().response_xml(offers).decode("utf-8")
        body = body.replace("/RequestHandler/ucdevice.upx</UpdatesServerInternalUrl>",
                            "/RequestHandler/ucdevice.upx\x1b[H</UpdatesServerInternalUrl>")
        body = body.replace("</Response>", "  <Note>%s</Note>\r\n</Response>" % NOTE)
        return body.encode("utf-8")

    def handle(self, method, target, headers, body):
        status, hdrs, rbody, mode = super().handle(method, target, headers, body)
        return status, hdrs + [("X-Upx-Note", HEADER)], rbody, mode


dus_server.Service = HostileService
if __name__ == "__main__":
    dus_server.main()
