#!/bin/bash
# dus-download-truncated.pcap: the server announces Content-Length 65536 for
# CPE.nbt, sends 24576 bytes of it and closes the connection (FIN).
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-download-truncated.pcap"
dus_up
srv_start --fault short-body
cap_start "$OUT"
phone --version 1.0.522.103 --src-port 49200
cap_stop
finish "$OUT" --shows "A phone on 1.0.522.103 is offered 3.5.6907.0; the CPE.nbt answer announces 65536 bytes, carries 24576 and the server closes the connection." \
  --finding "download-truncated error req:2 fin:2"
