#!/bin/bash
# dus-download-forbidden-acl.pcap: GET of the offered CPE.nbt answers IIS 500.19
# (configuration unreadable, 0x80070005): the shared updates folder's ACL (seed: 500 19 5).
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-download-forbidden-acl.pcap"
dus_up
srv_start --fault acl-500-19
cap_start "$OUT"
phone --version 1.0.522.103 --src-port 49200
cap_stop
finish "$OUT" --shows "A phone on 1.0.522.103 is offered 3.5.6907.0; the GET of its CPE.nbt answers 500 with IIS's 'HTTP Error 500.19 - Internal Server Error' page (0x80070005, configuration file unreadable)." \
  --finding "download-forbidden-acl error req:2 resp:2"
