#!/bin/bash
# dns-ucupdates-a.pcap (healthy): ucupdates-r2.demo.local is an A record. The
# phone asks for A (answer 10.99.7.10) and AAAA (NOERROR, no data: not a fault),
# and ucupdates.demo.local A.
. "$(dirname "$0")/dnsdhcp-lib.sh"
OUT="$CAP_DIR/dns-ucupdates-a.pcap"
net_up
dnsmasq_start --port=53 --local=/$DOMAIN/ --host-record=ucupdates-r2.$DOMAIN,10.99.7.10 \
  --host-record=ucupdates.$DOMAIN,10.99.7.10
cap_start "$OUT" "udp port 53 or tcp port 53"
ask ucupdates-r2.$DOMAIN A
ask ucupdates-r2.$DOMAIN AAAA
ask ucupdates.$DOMAIN A
cap_stop
oracle_dns "$OUT"
