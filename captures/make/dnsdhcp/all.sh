#!/bin/bash
# Remake every DNS and DHCP capture and its .tshark.txt. Needs root (network
# namespaces), tcpdump, tshark, dnsmasq, unbound, dig (dnsutils), dhclient
# (isc-dhcp-client), ethtool.
set -euo pipefail
cd "$(dirname "$0")"
for s in dns-ucupdates-a dns-ucupdates-cname dns-ucupdates-nxdomain dns-ucupdates-servfail \
         dns-ucupdates-noanswer dns-ucupdates-tcp dhcp-healthy dhcp-missing-options; do
  echo "### $s"
  bash "./$s.sh" 2>&1 | grep -v 'This could be dangerous'
done
