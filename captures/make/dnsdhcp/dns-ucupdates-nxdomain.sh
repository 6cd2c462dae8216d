#!/bin/bash
# dns-ucupdates-nxdomain.pcap: dnsmasq is authoritative for demo.local and has
# no ucupdates-r2 record: NXDOMAIN. A lookup of another name (ocspool A) works.
. "$(dirname "$0")/dnsdhcp-lib.sh"
OUT="$CAP_DIR/dns-ucupdates-nxdomain.pcap"
net_up
dnsmasq_start --port=53 --local=/$DOMAIN/ --host-record=ocspool.$DOMAIN,10.99.7.10
cap_start "$OUT" "udp port 53 or tcp port 53"
ask ocspool.$DOMAIN A
ask ucupdates-r2.$DOMAIN A
cap_stop
oracle_dns "$OUT"
