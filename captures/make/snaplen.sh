#!/bin/bash
# http-snaplen.pcap: tcpdump -s 200 on loopback, so every frame longer than 200
# bytes is cut (captured length 200, original length larger): bodies of 2000-6000
# bytes are mostly missing from the file. Requests are short and complete.
. "$(dirname "$0")/lib.sh"
PORT=18112
OUT="$CAP_DIR/http-snaplen.pcap"
start_server - 127.0.0.1 $PORT
start_tcpdump - "$OUT" -i lo -s 200 "tcp port $PORT"
client - --port $PORT --source-port 18616 --gap 0.05 \
  GET:/bytes/2000 GET:/chunked/3000 POST:/echo:len=6000 GET:/status/404
stop_capture
judge "$OUT"
