#!/bin/bash
# dus-check-in-failed-timeout.pcap: the phone's SYN to 10.99.2.90:443 is never
# answered (the server namespace has a blackhole route back to the phone, which drops
# its SYN-ACK as a firewall would; there is no iptables or tc action here to drop the
# SYN itself). The phone gives up after 4 s: the first SYN and its retransmissions.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-check-in-failed-timeout.pcap"
dus_up
ip -n $SRV_NS route add blackhole $PHONE_IP/32
cap_start "$OUT"
phone --port 443 --version 3.5.6907.0 --src-port 49200 --timeout 4
cap_stop
finish "$OUT" --shows "The phone's SYN to 10.99.2.90:443 is never answered: it is retransmitted for 4 s, then the phone gives up (WinInet 12002, timeout)." \
  --finding "check-in-failed error syn:1"
