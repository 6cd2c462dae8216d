#!/usr/bin/env python3
"""A userspace Ethernet relay that makes a network hard on purpose.

This kernel has no netem qdisc and no 802.1Q module, so loss, reordering,
duplication, VLAN tags and sequence-number rewriting are done here: frames are
read from one veth with a raw AF_PACKET socket and written to the other, and the
relay decides on the way what happens to each one. Both endpoints keep their own
real TCP stacks; only the wire between them is ours.

  phone <-> relay-a  [relay.py]  relay-b <-> srv
                          |
                       relay-m <-> mon-m   (optional mirror copy, a SPAN port)

usage:
  relay.py --a relay-a --b relay-b [--mirror relay-m] [path options] [--mirror-* options]
  relay.py --offload-off IFACE...     turn off checksum/segmentation offloads

Path options change what the endpoints receive; the same options prefixed with
--mirror- change only the copy written to the mirror port. Every random choice
comes from a generator seeded with --seed, so a run is repeatable as far as the
endpoints' own timing allows.

SIGTERM or SIGINT stops the relay and prints what it did on stderr.
"""
import argparse, ctypes, fcntl, random, select, signal, socket, struct, sys, time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
ETH_P_IP, ETH_P_IPV6, ETH_P_ARP = 0x0800, 0x86DD, 0x0806
TPID_8021Q, TPID_8021AD = 0x8100, 0x88A8

# --- offloads ---------------------------------------------------------------
# With checksum offload the relay would read frames whose TCP checksum is not
# filled in yet, and with TSO/GSO it would read 64 KB "frames" it cannot send
# on; a real wire carries neither, so the veths are set up like a plain NIC.
# There is no ethtool binary here, so this uses the ethtool ioctl directly.
SIOCETHTOOL = 0x8946
ETHTOOL_SETS = {"rx": 0x15, "tx": 0x17, "sg": 0x19, "tso": 0x1F, "gso": 0x24, "gro": 0x2C}


class _IfReq(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char * 16), ("data", ctypes.c_void_p), ("pad", ctypes.c_char * 16)]


def offload_off(ifname):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for what in ("tso", "gso", "gro", "sg", "tx", "rx"):
            val = (ctypes.c_uint32 * 2)(ETHTOOL_SETS[what], 0)
            req = _IfReq(ifname.encode(), ctypes.cast(val, ctypes.c_void_p), b"")
            try:
                fcntl.ioctl(s.fileno(), SIOCETHTOOL, req)
            except OSError as e:
                print(f"relay: {ifname}: {what} off: {e}", file=sys.stderr)
    finally:
        s.close()


# --- frame parsing and checksums ---------------------------------------------

def csum16(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def tcp_in_frame(frame):
    """Return (l3_kind, ip_off, tcp_off, tcp_end) for an untagged Ethernet frame
    carrying TCP, or None. Only what the relay itself writes is handled."""
    if len(frame) < 14:
        return None
    etype = struct.unpack_from("!H", frame, 12)[0]
    if etype == ETH_P_IP and len(frame) >= 34:
        ihl = (frame[14] & 0x0F) * 4
        total = struct.unpack_from("!H", frame, 16)[0]
        frag = struct.unpack_from("!H", frame, 20)[0] & 0x3FFF
        if frame[23] != 6 or frag or ihl < 20:
            return None
        end = min(len(frame), 14 + total)
        if 14 + ihl + 20 > end:
            return None
        return ("v4", 14, 14 + ihl, end)
    if etype == ETH_P_IPV6 and len(frame) >= 54:
        if frame[20] != 6:  # no extension headers in our own traffic
            return None
        plen = struct.unpack_from("!H", frame, 18)[0]
        end = min(len(frame), 54 + plen)
        if 54 + 20 > end:
            return None
        return ("v6", 14, 54, end)
    return None


def tcp_payload_len(frame, info):
    _, _, t, end = info
    return end - t - (frame[t + 12] >> 4) * 4


def fix_tcp_checksum(buf, info):
    kind, ip, t, end = info
    buf[t + 16:t + 18] = b"\0\0"
    seg = bytes(buf[t:end])
    if kind == "v4":
        pseudo = bytes(buf[ip + 12:ip + 20]) + struct.pack("!BBH", 0, 6, len(seg))
    else:
        pseudo = bytes(buf[ip + 8:ip + 40]) + struct.pack("!IxxxB", len(seg), 6)
    c = 0xFFFF - csum16(pseudo + seg)
    struct.pack_into("!H", buf, t + 16, c or 0xFFFF)


def flow_key(frame, info, reverse=False):
    kind, ip, t, _ = info
    if kind == "v4":
        src, dst = bytes(frame[ip + 12:ip + 16]), bytes(frame[ip + 16:ip + 20])
    else:
        src, dst = bytes(frame[ip + 8:ip + 24]), bytes(frame[ip + 24:ip + 40])
    sp, dp = struct.unpack_from("!HH", frame, t)
    return (dst, dp, src, sp) if reverse else (src, sp, dst, dp)


# --- sequence-number rewriting ------------------------------------------------

class SeqRewriter:
    """A middlebox that shifts one direction's sequence space, as firewalls that
    "randomise" ISNs do: add D to the sequence numbers of segments going in
    `direction`, subtract D from the acknowledgment numbers and SACK edges
    coming back (RFC 2018 sec. 3), and fix the checksums. D is chosen per
    connection, at that direction's SYN, so that byte number `wrap_after` of the
    stream has sequence number 0: the transfer crosses 2^32."""

    def __init__(self, direction, wrap_after):
        self.direction, self.wrap_after = direction, wrap_after
        self.delta = {}  # flow key of the shifted direction -> D
        self.rewritten = 0

    def apply(self, frame, direction):
        info = tcp_in_frame(frame)
        if info is None:
            return frame
        _, _, t, _ = info
        flags = frame[t + 13]
        buf = bytearray(frame)
        if direction == self.direction:
            key = flow_key(frame, info)
            seq = struct.unpack_from("!I", frame, t + 4)[0]
            if flags & 0x02:  # SYN: a new connection (or its retransmitted SYN)
                self.delta[key] = (2**32 - self.wrap_after - 1 - seq) % 2**32
            d = self.delta.get(key)
            if d is None:
                return frame
            struct.pack_into("!I", buf, t + 4, (seq + d) % 2**32)
        else:
            d = self.delta.get(flow_key(frame, info, reverse=True))
            if d is None or not flags & 0x10:
                return frame
            ack = struct.unpack_from("!I", frame, t + 8)[0]
            struct.pack_into("!I", buf, t + 8, (ack - d) % 2**32)
            self._shift_sack(buf, t, -d)
        fix_tcp_checksum(buf, info)
        self.rewritten += 1
        return bytes(buf)

    @staticmethod
    def _shift_sack(buf, t, d):
        i, end = t + 20, t + (buf[t + 12] >> 4) * 4
        while i < end:
            kind = buf[i]
            if kind == 0:
                break
            if kind == 1:
                i += 1
                continue
            if i + 1 >= end or buf[i + 1] < 2:
                break
            ln = buf[i + 1]
            if kind == 5:
                for e in range(i + 2, min(i + ln, end) - 3, 4):
                    v = struct.unpack_from("!I", buf, e)[0]
                    struct.pack_into("!I", buf, e, (v + d) % 2**32)
            i += ln


# --- per-output mangling -------------------------------------------------------

class Mangler:
    """Decides the fate of each frame bound for one output: drop, duplicate,
    hold back (reorder), tag. Counting and randomness are per Mangler so the path
    and the mirror copy are independent."""

    def __init__(self, name, o, seed):
        self.name = name
        self.drop_every, self.drop_rate = o["drop_every"], o["drop_rate"]
        self.delay_every, self.delay_by, self.delay_max = o["delay_every"], o["delay_by"], o["delay_max_ms"] / 1000
        self.dup_every = o["dup_every"]
        self.only_data, self.dirs = o["only_data"], o["dir"]
        self.skip = o["skip"]
        self.tags = []
        if o["qinq"]:
            outer, inner = o["qinq"]
            self.tags = [(TPID_8021AD, outer), (TPID_8021Q, inner)]
        elif o["vlan"]:
            self.tags = [(TPID_8021Q, o["vlan"])]
        self.rng = random.Random(seed)
        self.count = 0
        self.stats = {"seen": 0, "eligible": 0, "dropped": 0, "duplicated": 0, "delayed": 0}

    def eligible(self, frame, direction):
        if direction not in self.dirs:
            return False
        info = tcp_in_frame(frame)
        if info is None:  # ARP, neighbour discovery and the like always pass
            return False
        return not self.only_data or tcp_payload_len(frame, info) > 0

    def tag(self, frame):
        for tpid, (vid, pcp) in reversed(self.tags):
            tci = (pcp << 13) | vid
            frame = frame[:12] + struct.pack("!HH", tpid, tci) + frame[12:]
        return frame

    def decide(self, frame, direction):
        """Return (frames to send now, frame to hold or None)."""
        self.stats["seen"] += 1
        if not self.eligible(frame, direction):
            return [self.tag(frame)], None
        self.stats["eligible"] += 1
        self.count += 1
        n = self.count - self.skip
        # The rate draw happens for every eligible frame so that the sequence of
        # choices depends only on the seed and the frame count.
        r = self.rng.random()
        if n > 0 and ((self.drop_every and n % self.drop_every == 0) or r < self.drop_rate):
            self.stats["dropped"] += 1
            return [], None
        out = self.tag(frame)
        if n > 0 and self.delay_every and n % self.delay_every == 0:
            self.stats["delayed"] += 1
            return [], out
        if n > 0 and self.dup_every and n % self.dup_every == 0:
            self.stats["duplicated"] += 1
            return [out, out], None
        return [out], None


class Output:
    """One interface the relay writes to, with the frames it is holding back.
    A held frame goes out once `delay_by` later frames have gone out on the same
    interface, or after `delay_max` seconds if the traffic stops."""

    def __init__(self, ifname, sock, on_send=None):
        self.ifname, self.sock, self.on_send = ifname, sock, on_send
        self.held = []  # [frames still to pass, deadline, frame]
        self.sent = 0

    def send(self, frame):
        try:
            self.sock.send(frame)
            self.sent += 1
        except OSError as e:
            print(f"relay: send on {self.ifname} ({len(frame)} bytes): {e}", file=sys.stderr)
            return
        if self.on_send:
            self.on_send(frame)

    def emit(self, frames, hold, mangler):
        for f in frames:
            self.send(f)
            for h in self.held:
                h[0] -= 1
            self.release(lambda h: h[0] <= 0)
        if hold is not None:
            self.held.append([mangler.delay_by, time.monotonic() + mangler.delay_max, hold])

    def release(self, due):
        keep = []
        for h in self.held:
            if due(h):
                self.send(h[2])
            else:
                keep.append(h)
        self.held = keep

    def expire(self, now):
        self.release(lambda h: h[1] <= now)

    def next_deadline(self):
        return min((h[1] for h in self.held), default=None)


def open_socket(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((ifname, 0))
    return s


def parse_args(argv):
    p = argparse.ArgumentParser(description="userspace relay that drops, delays, duplicates, tags or rewrites frames")
    p.add_argument("--a", required=True, help="interface towards the phone")
    p.add_argument("--b", required=True, help="interface towards the server")
    p.add_argument("--mirror", help="interface that receives a copy of every frame")
    p.add_argument("--mirror-side", choices=["a", "b"], default="a",
                   help="which link the mirror copies: a = the phone's (default), b = the server's")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--seq-offset-to-wrap", type=int, metavar="BYTES",
                   help="shift the sequence numbers of --seq-dir so byte BYTES of each stream has seq 0")
    p.add_argument("--seq-dir", choices=["a2b", "b2a"], default="b2a")

    def vlan(v):
        vid, _, pcp = v.partition(":")
        return (int(vid), int(pcp or 0))

    def qinq(v):
        outer, inner = v.split(",")
        return (vlan(outer), vlan(inner))

    for prefix in ("", "mirror-"):
        where = "mirror copy" if prefix else "forwarded frames"
        p.add_argument(f"--{prefix}drop-every", type=int, default=0, metavar="N", help=f"drop every Nth {where}")
        p.add_argument(f"--{prefix}drop-rate", type=float, default=0.0, metavar="P", help=f"drop {where} with probability P")
        p.add_argument(f"--{prefix}delay-every", type=int, default=0, metavar="N", help=f"hold back every Nth {where}")
        p.add_argument(f"--{prefix}delay-by", type=int, default=2, metavar="K", help="release a held frame after K later ones")
        p.add_argument(f"--{prefix}delay-max-ms", type=float, default=40.0, help="release a held frame after this long anyway")
        p.add_argument(f"--{prefix}dup-every", type=int, default=0, metavar="N", help=f"send every Nth {where} twice")
        p.add_argument(f"--{prefix}vlan", type=vlan, metavar="ID[:PCP]", help=f"802.1Q-tag the {where}")
        p.add_argument(f"--{prefix}qinq", type=qinq, metavar="OUTER[:PCP],INNER[:PCP]",
                       help=f"802.1ad outer + 802.1Q inner tags on the {where}")
        p.add_argument(f"--{prefix}dir", choices=["both", "a2b", "b2a"], default="both",
                       help="which direction the options above apply to")
        p.add_argument(f"--{prefix}only-data", action="store_true", help="only frames with TCP payload are eligible")
        p.add_argument(f"--{prefix}skip", type=int, default=0, metavar="N", help="leave the first N eligible frames alone")
    a = p.parse_args(argv)

    def opts(prefix):
        g = lambda k: getattr(a, (prefix + k).replace("-", "_"))
        d = g("dir")
        return {"drop_every": g("drop-every"), "drop_rate": g("drop-rate"), "delay_every": g("delay-every"),
                "delay_by": g("delay-by"), "delay_max_ms": g("delay-max-ms"), "dup_every": g("dup-every"),
                "vlan": g("vlan"), "qinq": g("qinq"), "only_data": g("only-data"), "skip": g("skip"),
                "dir": ("a2b", "b2a") if d == "both" else (d,)}
    return a, opts(""), opts("mirror-")


def main(argv):
    if argv and argv[0] == "--offload-off":
        for ifname in argv[1:]:
            offload_off(ifname)
        return 0
    a, path_opts, mirror_opts = parse_args(argv)
    socks = {"a": open_socket(a.a), "b": open_socket(a.b)}
    # One mangler per direction of the path, so a held frame waits for later
    # frames going the same way; the mirror is a single output.
    path = {"a2b": Mangler("a2b", path_opts, a.seed), "b2a": Mangler("b2a", path_opts, a.seed + 1)}
    mirror = mout = None
    hooks = {"a": None, "b": None}
    if a.mirror:
        mout = Output(a.mirror, open_socket(a.mirror))
        mirror = Mangler("mirror", mirror_opts, a.seed + 2)
        # The mirror copies one link: frames arriving from that side as they
        # were, frames leaving towards it when the path actually sends them.
        towards = "b2a" if a.mirror_side == "a" else "a2b"
        hooks[a.mirror_side] = lambda f: mout.emit(*mirror.decide(f, towards), mirror)
    outs = {s: Output(getattr(a, s), socks[s], hooks[s]) for s in ("a", "b")}
    seq = SeqRewriter(a.seq_dir, a.seq_offset_to_wrap) if a.seq_offset_to_wrap is not None else None

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    by_fd = {socks["a"].fileno(): "a", socks["b"].fileno(): "b"}
    received = 0
    print("relay: ready", file=sys.stderr, flush=True)
    while not stop:
        now = time.monotonic()
        deadlines = [d for o in (outs["a"], outs["b"], mout) if o for d in [o.next_deadline()] if d]
        timeout = max(0.0, min(deadlines) - now) if deadlines else 0.2
        try:
            ready, _, _ = select.select(list(by_fd), [], [], timeout)
        except InterruptedError:
            continue
        for fd in ready:
            side = by_fd[fd]
            sock = socks[side]
            try:
                frame, addr = sock.recvfrom(65535)
            except BlockingIOError:
                continue
            if addr[2] == PACKET_OUTGOING:  # our own sends, seen again on the way out
                continue
            received += 1
            direction = "a2b" if side == "a" else "b2a"
            dst = outs["b" if side == "a" else "a"]
            if mirror and a.mirror_side == side:
                mout.emit(*mirror.decide(frame, direction), mirror)
            if seq:
                frame = seq.apply(frame, direction)
            now_frames, hold = path[direction].decide(frame, direction)
            dst.emit(now_frames, hold, path[direction])
        now = time.monotonic()
        for o in (outs["a"], outs["b"], mout):
            if o:
                o.expire(now)
    for o in (outs["a"], outs["b"], mout):
        if o:
            o.release(lambda h: True)
    report = {"received": received, "a2b": path["a2b"].stats, "b2a": path["b2a"].stats}
    if mirror:
        report["mirror"] = mirror.stats
    if seq:
        report["seq_rewritten"] = seq.rewritten
    print(f"relay: {report}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
