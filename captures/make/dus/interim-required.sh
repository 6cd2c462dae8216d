#!/bin/bash
# dus-interim-required.pcap: healthy: a phone on 1.0.522.34 gets the interim build
# 1.0.522.103 from OCInterim/ENU and downloads CPE.nbt and CPE.cat.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-interim-required.pcap"
dus_up
srv_start
cap_start "$OUT"
phone --version 1.0.522.34 --src-port 49200
cap_stop
finish "$OUT" --shows "A phone on 1.0.522.34 is correctly offered the interim build 1.0.522.103 from OCInterim/ENU and downloads CPE.nbt and CPE.cat: a second cycle will follow." \
  --finding "interim-required info resp:1"
