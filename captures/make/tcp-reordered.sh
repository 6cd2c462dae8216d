#!/usr/bin/env bash
# Reordering: the relay holds every 9th data frame from the server until 2 later
# frames have passed. Captured at the phone (the receiving side), so the
# segments arrive out of order there; the phone's SACKs and duplicate ACKs follow.
. "$(dirname "$0")/netns-relay.sh"
OUT=$CAP_DIR/tcp-reordered.pcap
topo_up --delay-every 9 --delay-by 2 --dir b2a --only-data --seed 7
srv_start
cap_start upx-phone phone "$OUT"
in_phone python3 "$MAKE_DIR/client.py" --host $SRV_IP --port $PORT \
    GET:/bytes/30000 GET:/bytes/70000 GET:/bytes/25000
cap_stop
relay_stop
judge "$OUT"
