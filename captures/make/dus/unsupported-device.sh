#!/bin/bash
# dus-unsupported-device.pcap: a Microsoft DV1 checks in; nothing on the server
# is for it and it gets Downloads 0.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-unsupported-device.pcap"
dus_up 00:50:f2:0d:00:01
srv_start
cap_start "$OUT"
phone --unsupported --mac 0050F20D0001 --serial DV1A0012345 --version 1.0.522.101 --src-port 49200
cap_stop
finish "$OUT" --shows "A Microsoft DV1 on 1.0.522.101 checks in and gets Downloads 0: the model is no longer supported, not even by the interim build." \
  --finding "unsupported-device error req:1"
