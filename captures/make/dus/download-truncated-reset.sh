#!/bin/bash
# dus-download-truncated-reset.pcap: the server sends 24576 of the 65536
# announced bytes of CPE.nbt, then resets the connection.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-download-truncated-reset.pcap"
dus_up
srv_start --fault reset
cap_start "$OUT"
phone --version 1.0.522.103 --src-port 49200
cap_stop
finish "$OUT" --shows "A phone on 1.0.522.103 is offered 3.5.6907.0; the CPE.nbt answer announces 65536 bytes and the server resets the connection after 24576 of them." \
  --finding "download-truncated error req:2 rst:1"
