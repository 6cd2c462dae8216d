#!/bin/bash
# dus-http-error.pcap: the handler's application pool is down: HTTP.sys answers
# the check-in with 503 Service Unavailable.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-http-error.pcap"
dus_up
srv_start --fault handler-503
cap_start "$OUT"
phone --version 1.0.522.103 --src-port 49200
cap_stop
finish "$OUT" --shows "The check-in POST to /RequestHandler/ucdevice.upx answers HTTP.sys's 503 Service Unavailable." \
  --finding "http-error warning req:1 resp:1"
