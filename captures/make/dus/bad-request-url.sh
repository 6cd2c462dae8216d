#!/bin/bash
# dus-bad-request-url.pcap: a phone whose language setting is broken reports
# Locale 'NL D' (with a space); the server offers OCInterim/NL D/CPE.nbt and the phone
# puts that URL on the request line as is. HTTP.sys answers 400 Invalid URL and closes.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-bad-request-url.pcap"
dus_up
srv_start
cap_start "$OUT"
phone --version 0.0.0.0 --locale 'NL D' --bad-url --src-port 49200
cap_stop
finish "$OUT" --shows "A phone with no version and the broken locale 'NL D' is offered the interim build under OCInterim/NL D/, sends that URL with the raw space on its GET request line and gets HTTP.sys's 400 Invalid URL." \
  --finding "bad-request-url error req:2 resp:2" \
  --finding "interim-required info resp:1"
