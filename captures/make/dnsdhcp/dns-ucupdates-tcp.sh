#!/bin/bash
# dns-ucupdates-tcp.pcap (healthy): the lookups of dns-ucupdates-a.pcap over
# TCP, two queries on one connection (dig +tcp +keepopen), so each direction
# carries two length-prefixed messages.
. "$(dirname "$0")/dnsdhcp-lib.sh"
OUT="$CAP_DIR/dns-ucupdates-tcp.pcap"
net_up
dnsmasq_start --port=53 --local=/$DOMAIN/ --host-record=ucupdates-r2.$DOMAIN,10.99.7.10 \
  --host-record=ucupdates.$DOMAIN,10.99.7.10
cap_start "$OUT" "udp port 53 or tcp port 53"
ask +tcp +keepopen ucupdates-r2.$DOMAIN A ucupdates.$DOMAIN A
cap_stop
oracle_dns "$OUT"
