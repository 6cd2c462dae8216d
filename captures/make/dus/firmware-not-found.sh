#!/bin/bash
# dus-firmware-not-found.pcap: the server offers 3.5.6907.0 but the version folder
# is missing: GET CPE.nbt answers IIS 404.0 (seed comment 19: 404 0 2).
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-firmware-not-found.pcap"
dus_up
srv_start --fault file-404
cap_start "$OUT"
phone --version 1.0.522.103 --src-port 49200
cap_stop
finish "$OUT" --shows "A phone on 1.0.522.103 is offered 3.5.6907.0, and the GET of that very CPE.nbt URL answers 404 (IIS 404.0)." \
  --finding "firmware-not-found error req:2 resp:2"
