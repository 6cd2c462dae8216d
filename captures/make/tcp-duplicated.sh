#!/usr/bin/env bash
# Duplication, over IPv6: the relay sends every 6th TCP frame twice, both ways.
# Captured at the phone: duplicates of the server's frames arrive there (the
# phone's own duplicates are made after the capture point and show up as the
# server's duplicate ACKs / D-SACKs instead).
UPX_V6=1
. "$(dirname "$0")/netns-relay.sh"
OUT=$CAP_DIR/tcp-duplicated.pcap
topo_up --dup-every 6 --seed 11
srv_start
cap_start upx-phone phone "$OUT"
in_phone python3 "$MAKE_DIR/client.py" --host $SRV_IP6 --port $PORT \
    GET:/bytes/25000 POST:/echo:len=20000 GET:/bytes/50000
cap_stop
relay_stop
judge "$OUT"
