#!/bin/bash
# dhcp-missing-options.pcap: the same phone and request as dhcp-healthy.pcap,
# but dnsmasq has neither the MS-UC-Client vendor options (43) nor 120: the
# OFFER and ACK carry 6 and 15 only.
. "$(dirname "$0")/dnsdhcp-lib.sh"
OUT="$CAP_DIR/dhcp-missing-options.pcap"
net_up dhcp
dnsmasq_start --port=0 --dhcp-range=10.99.7.100,10.99.7.150,255.255.255.0,1h \
  --dhcp-leasefile="$WORK/leases" --dhcp-authoritative \
  --dhcp-option=option:router,10.99.7.1 --dhcp-option=option:dns-server,10.99.7.1 \
  --dhcp-option=option:domain-name,$DOMAIN
cap_start "$OUT" "udp port 67 or udp port 68"
lease
cap_stop
oracle_dhcp "$OUT"
