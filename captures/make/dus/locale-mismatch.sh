#!/bin/bash
# dus-locale-mismatch.pcap: the server holds only Dutch (NLD) files for the
# IP8540 and offers them to an English (ENU) phone, which downloads them (seed comment 5).
# Server inventory: inventory-nld.json.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-locale-mismatch.pcap"
dus_up
srv_start --inventory "$DUS_DIR/inventory-nld.json" --fault other-locale
cap_start "$OUT"
phone --version 1.0.522.103 --locale ENU --src-port 49200
cap_stop
finish "$OUT" --shows "An ENU phone on 1.0.522.103 is offered the NLD build 3.5.6907.0 (the only locale on the server) and downloads its CPE.nbt and CPE.cat." \
  --finding "locale-mismatch error resp:1"
