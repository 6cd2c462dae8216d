#!/usr/bin/env python3
"""A wire between two tun devices in two network namespaces.

usage (as root, inside the first namespace):
  ip netns exec NS_A python3 tunwire.py IF_A NS_B IF_B

Creates tun device IF_A here and IF_B in namespace NS_B (no packet-info header,
so each read is one bare IP packet), prints "ready", then copies every packet
read from one device into the other until killed. The kernels' TCP stacks on
both sides do the talking; a capture on either device has link type RAW.
"""
import ctypes, fcntl, os, select, struct, sys

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
CLONE_NEWNET = 0x40000000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main(if_a, ns_b, if_b):
    a = open_tun(if_a)
    libc = ctypes.CDLL(None, use_errno=True)
    nsfd = os.open(f"/run/netns/{ns_b}", os.O_RDONLY)
    if libc.setns(nsfd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")
    b = open_tun(if_b)
    print("ready", flush=True)
    peer = {a: b, b: a}
    while True:
        for fd in select.select([a, b], [], [])[0]:
            pkt = os.read(fd, 65536)
            try:
                os.write(peer[fd], pkt)
            except OSError:
                pass  # the other device is not up yet: the packet is lost, as on a wire


if __name__ == "__main__":
    main(*sys.argv[1:4])
