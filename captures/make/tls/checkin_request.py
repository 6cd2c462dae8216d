#!/usr/bin/env python3
"""Print the phone's check-in request (head and body) on stdout, byte for byte as
../dus/phone.py sends it, for clients other than phone.py (openssl s_client, GnuTLS).

usage: checkin_request.py [phone.py args, e.g. --version 3.5.6907.0]
"""
import os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dus"))
import phone  # noqa: E402


def request(argv):
    captured = {}

    class Grab:
        def sendall(self, data):
            captured["data"] = data

        def recv(self, n):
            return b""

        def close(self):
            pass

    phone.connect = lambda *a, **k: Grab()
    phone.main(["--server-ip", "0.0.0.0"] + argv)
    return captured["data"]


if __name__ == "__main__":
    sys.stdout.buffer.write(request(sys.argv[1:]))
