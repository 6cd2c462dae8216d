#!/usr/bin/env python3
"""Rewrite a real Ethernet pcap into a link type no Linux tool writes.

usage: relink.py IN.pcap OUT.pcap null|loop

Each frame's 14-byte Ethernet header is replaced by the 4-byte address-family
header of the target link type; the IP packet after it is kept byte for byte,
and so are the timestamps. Frames that are neither IPv4 nor IPv6 are dropped.
  null: LINKTYPE_NULL (0), family in the writer's byte order (little-endian here,
        as on an x86 BSD host): 2 = IPv4, 24 = IPv6 (NetBSD/OpenBSD value).
  loop: LINKTYPE_LOOP (108, OpenBSD loopback), family big-endian: 2 = IPv4, 24 = IPv6.
"""
import struct, sys

KINDS = {"null": (0, "<I"), "loop": (108, ">I")}
FAMILY = {0x0800: 2, 0x86DD: 24}


def main(src, dst, kind):
    linktype, fmt = KINDS[kind]
    data = open(src, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit(f"{src}: not a classic pcap file")
    vmaj, vmin, _, _, snap, lt = struct.unpack(e + "HHiIII", data[4:24])
    if lt != 1:
        raise SystemExit(f"{src}: link type {lt}, want Ethernet (1)")
    out = bytearray(magic + struct.pack(e + "HHiIII", vmaj, vmin, 0, 0, snap, linktype))
    pos, kept, dropped = 24, 0, 0
    while pos + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[pos:pos + 16])
        frame = data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        ethertype = struct.unpack(">H", frame[12:14])[0] if len(frame) >= 14 else None
        if ethertype not in FAMILY:
            dropped += 1
            continue
        payload = struct.pack(fmt, FAMILY[ethertype]) + frame[14:]
        out += struct.pack(e + "IIII", sec, frac, len(payload), orig - 10) + payload
        kept += 1
    open(dst, "wb").write(out)
    print(f"{dst}: {kept} frames as {kind}, {dropped} dropped", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:4])
