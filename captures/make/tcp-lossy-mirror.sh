#!/usr/bin/env bash
# A lossy mirror (SPAN) port: the phone and the server get every frame, but the
# copy the relay writes to the monitor drops some data frames. The capture has
# holes that are never filled: no retransmission, the peer's ACKs go past them.
. "$(dirname "$0")/netns-relay.sh"
OUT=$CAP_DIR/tcp-lossy-mirror.pcap
topo_up --mirror-drop-rate 0.05 --mirror-only-data --mirror-skip 60 --seed 5
srv_start
cap_start upx-mon mon-m "$OUT"
in_phone python3 "$MAKE_DIR/client.py" --host $SRV_IP --port $PORT \
    GET:/bytes/20000 GET:/bytes/60000 GET:/bytes/1000 GET:/bytes/40000 GET:/bytes/2000 GET:/bytes/30000
cap_stop
relay_stop
judge "$OUT"
