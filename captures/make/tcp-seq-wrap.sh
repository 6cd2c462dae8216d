#!/usr/bin/env bash
# Sequence numbers crossing 2^32: the relay acts as a firewall that shifts the
# server's sequence space (and the phone's acknowledgments and SACK edges back),
# with the shift chosen at the SYN-ACK so that byte 40000 of the server's stream
# has sequence number 0. Captured at the phone, which sees the shifted numbers:
# the wrap falls inside the second response's body.
. "$(dirname "$0")/netns-relay.sh"
OUT=$CAP_DIR/tcp-seq-wrap.pcap
topo_up --seq-offset-to-wrap 40000 --seq-dir b2a --seed 19
srv_start
cap_start upx-phone phone "$OUT"
in_phone python3 "$MAKE_DIR/client.py" --host $SRV_IP --port $PORT \
    GET:/bytes/30000 GET:/bytes/60000 GET:/bytes/20000
cap_stop
relay_stop
judge "$OUT"
