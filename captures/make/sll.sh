#!/bin/bash
# http-sll.pcap: tcpdump -i any -y LINUX_SLL (Linux cooked v1, link type 113) of
# loopback HTTP: one connection with a GET and a chunked GET.
. "$(dirname "$0")/lib.sh"
PORT=18106
OUT="$CAP_DIR/http-sll.pcap"
start_server - 127.0.0.1 $PORT
start_tcpdump - "$OUT" -i any -y LINUX_SLL "tcp port $PORT"
client - --port $PORT --source-port 18608 --gap 0.05 GET:/bytes/600 GET:/chunked/400
stop_capture
judge "$OUT"
