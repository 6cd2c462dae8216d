#!/bin/bash
# http-chunked-gzip.pcapng: dumpcap (pcapng) on loopback. One connection with a
# chunked body (a chunk extension and a trailer), a gzip body, a deflate body and a
# chunked body split across many frames. Also writes http-chunked-gzip.pcapng.gz.
. "$(dirname "$0")/lib.sh"
PORT=18103
OUT="$CAP_DIR/http-chunked-gzip.pcapng"
start_server - 127.0.0.1 $PORT
start_dumpcap - "$OUT" -i lo -f "tcp port $PORT"
client - --port $PORT --source-port 18604 --gap 0.05 \
  GET:/chunked/1000 GET:/gzip/4000 GET:/deflate/4000 HEAD:/chunked/100
stop_capture
judge "$OUT"
gzcopy "$OUT"
