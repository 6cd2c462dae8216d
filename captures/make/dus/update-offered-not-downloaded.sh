#!/bin/bash
# dus-update-offered-not-downloaded.pcap: a healthy offer of 3.5.6907.0 that
# the phone never fetches.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-update-offered-not-downloaded.pcap"
dus_up
srv_start
cap_start "$OUT"
phone --version 1.0.522.103 --no-download --src-port 49200
cap_stop
finish "$OUT" --shows "A phone on 1.0.522.103 is offered 3.5.6907.0 in a complete, correct answer and never fetches the file." \
  --finding "update-offered-not-downloaded warning resp:1"
