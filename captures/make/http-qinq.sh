#!/usr/bin/env bash
# Double tagging on the mirror: an 802.1ad service tag (TPID 0x88a8, S-VLAN 300)
# outside an 802.1Q customer tag (VLAN 100, priority 5), as a provider bridge
# carries a customer's voice VLAN.
. "$(dirname "$0")/netns-relay.sh"
OUT=$CAP_DIR/http-qinq.pcap
topo_up --mirror-qinq 300,100:5 --seed 17
srv_start
cap_start upx-mon mon-m "$OUT"
in_phone python3 "$MAKE_DIR/client.py" --host $SRV_IP --port $PORT \
    GET:/bytes/20000 POST:/echo:len=3000 GET:/bytes/40000
cap_stop
relay_stop
judge "$OUT"
