#!/bin/bash
# dhcp-healthy.pcap (healthy): the phone (vendor class MS-UC-Client, asking for
# 43, 120, 6, 15, 119) leases from dnsmasq, which answers with option 43
# carrying the five UC sub-options, 120 (ocspool.demo.local), 6, 15 and 119.
. "$(dirname "$0")/dnsdhcp-lib.sh"
OUT="$CAP_DIR/dhcp-healthy.pcap"
net_up dhcp
# The UC provisioning sub-options of option 43, for vendor class MS-UC-Client
# only; quoted so that dnsmasq sends "443" as text, not as a number.
DNSMASQ_CONF="$WORK/uc.conf"
cat >"$DNSMASQ_CONF" <<CONF
dhcp-option=vendor:MS-UC-Client,1,"MS-UC-Client"
dhcp-option=vendor:MS-UC-Client,2,"https"
dhcp-option=vendor:MS-UC-Client,3,"ocspool.$DOMAIN"
dhcp-option=vendor:MS-UC-Client,4,"443"
dhcp-option=vendor:MS-UC-Client,5,"/CertProv/CertProvisioningService.svc"
CONF
dnsmasq_start --port=0 --dhcp-range=10.99.7.100,10.99.7.150,255.255.255.0,1h \
  --dhcp-leasefile="$WORK/leases" --dhcp-authoritative \
  --dhcp-option=option:router,10.99.7.1 --dhcp-option=option:dns-server,10.99.7.1 \
  --dhcp-option=option:domain-name,$DOMAIN --dhcp-option=option:domain-search,$DOMAIN \
  --dhcp-option=option:sip-server,ocspool.$DOMAIN
cap_start "$OUT" "udp port 67 or udp port 68"
lease
cap_stop
oracle_dhcp "$OUT"
