#!/bin/bash
# dus-missing-server-version.pcap: the answer offers 3.5.6907.0 but has no
# ServerVersion; the phone ignores it and downloads nothing (seed comment 2).
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-missing-server-version.pcap"
dus_up
srv_start --fault no-server-version
cap_start "$OUT"
phone --version 1.0.522.103 --src-port 49200
cap_stop
finish "$OUT" --shows "A phone on 1.0.522.103 is offered 3.5.6907.0 in an answer without ServerVersion, so it ignores the offer and fetches nothing." \
  --finding "missing-server-version error resp:1" \
  --finding "update-offered-not-downloaded warning resp:1"
