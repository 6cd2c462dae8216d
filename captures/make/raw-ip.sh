#!/bin/bash
# http-raw-ip.pcap: link type RAW (101), bare IPv4 and IPv6 packets, from tcpdump
# on a real tun device. Two namespaces each hold a tun device; tunwire.py copies
# packets between them, and the two kernels talk TCP across it. One HTTP
# connection over IPv4 (10.99.3.2 -> 10.99.3.1) and one over IPv6
# (fd00:99::2 -> fd00:99::1), MTU 1500.
. "$(dirname "$0")/lib.sh"
PORT=18113
OUT="$CAP_DIR/http-raw-ip.pcap"
make_ns upx-tuna
make_ns upx-tunb
ip netns exec upx-tuna python3 "$MAKE_DIR/tunwire.py" upx-tuna0 upx-tunb upx-tunb0 >"$WORK/wire.log" &
PIDS+=($!)
wait_for "$WORK/wire.log" ready
ip -n upx-tuna addr add 10.99.3.2/24 dev upx-tuna0
ip -n upx-tunb addr add 10.99.3.1/24 dev upx-tunb0
ip -n upx-tuna addr add fd00:99::2/64 dev upx-tuna0 nodad
ip -n upx-tunb addr add fd00:99::1/64 dev upx-tunb0 nodad
ip -n upx-tuna link set upx-tuna0 up
ip -n upx-tunb link set upx-tunb0 up
start_server upx-tunb 10.99.3.1 $PORT
start_server upx-tunb fd00:99::1 $PORT
start_tcpdump upx-tuna "$OUT" -i upx-tuna0
client upx-tuna --host 10.99.3.1 --port $PORT --source-port 18617 --gap 0.05 \
  GET:/bytes/3000 POST:/echo:len=1800
client upx-tuna --host fd00:99::1 --port $PORT --source-port 18618 --gap 0.05 \
  GET:/chunked/2500 GET:/status/304
stop_capture
judge "$OUT"
