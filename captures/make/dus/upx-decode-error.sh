#!/bin/bash
# dus-upx-decode-error.pcap: the check-in answer is XML cut short (Content-Length
# agrees with the short body), ending inside UpdatesServerInternalUrl.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-upx-decode-error.pcap"
dus_up
srv_start --fault truncated-xml
cap_start "$OUT"
phone --version 1.0.522.103 --src-port 49200
cap_stop
finish "$OUT" --shows "The check-in answer is a 200 text/xml body that stops in the middle of the UpdatesServerInternalUrl element; the phone cannot read it and does nothing." \
  --finding "upx-decode-error error resp:1"
