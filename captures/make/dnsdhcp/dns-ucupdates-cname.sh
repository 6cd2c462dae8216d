#!/bin/bash
# dns-ucupdates-cname.pcap: ucupdates-r2.demo.local is a CNAME for the pool
# (ocspool.demo.local A 10.99.7.10); the answer holds the CNAME and the A.
. "$(dirname "$0")/dnsdhcp-lib.sh"
OUT="$CAP_DIR/dns-ucupdates-cname.pcap"
net_up
dnsmasq_start --port=53 --local=/$DOMAIN/ --host-record=ocspool.$DOMAIN,10.99.7.10 \
  --cname=ucupdates-r2.$DOMAIN,ocspool.$DOMAIN
cap_start "$OUT" "udp port 53 or tcp port 53"
ask ucupdates-r2.$DOMAIN A
cap_stop
oracle_dns "$OUT"
