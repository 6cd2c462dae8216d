#!/bin/bash
# http-nanosecond.pcap: tcpdump --time-stamp-precision=nano on loopback, so the
# file has the nanosecond pcap magic (a1b23c4d). Two GETs on one connection.
. "$(dirname "$0")/lib.sh"
PORT=18102
OUT="$CAP_DIR/http-nanosecond.pcap"
start_server - 127.0.0.1 $PORT
start_tcpdump - "$OUT" -i lo --time-stamp-precision=nano "tcp port $PORT"
client - --port $PORT --source-port 18603 --gap 0.05 GET:/bytes/800 GET:/status/404
stop_capture
judge "$OUT"
