#!/bin/bash
# dus-demo.pcap: the seed's story, one phone (LG-Nortel IP8540 rev A, ENU, MAC
# 0021630F207B, serial C185H001209, a test device) and one server, in three cycles:
#   17:07:20  check-in with no version (0.0.0.0): Downloads 0 (in-band provisioning)
#   17:10:39  after a manual reboot, still 0.0.0.0: offered the interim 1.0.522.103
#             under OCInterim/ENU, downloads CPE.nbt and CPE.cat
#   17:18:54  after five idle minutes and the automatic reboot, on 1.0.522.103:
#             offered 3.5.6907.0, downloads CPE.nbt and CPE.cat
# Each cycle is captured on its own, shifted with editcap -t to the seed's time
# (the gaps are the phone's reboot waits, not slept here), then joined with mergecap -a.
# The server's Date headers follow the same clock.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-demo.pcap"
dus_up
DATE_FILE="$WORK/date"
srv_start --provision-first --date-file "$DATE_FILE"
cycle() {  # cycle N "YYYY-mm-dd HH:MM:SS" phone-args...
  local n=$1 when=$2; shift 2
  date -u -d "$when" "+%a, %d %b %Y %H:%M:%S GMT" >"$DATE_FILE"
  cap_start "$WORK/cycle$n.pcap"
  phone "$@"
  cap_stop
  retime "$WORK/cycle$n.pcap" "$when"
}
cycle 1 "2009-03-06 17:07:20" --version 0.0.0.0 --src-port 49200
cycle 2 "2009-03-06 17:10:39" --version 0.0.0.0 --src-port 49210
cycle 3 "2009-03-06 17:18:54" --version 1.0.522.103 --src-port 49220
mergecap -F pcap -a -w "$OUT" "$WORK/cycle1.pcap" "$WORK/cycle2.pcap" "$WORK/cycle3.pcap"
chmod 644 "$OUT"
judge "$OUT"
python3 "$DUS_DIR/expect.py" "$OUT" \
  --shows "The seed's three cycles: a first check-in with no version gets Downloads 0, the second (3 min later, still 0.0.0.0) gets and downloads the interim 1.0.522.103 from OCInterim/ENU, and the third (8 min later, on 1.0.522.103) gets and downloads 3.5.6907.0." \
  --finding "interim-required info resp:2"
