#!/bin/bash
# dns-ucupdates-noanswer.pcap: dnsmasq forwards demo.local to 127.0.0.1#5399
# inside its own namespace, where nothing listens, and gives up without a
# word: the phone's query and its retry get no response at all.
. "$(dirname "$0")/dnsdhcp-lib.sh"
OUT="$CAP_DIR/dns-ucupdates-noanswer.pcap"
net_up
dnsmasq_start --port=53 --server=/$DOMAIN/127.0.0.1#5399
cap_start "$OUT" "udp port 53 or tcp port 53"
ask +tries=2 +time=2 ucupdates-r2.$DOMAIN A
cap_stop
oracle_dns "$OUT"
