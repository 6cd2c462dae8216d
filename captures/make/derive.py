#!/usr/bin/env python3
"""Derive the capture-reader test files in captures/derived/ from the real
loopback captures there (made by captures/derived/base.sh with tcpdump, dumpcap
and editcap).

Real tools on this machine write only little-endian files with Enhanced Packet
Blocks, so everything else the readers must handle is made here, byte for byte
and deterministically (no clocks, no randomness; gzip mtime is 0): the other
byte order, Simple and obsolete Packet Blocks, several interfaces with
different timestamp resolutions, blocks a reader must skip, several sections,
and broken files of every kind. Then, for each file tshark can read, it writes
`<file>.tshark.txt` (frame number, epoch time, wire and captured length,
interface, comment), the reference the tests compare against.

Run: python3 captures/make/derive.py   (tshark optional: without it the
.tshark.txt files are left as they are)
"""
import gzip
import os
import shutil
import struct
import subprocess
import sys

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'derived')
OUT = os.path.normpath(HERE)


def path(name):
    return os.path.join(OUT, name)


def read(name):
    with open(path(name), 'rb') as f:
        return f.read()


def write(name, data):
    with open(path(name), 'wb') as f:
        f.write(data)
    print(f'{name}: {len(data)} bytes')


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


# ---------------------------------------------------------------- classic pcap

def pcap_records(data):
    """(global header fields, [(sec, frac, incl, orig, bytes)]) of a little-endian pcap."""
    magic, = struct.unpack_from('<I', data, 0)
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), hex(magic)
    hdr = struct.unpack_from('<IHHiIII', data, 0)
    recs, o = [], 24
    while o < len(data):
        sec, frac, incl, orig = struct.unpack_from('<IIII', data, o)
        recs.append((sec, frac, incl, orig, data[o + 16:o + 16 + incl]))
        o += 16 + incl
    return hdr, recs


def pcap_build(hdr, recs, endian):
    out = [struct.pack(endian + 'IHHiIII', *hdr)]
    for sec, frac, incl, orig, body in recs:
        out.append(struct.pack(endian + 'IIII', sec, frac, incl, orig) + body)
    return b''.join(out)


def pcap_offsets(data):
    """Byte offset of each record header in a little-endian pcap."""
    offs, o = [], 24
    while o + 16 <= len(data):
        offs.append(o)
        o += 16 + struct.unpack_from('<I', data, o + 8)[0]
    return offs


# ---------------------------------------------------------------- pcapng

# How to swap each option value when changing byte order, per block type.
STR, RAW, U8, U32, U64, I64, TS = 'str', 'raw', 'u8', 'u32', 'u64', 'i64', 'ts'
OPTION_KINDS = {
    0x0A0D0D0A: {1: STR, 2: STR, 3: STR, 4: STR},
    1: {1: STR, 2: STR, 3: STR, 4: RAW, 5: RAW, 6: RAW, 7: RAW, 8: U64, 9: U8, 10: U32,
        11: RAW, 12: STR, 13: U8, 14: I64, 15: STR, 16: U64, 17: U64},
    2: {1: STR, 2: U32, 3: RAW},
    6: {1: STR, 2: U32, 3: RAW, 4: U64, 5: U64, 6: U32, 7: RAW},
    5: {1: STR, 2: TS, 3: TS, 4: U64, 5: U64, 6: U64, 7: U64, 8: U64},
    4: {1: STR},
}


def pad4(b):
    return b + b'\0' * (-len(b) % 4)


def options_parse(body, e):
    opts, o = [], 0
    while o + 4 <= len(body):
        code, ln = struct.unpack_from(e + 'HH', body, o)
        if code == 0:
            break
        opts.append((code, body[o + 4:o + 4 + ln]))
        o += 4 + ln + (-ln % 4)
    return opts


def option_value(kind, value, src, dst):
    if kind == U32:
        return struct.pack(dst + 'I', *struct.unpack(src + 'I', value))
    if kind == U64:
        return struct.pack(dst + 'Q', *struct.unpack(src + 'Q', value))
    if kind == I64:
        return struct.pack(dst + 'q', *struct.unpack(src + 'q', value))
    if kind == TS:
        return struct.pack(dst + 'II', *struct.unpack(src + 'II', value))
    return value


def options_build(opts, e):
    if not opts:
        return b''
    out = b''.join(struct.pack(e + 'HH', c, len(v)) + pad4(v) for c, v in opts)
    return out + struct.pack(e + 'HH', 0, 0)


def block(btype, body, e):
    body = pad4(body)
    n = 12 + len(body)
    return struct.pack(e + 'II', btype, n) + body + struct.pack(e + 'I', n)


def shb(e, opts=(), major=1, minor=0):
    return block(0x0A0D0D0A, struct.pack(e + 'IHHq', 0x1A2B3C4D, major, minor, -1) + options_build(list(opts), e), e)


def idb(e, linktype=1, snaplen=262144, opts=()):
    return block(1, struct.pack(e + 'HHI', linktype, 0, snaplen) + options_build(list(opts), e), e)


def epb(e, ifid, ts, data, orig=None, opts=()):
    body = struct.pack(e + 'IIIII', ifid, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data) if orig is None else orig)
    return block(6, body + pad4(data) + options_build(list(opts), e), e)


def pb(e, ifid, ts, data, orig=None, opts=()):
    body = struct.pack(e + 'HHIIII', ifid, 0, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data) if orig is None else orig)
    return block(2, body + pad4(data) + options_build(list(opts), e), e)


def spb(e, data, orig):
    return block(3, struct.pack(e + 'I', orig) + pad4(data), e)


def u8opt(v):
    return bytes([v])


class Packet:
    def __init__(self, ts_ns, orig, data, comments):
        self.ts_ns, self.orig, self.data, self.comments = ts_ns, orig, data, comments


def pcapng_blocks(data):
    """[(type, body)] of a little-endian pcapng, trailing lengths checked."""
    out, o = [], 0
    while o < len(data):
        t, n = struct.unpack_from('<II', data, o)
        assert struct.unpack_from('<I', data, o + n - 4)[0] == n
        out.append((t, data[o + 8:o + n - 4]))
        o += n
    return out


def pcapng_swap(data, src='<', dst='>'):
    """The same file in the other byte order: every field and option swapped."""
    out = []
    for t, body in pcapng_blocks(data) if src == '<' else []:
        kinds = OPTION_KINDS.get(t, {})

        def opts_at(start):
            return [(c, option_value(kinds.get(c, RAW), v, src, dst)) for c, v in options_parse(body[start:], src)]

        if t == 0x0A0D0D0A:
            magic, major, minor, seclen = struct.unpack_from(src + 'IHHq', body, 0)
            fixed = struct.pack(dst + 'IHHq', magic, major, minor, seclen)
            out.append(block(t, fixed + options_build(opts_at(16), dst), dst))
        elif t == 1:
            lt, res, snap = struct.unpack_from(src + 'HHI', body, 0)
            out.append(block(t, struct.pack(dst + 'HHI', lt, res, snap) + options_build(opts_at(8), dst), dst))
        elif t == 6:
            f = struct.unpack_from(src + 'IIIII', body, 0)
            cap = f[3]
            start = 20 + cap + (-cap % 4)
            out.append(block(t, struct.pack(dst + 'IIIII', *f) + pad4(body[20:20 + cap]) + options_build(opts_at(start), dst), dst))
        else:
            raise SystemExit(f'pcapng_swap: no layout for block type {t:#x}')
    return b''.join(out)


def packets_of(data):
    """Packets of a single-interface little-endian pcapng (ns resolution)."""
    blocks = pcapng_blocks(data)
    res = 6
    pk = []
    for t, body in blocks:
        if t == 1:
            for c, v in options_parse(body[8:], '<'):
                if c == 9:
                    res = v[0]
        if t == 6:
            _, hi, lo, cap, orig = struct.unpack_from('<IIIII', body, 0)
            assert res == 9, 'base pcapng is expected in nanoseconds'
            start = 20 + cap + (-cap % 4)
            comments = [v for c, v in options_parse(body[start:], '<') if c == 1]
            pk.append(Packet((hi << 32) | lo, orig, body[20:20 + cap], comments))
    return blocks, pk


def block_offsets(data):
    offs, o = [], 0
    while o + 8 <= len(data):
        offs.append((o, struct.unpack_from('<I', data, o)[0]))
        o += struct.unpack_from('<I', data, o + 4)[0]
    return offs


def packet_block_offsets(data):
    return [o for o, t in block_offsets(data) if t in (2, 3, 6)]


def patch_u32(data, offset, value, e='<'):
    b = bytearray(data)
    struct.pack_into(e + 'I', b, offset, value)
    return bytes(b)


# ---------------------------------------------------------------- the files

def main():
    us = read('http-lo.pcap')
    ns = read('http-lo-ns.pcap')
    ng = read('http-lo.pcapng')

    # Classic pcap: other byte order, gzip.
    hdr, recs = pcap_records(us)
    write('be-usec.pcap', pcap_build(hdr, recs, '>'))
    hdr_ns, recs_ns = pcap_records(ns)
    write('be-nsec.pcap', pcap_build(hdr_ns, recs_ns, '>'))
    write('http-lo.pcap.gz', gz(us))
    write('http-lo.pcapng.gz', gz(ng))
    write('be-nsec.pcap.gz', gz(read('be-nsec.pcap')))

    # Classic pcap: broken or odd.
    offs = pcap_offsets(us)
    write('empty.pcap', b'')
    write('html.pcap', b'<html><body>Not Found</body></html>\n')
    write('header-only.pcap', us[:24])
    write('short-header.pcap', us[:10])
    write('cut-mid-record.pcap', us[:offs[5] + 16 + 20])           # record 6: header + 20 bytes
    write('cut-mid-header.pcap', us[:offs[5] + 9] + b'')           # record 6: 9 header bytes only
    write('trailing-bytes.pcap', us + b'\xde\xad\xbe\xef\x00\x01\x02')
    write('incl-len-huge.pcap', patch_u32(us, offs[4] + 8, 0xFFFFFFFF))  # record 5
    small = bytearray(us)
    struct.pack_into('<I', small, 16, 100)                           # snap length 100: records 4 and 6 exceed it
    write('incl-len-over-snaplen.pcap', bytes(small))
    write('not-gzip.pcap.gz', b'\x1f\x8b' + b'this is not deflate data at all' * 3)
    z = gz(us)
    write('cut.pcap.gz', z[:len(z) * 2 // 3])

    # pcapng: other byte order, other packet blocks, interfaces, skipped blocks, sections.
    blocks, pk = packets_of(ng)
    shb_opts = options_parse(blocks[0][1][16:], '<')
    idb_opts = options_parse(blocks[1][1][8:], '<')
    write('be.pcapng', pcapng_swap(ng))

    e = '<'
    base = shb(e, shb_opts) + idb(e, 1, 262144, idb_opts)
    # Simple Packet Blocks keep no timestamp; a snap length of 128 cuts records 4 and 6.
    write('spb.pcapng', shb(e, shb_opts) + idb(e, 1, 128, [(9, u8opt(9))])
          + b''.join(spb(e, p.data[:128], p.orig) for p in pk))
    write('pb.pcapng', base + b''.join(pb(e, 0, p.ts_ns, p.data, p.orig, [(1, c) for c in p.comments]) for p in pk))

    # Three interfaces: microseconds (no if_tsresol, the default), nanoseconds,
    # and 2^-20 s; packets go round-robin. The second is Linux cooked capture
    # (LINKTYPE_LINUX_SLL 113) in name only: the bytes stay Ethernet, which is
    # fine for a reader test.
    ifs = [
        idb(e, 1, 262144, [(2, b'eth-usec'), (1, b'interface in microseconds')]),
        idb(e, 113, 65535, [(2, b'sll-nsec'), (9, u8opt(9))]),
        idb(e, 1, 262144, [(2, b'eth-2^-20'), (9, u8opt(0x80 | 20))]),
    ]
    body = []
    for i, p in enumerate(pk):
        k = i % 3
        if k == 0:
            ts = p.ts_ns // 1000
        elif k == 1:
            ts = p.ts_ns
        else:
            ts = (p.ts_ns << 20) // 1_000_000_000
        body.append(epb(e, k, ts, p.data, p.orig, [(1, c) for c in p.comments]))
    write('multi-if.pcapng', shb(e, shb_opts) + b''.join(ifs) + b''.join(body))

    # if_tsoffset: a whole number of seconds added to every timestamp.
    write('tsoffset.pcapng', shb(e) + idb(e, 1, 262144, [(9, u8opt(9)), (14, struct.pack(e + 'q', 1000))])
          + b''.join(epb(e, 0, p.ts_ns, p.data, p.orig) for p in pk[:3]))

    # Blocks a reader skips, between the packets: NRB, ISB, DSB, custom
    # (copiable and not), a type nobody defines, a systemd journal entry and
    # a sysdig event. Wireshark counts the last four kinds as frames.
    nrb = block(4, struct.pack(e + 'HH', 1, 14) + pad4(bytes([127, 0, 0, 1]) + b'localhost\0') + struct.pack(e + 'HH', 0, 0), e)
    isb = block(5, struct.pack(e + 'III', 0, pk[-1].ts_ns >> 32, pk[-1].ts_ns & 0xFFFFFFFF)
                + options_build([(4, struct.pack(e + 'Q', 12)), (5, struct.pack(e + 'Q', 0))], e), e)
    keylog = b'CLIENT_RANDOM ' + b'00' * 32 + b' ' + b'11' * 48 + b'\n'
    dsb = block(10, struct.pack(e + 'II', 0x544C534B, len(keylog)) + pad4(keylog), e)
    custom_copy = block(0x00000BAD, struct.pack(e + 'I', 32473) + b'upxray copiable custom data', e)
    custom_nocopy = block(0x40000BAD, struct.pack(e + 'I', 32473) + b'upxray local custom data', e)
    unknown = block(0x7E57B10C, b'a block type no standard defines', e)
    # Wireshark lists these two as frames although they hold no packet.
    journal = block(9, b'__REALTIME_TIMESTAMP=1795412331770000\nMESSAGE=upxray journal entry\n', e)
    sysdig = block(0x204, struct.pack(e + 'HQQIH', 0, 1, pk[0].ts_ns, 0, 0) + b'\0' * 4, e)
    extras = [nrb, dsb, custom_copy, unknown, custom_nocopy, journal, sysdig]
    out = [base]
    for i, p in enumerate(pk):
        out.append(epb(e, 0, p.ts_ns, p.data, p.orig, [(1, c) for c in p.comments]))
        if i < len(extras):
            out.append(extras[i])
    out.append(isb)
    write('skipped-blocks.pcapng', b''.join(out))

    # Two sections: little-endian with Ethernet, then big-endian with a new
    # interface list (microseconds) and its own comment.
    first = shb('<', [(1, b'section one, little-endian')]) + idb('<', 1, 262144, [(9, u8opt(9))])
    first += b''.join(epb('<', 0, p.ts_ns, p.data, p.orig) for p in pk[:6])
    second = shb('>', [(1, b'section two, big-endian')]) + idb('>', 1, 262144, [(1, b'microsecond interface')])
    second += b''.join(epb('>', 0, p.ts_ns // 1000, p.data, p.orig) for p in pk[6:])
    write('two-sections.pcapng', first + second)

    # pcapng: broken or odd.
    write('header-only.pcapng', base)
    write('shb-only.pcapng', shb(e, shb_opts))
    pbo = packet_block_offsets(ng)
    # Packet 5 on interface 3, which no IDB describes.
    write('unknown-interface.pcapng', patch_u32(ng, pbo[4] + 8, 3))
    # Packet 7's block claims 0xFFFFFFFC bytes (about 4 GB, a multiple of 4).
    write('block-len-4g.pcapng', patch_u32(ng, pbo[6] + 4, 0xFFFFFFFC))
    # Packet 7's trailing copy of the length disagrees with the leading one.
    n7 = struct.unpack_from('<I', ng, pbo[6] + 4)[0]
    write('bad-trailing-length.pcapng', patch_u32(ng, pbo[6] + n7 - 4, n7 + 4))
    # Packet 7 claims more captured bytes than its block holds.
    write('bad-caplen.pcapng', patch_u32(ng, pbo[6] + 20, 4000))
    # Cut in the middle of packet 8's block.
    write('cut-mid-block.pcapng', ng[:pbo[7] + 40])
    write('trailing-bytes.pcapng', ng + b'\0\1\2\3\4')
    write('cut.pcapng.gz', gz(ng)[:len(gz(ng)) * 2 // 3])

    tshark_references()


# Files tshark reads completely, or up to the same point our reader stops.
TSHARK_FILES = [
    'http-lo.pcap', 'http-lo-ns.pcap', 'http-lo.pcapng', 'be-usec.pcap', 'be-nsec.pcap',
    'http-lo.pcap.gz', 'http-lo.pcapng.gz', 'be-nsec.pcap.gz', 'be.pcapng', 'spb.pcapng', 'pb.pcapng', 'multi-if.pcapng',
    'tsoffset.pcapng', 'skipped-blocks.pcapng', 'two-sections.pcapng', 'cut-mid-record.pcap',
    'trailing-bytes.pcap', 'incl-len-over-snaplen.pcap', 'cut-mid-block.pcapng',
]
FIELDS = ['frame.number', 'frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.interface_id', 'frame.comment']


def tshark_references():
    if shutil.which('tshark') is None:
        print('tshark not found: .tshark.txt files left as they are', file=sys.stderr)
        return
    for name in TSHARK_FILES:
        cmd = ['tshark', '-n', '-r', path(name), '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|']
        for f in FIELDS:
            cmd += ['-e', f]
        r = subprocess.run(cmd, capture_output=True, env={**os.environ, 'LC_ALL': 'C'})
        with open(path(name + '.tshark.txt'), 'wb') as f:
            f.write(('# ' + '\t'.join(FIELDS) + '\n').encode() + r.stdout)
        lines = r.stdout.count(b'\n')
        print(f'{name}.tshark.txt: {lines} frames (tshark exit {r.returncode})')


if __name__ == '__main__':
    main()
