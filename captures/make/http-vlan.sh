#!/usr/bin/env bash
# An 802.1Q-tagged mirror: the relay copies the phone's link to the monitor with
# a voice-VLAN tag (VLAN 100, priority 5), as a switch SPAN port of a voice VLAN
# does. The endpoints themselves see untagged frames.
. "$(dirname "$0")/netns-relay.sh"
OUT=$CAP_DIR/http-vlan.pcap
topo_up --mirror-vlan 100:5 --seed 13
srv_start
cap_start upx-mon mon-m "$OUT"
in_phone python3 "$MAKE_DIR/client.py" --host $SRV_IP --port $PORT \
    GET:/bytes/20000 POST:/echo:len=3000 GET:/bytes/40000
cap_stop
relay_stop
judge "$OUT"
