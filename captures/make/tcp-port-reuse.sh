#!/usr/bin/env bash
# Two connections with the same 4-tuple, one after the other: the phone binds
# source port 40000 both times (SO_REUSEADDR). The server closes first (the last
# request says "Connection: close"), so the TIME_WAIT is on the server's side,
# and Linux lets a new SYN with higher timestamps reuse it; tcp_tw_reuse covers
# the phone's side if its FIN crossed the server's. Captured at the server.
. "$(dirname "$0")/netns-relay.sh"
OUT=$CAP_DIR/tcp-port-reuse.pcap
topo_up --seed 29
in_phone sysctl -qw net.ipv4.tcp_tw_reuse=1
srv_start
cap_start upx-srv srv "$OUT"
in_phone python3 "$MAKE_DIR/client.py" --host $SRV_IP --port $PORT --source-port 40000 --close \
    GET:/bytes/20000 GET:/bytes/3000
sleep 1.2
in_phone python3 "$MAKE_DIR/client.py" --host $SRV_IP --port $PORT --source-port 40000 --close \
    GET:/bytes/30000 GET:/bytes/4000
cap_stop
relay_stop
judge "$OUT"
