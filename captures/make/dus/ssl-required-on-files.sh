#!/bin/bash
# dus-ssl-required-on-files.pcap: DeviceUpdateFiles_Int requires SSL, so the
# plain-HTTP GET of CPE.nbt answers IIS 403.4 (seed comment 15).
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-ssl-required-on-files.pcap"
dus_up
srv_start --fault ssl-403-4
cap_start "$OUT"
phone --version 1.0.522.103 --src-port 49200
cap_stop
finish "$OUT" --shows "A phone on 1.0.522.103 is offered 3.5.6907.0; the plain-HTTP GET of its CPE.nbt answers 403 with IIS's 'HTTP Error 403.4 - Forbidden' (SSL required) page." \
  --finding "ssl-required-on-files error req:2 resp:2"
