#!/bin/bash
# http-sll2.pcap: tcpdump -i any (Linux cooked v2, link type 276, tcpdump's default
# for "any") of loopback HTTP: a POST and a GET on one connection.
. "$(dirname "$0")/lib.sh"
PORT=18107
OUT="$CAP_DIR/http-sll2.pcap"
start_server - 127.0.0.1 $PORT
start_tcpdump - "$OUT" -i any "tcp port $PORT"
client - --port $PORT --source-port 18609 --gap 0.05 POST:/echo:len=500 GET:/gzip/2000
stop_capture
judge "$OUT"
