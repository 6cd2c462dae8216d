#!/bin/bash
# dus-missing-service-version.pcap: as missing-server-version, but the answer
# lacks ServiceVersion.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-missing-service-version.pcap"
dus_up
srv_start --fault no-service-version
cap_start "$OUT"
phone --version 1.0.522.103 --src-port 49200
cap_stop
finish "$OUT" --shows "A phone on 1.0.522.103 is offered 3.5.6907.0 in an answer without ServiceVersion, so it ignores the offer and fetches nothing." \
  --finding "missing-service-version error resp:1" \
  --finding "update-offered-not-downloaded warning resp:1"
