#!/bin/bash
# udp-fragments.pcap: tcpdump on the receiving end of a veth pair (MTU 1500)
# between two namespaces. The sender's kernel fragments UDP datagrams of 4000 and
# 3000 bytes over IPv4 (10.99.1.2 -> 10.99.1.1) and IPv6 (fd00:99::2 -> fd00:99::1,
# Fragment extension header); then one small HTTP GET over IPv4.
. "$(dirname "$0")/lib.sh"
PORT=18109
OUT="$CAP_DIR/udp-fragments.pcap"
make_ns upx-frs
make_ns upx-frc
veth upx-frs upx-frs0 upx-frc upx-frc0
ip -n upx-frs addr add 10.99.1.1/24 dev upx-frs0
ip -n upx-frc addr add 10.99.1.2/24 dev upx-frc0
ip -n upx-frs addr add fd00:99::1/64 dev upx-frs0 nodad
ip -n upx-frc addr add fd00:99::2/64 dev upx-frc0 nodad
start_server upx-frs 10.99.1.1 $PORT
# A UDP sink on both families, so the datagrams draw no ICMP port unreachable.
ip netns exec upx-frs python3 -c '
import socket, select
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s4.bind(("10.99.1.1", 18209))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s6.bind(("fd00:99::1", 18209))
print("udp sink listening", flush=True)
while True:
    for s in select.select([s4, s6], [], [])[0]:
        s.recv(65536)
' >"$WORK/sink.log" &
PIDS+=($!)
wait_for "$WORK/sink.log" "listening"
start_tcpdump upx-frs "$OUT" -i upx-frs0
ip netns exec upx-frc python3 -c '
import socket, time
pat = lambda n, k: bytes((i * k + 1) & 0xFF for i in range(n))
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4.setsockopt(socket.IPPROTO_IP, 10, 0)   # IP_MTU_DISCOVER = IP_PMTUDISC_DONT: may fragment
s4.bind(("10.99.1.2", 18309))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.bind(("fd00:99::2", 18309))
for n, k in ((4000, 3), (3000, 5)):
    s4.sendto(pat(n, k), ("10.99.1.1", 18209)); time.sleep(0.02)
    s6.sendto(pat(n, k), ("fd00:99::1", 18209)); time.sleep(0.02)
'
client upx-frc --host 10.99.1.1 --port $PORT --source-port 18611 GET:/bytes/200
stop_capture
judge "$OUT"
