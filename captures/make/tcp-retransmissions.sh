#!/usr/bin/env bash
# Real loss: the relay drops about 5% of the TCP data frames it forwards, both ways.
# Captured at the server, so the capture holds the originals the phone never got,
# the phone's duplicate ACKs with SACK blocks, and the server's retransmissions.
. "$(dirname "$0")/netns-relay.sh"
OUT=$CAP_DIR/tcp-retransmissions.pcap
topo_up --drop-rate 0.05 --only-data --seed 3
srv_start
cap_start upx-srv srv "$OUT"
in_phone python3 "$MAKE_DIR/client.py" --host $SRV_IP --port $PORT \
    GET:/bytes/30000 GET:/bytes/80000 POST:/echo:len=20000 GET:/bytes/40000 GET:/bytes/20000
cap_stop
relay_stop
judge "$OUT"
