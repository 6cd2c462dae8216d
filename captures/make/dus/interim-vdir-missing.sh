#!/bin/bash
# dus-interim-vdir-missing.pcap: the interim offer is right but GET
# OCInterim/ENU/CPE.nbt answers IIS 404.0: the OCInterim virtual directory is missing.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-interim-vdir-missing.pcap"
dus_up
srv_start --fault interim-404
cap_start "$OUT"
phone --version 1.0.522.34 --src-port 49200
cap_stop
finish "$OUT" --shows "A phone on 1.0.522.34 is correctly offered the interim build, but its GET of OCInterim/ENU/CPE.nbt answers 404: the OCInterim virtual directory is missing." \
  --finding "interim-vdir-missing error req:2 resp:2" \
  --finding "interim-required info resp:1"
