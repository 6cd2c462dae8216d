#!/bin/bash
# dus-legacy-upx-path.pcap: a Polycom CX700 on 1.0.452.0 posts its check-in to
# /UCDeviceUpdates/ucdevice.upx, which has no virtual directory: IIS 404.0.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-legacy-upx-path.pcap"
dus_up 00:04:f2:a1:b2:c3
srv_start --fault legacy-404
cap_start "$OUT"
phone --handler legacy --vendor Polycom --model CX700 --mac 0004F2A1B2C3 --serial CX7A0452001 \
  --version 1.0.452.0 --src-port 49200
cap_stop
finish "$OUT" --shows "A Polycom CX700 on 1.0.452.0 posts its check-in to the legacy /UCDeviceUpdates/ucdevice.upx and gets 404: the redirecting virtual directory is missing." \
  --finding "legacy-upx-path error req:1 resp:1"
