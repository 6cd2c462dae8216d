#!/bin/bash
# http-statuses.pcap: tcpdump on loopback. HEAD (Content-Length and chunked headers
# with no body), POST with Expect: 100-continue answered 100 then 200, 204, 304,
# and last a close-delimited body (no Content-Length, ends with the server's FIN).
. "$(dirname "$0")/lib.sh"
PORT=18105
OUT="$CAP_DIR/http-statuses.pcap"
start_server - 127.0.0.1 $PORT
start_tcpdump - "$OUT" -i lo "tcp port $PORT"
client - --port $PORT --source-port 18606 --gap 0.05 \
  HEAD:/bytes/5000 HEAD:/chunked/300 GET:/status/204 GET:/status/304 GET:/close/2500
client - --port $PORT --source-port 18607 --expect-continue \
  POST:/echo:len=900 GET:/bytes/10
stop_capture
judge "$OUT"
