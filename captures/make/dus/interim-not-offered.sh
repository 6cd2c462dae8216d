#!/bin/bash
# dus-interim-not-offered.pcap: a phone on 1.0.522.34 is offered 3.5.6907.0
# directly instead of the interim build, and downloads it.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-interim-not-offered.pcap"
dus_up
srv_start --fault skip-interim
cap_start "$OUT"
phone --version 1.0.522.34 --src-port 49200
cap_stop
finish "$OUT" --shows "A phone on 1.0.522.34 (below 1.0.522.98) is offered 3.5.6907.0 directly instead of the interim build 1.0.522.103, and downloads it." \
  --finding "interim-not-offered error resp:1"
