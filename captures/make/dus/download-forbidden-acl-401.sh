#!/bin/bash
# dus-download-forbidden-acl-401.pcap: the same ACL fault seen as IIS 401.3
# (access denied by the ACL) instead of 500.19.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-download-forbidden-acl-401.pcap"
dus_up
srv_start --fault firmware-401
cap_start "$OUT"
phone --version 1.0.522.103 --src-port 49200
cap_stop
finish "$OUT" --shows "A phone on 1.0.522.103 is offered 3.5.6907.0; the GET of its CPE.nbt answers 401 with IIS's 'HTTP Error 401.3 - Unauthorized' (ACL) page." \
  --finding "download-forbidden-acl error req:2 resp:2"
