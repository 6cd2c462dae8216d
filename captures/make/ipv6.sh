#!/bin/bash
# http-ipv6.pcapng: dumpcap on the client side of a veth pair between two
# namespaces (MTU 1500, so bodies span several TCP segments), HTTP over IPv6
# fd00:99::2 -> fd00:99::1. Neighbour discovery is in the file too. One
# keep-alive connection from client.py, one from curl.
. "$(dirname "$0")/lib.sh"
PORT=18108
OUT="$CAP_DIR/http-ipv6.pcapng"
make_ns upx-v6s
make_ns upx-v6c
veth upx-v6s upx-v6s0 upx-v6c upx-v6c0
ip -n upx-v6s addr add fd00:99::1/64 dev upx-v6s0 nodad
ip -n upx-v6c addr add fd00:99::2/64 dev upx-v6c0 nodad
start_server upx-v6s fd00:99::1 $PORT
start_dumpcap upx-v6c "$OUT" -i upx-v6c0
client upx-v6c --host fd00:99::1 --port $PORT --source-port 18610 --gap 0.05 \
  GET:/bytes/5000 POST:/echo:len=2500 GET:/chunked/3000
in_ns upx-v6c curl -s -o /dev/null -g "http://[fd00:99::1]:$PORT/deflate/6000"
stop_capture
judge "$OUT"
