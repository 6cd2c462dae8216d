#!/bin/bash
# dus-check-in-failed.pcap: nothing listens on 10.99.2.90:443, so the phone's SYN
# is answered by RST (WinInet 12029, "cannot connect").
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-check-in-failed.pcap"
dus_up
cap_start "$OUT"
phone --port 443 --version 3.5.6907.0 --src-port 49200
cap_stop
finish "$OUT" --shows "The phone's check-in connection to 10.99.2.90:443 is refused: its SYN is answered by RST, ACK and no HTTP is ever sent." \
  --finding "check-in-failed error syn:1 rst:1"
