#!/bin/bash
# http-null.pcap: LINKTYPE_NULL (0): a 4-byte address family in host byte order (little-endian)
# then the IP packet. No Linux tool captures this link type, so the file is
# DERIVED: a real tcpdump capture on loopback (HTTP over 127.0.0.1 and ::1)
# whose Ethernet headers relink.py replaces; IP packets and timestamps are as
# captured.
. "$(dirname "$0")/lib.sh"
PORT=18114
OUT="$CAP_DIR/http-null.pcap"
start_server - 127.0.0.1 $PORT
start_server - ::1 $PORT
start_tcpdump - "$WORK/eth.pcap" -i lo "tcp port $PORT"
client - --port $PORT --source-port 18619 --gap 0.05 GET:/bytes/1200 POST:/echo:len=300
client - --host ::1 --port $PORT --source-port 18620 --gap 0.05 GET:/chunked/800 GET:/status/404
stop_capture
python3 "$MAKE_DIR/relink.py" "$WORK/eth.pcap" "$OUT" null
judge "$OUT"
