#!/bin/bash
# tui-hostile.pcap: a check-in cycle whose every string field tries to drive the
# terminal. The phone's Locale is an OSC title + clear screen (so the offered
# interim URL and the phone's raw GET of it carry them too, answered 400 by
# HTTP.sys), its Host header switches to the alternate screen; the server
# (hostile_server.py) adds an OSC 52 clipboard write and a C1 CSI in a header and
# escapes and a bidi override in its XML. upxray browse must show all of it
# neutralised (test/tui/hostile.test.tsx).
. "$(dirname "$0")/../dus/dus-lib.sh"
OUT="$CAP_DIR/tui-hostile.pcap"
dus_up
log="$WORK/hostile-server.log"
ip netns exec $SRV_NS python3 "$MAKE_DIR/tui/hostile_server.py" --bind $SRV_IP 2>"$log" &
PIDS+=($!)
wait_for "$log" "listening"
cap_start "$OUT"
phone --version 0.0.0.0 --locale '\x1b]0;pwned\x07\x1b[2JENU' --bad-url \
  --host $'ocs.demo.local\e[?1049h' --src-port 49200
cap_stop
retime "$OUT" "$START_TIME"
judge "$OUT"
