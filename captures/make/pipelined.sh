#!/bin/bash
# http-pipelined.pcapng: dumpcap on loopback. First connection: three requests
# written in one send (one TCP segment carries all three), answered in order.
# Second connection: three requests pipelined with one send each, all sent
# before any answer is read (the first is answered after 200 ms).
. "$(dirname "$0")/lib.sh"
PORT=18104
OUT="$CAP_DIR/http-pipelined.pcapng"
start_server - 127.0.0.1 $PORT
start_dumpcap - "$OUT" -i lo -f "tcp port $PORT"
client - --port $PORT --source-port 18605 --pipeline \
  GET:/bytes/300 POST:/echo:text=pipelined-body GET:/chunked/200
client - --port $PORT --source-port 18615 --pipeline-writes \
  GET:/slow/301 GET:/status/404 GET:/gzip/900
stop_capture
judge "$OUT"
