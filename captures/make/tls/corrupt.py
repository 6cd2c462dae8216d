#!/usr/bin/env python3
"""Flip one byte of a TCP payload in a classic pcap (Ethernet, IPv4), and fix the TCP
checksum so that only the TLS layer can notice: a record damaged above TCP.

usage: corrupt.py IN OUT FRAME PAYLOAD-OFFSET
"""
import struct, sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main(src, dst, frame, offset):
    buf = bytearray(open(src, "rb").read())
    endian = "<" if buf[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    pos, n = 24, 0
    while pos < len(buf):
        incl = struct.unpack(endian + "I", buf[pos + 8:pos + 12])[0]
        n += 1
        if n == frame:
            pkt = pos + 16
            ip = pkt + 14
            ihl = (buf[ip] & 0x0F) * 4
            total = struct.unpack("!H", buf[ip + 2:ip + 4])[0]
            tcp = ip + ihl
            thl = (buf[tcp + 12] >> 4) * 4
            payload = tcp + thl
            if offset >= total - ihl - thl:
                sys.exit("corrupt.py: frame %d has no payload byte %d" % (frame, offset))
            buf[payload + offset] ^= 0xFF
            buf[tcp + 16:tcp + 18] = b"\0\0"
            pseudo = bytes(buf[ip + 12:ip + 20]) + struct.pack("!BBH", 0, 6, total - ihl)
            buf[tcp + 16:tcp + 18] = struct.pack("!H", checksum(pseudo + bytes(buf[tcp:ip + total])))
            open(dst, "wb").write(buf)
            return
        pos += 16 + incl
    sys.exit("corrupt.py: no frame %d" % frame)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
