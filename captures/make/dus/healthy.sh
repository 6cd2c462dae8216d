#!/bin/bash
# dus-healthy.pcap: a phone already on 3.5.6907.0 checks in and gets Downloads 0.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-healthy.pcap"
dus_up
srv_start
cap_start "$OUT"
phone --version 3.5.6907.0 --src-port 49200
cap_stop
finish "$OUT" --shows "A phone already running 3.5.6907.0 checks in over plain HTTP and is told Downloads 0: nothing to do, nothing wrong."
