#!/bin/bash
# dus-upx-decode-error-html.pcap: the check-in answer is 200 text/xml but its body is
# an ASP.NET error page in HTML, not a Response document.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-upx-decode-error-html.pcap"
dus_up
srv_start --fault not-xml
cap_start "$OUT"
phone --version 1.0.522.103 --src-port 49200
cap_stop
finish "$OUT" --shows "The check-in answer is 200 with Content-Type text/xml, but its body is an HTML error page, not a Response document; the phone does nothing." \
  --finding "upx-decode-error error resp:1"
