#!/bin/bash
# http-keepalive.pcap: tcpdump on loopback, classic microsecond pcap. One keep-alive
# connection (GET with Content-Length, POST with a body, a 404), then a second
# connection. Also writes http-keepalive.pcap.gz.
. "$(dirname "$0")/lib.sh"
PORT=18101
OUT="$CAP_DIR/http-keepalive.pcap"
start_server - 127.0.0.1 $PORT
start_tcpdump - "$OUT" -i lo -s 0 "tcp port $PORT"
client - --port $PORT --source-port 18601 --gap 0.05 \
  GET:/bytes/1500 POST:/echo:len=700 GET:/missing
# The second connection writes in 500-byte pieces, so the POST spans frames.
client - --port $PORT --source-port 18602 --close --segment 500 --gap 0.02 \
  POST:/echo:len=1200 GET:/bytes/3000
stop_capture
judge "$OUT"
gzcopy "$OUT"
