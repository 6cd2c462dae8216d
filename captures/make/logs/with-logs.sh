#!/bin/bash
# dus-with-logs.pcap and the server's logs of the same run: a phone on
# 1.0.522.103 checks in, is offered 3.5.6907.0, downloads CPE.nbt and CPE.cat,
# then checks in again on 3.5.6907.0 and gets Downloads 0. The server is
# dus_server.py wrapped by logged_server.py, whose request log to_logs.py turns
# into an IIS W3C log and a RequestHandlerAuditLog (server clock UTC+1), shifted
# by the capture's retime so both describe the same moments. Then a second pair
# of logs is made by editing the first to contradict the capture:
#   - the IIS line of the CPE.nbt GET says 500 19 5 (the capture has 200);
#   - the IIS line of the CPE.cat GET is deleted (the capture has the request);
#   - the audit line of the first check-in says it offered 3.5.6907.9 (the
#     captured response offers 3.5.6907.0).
. "$(cd "$(dirname "$0")/../dus" && pwd)/dus-lib.sh"
LOGS_DIR="$MAKE_DIR/logs"
FIX="$CAP_DIR/../test/logs/fixtures"
OUT="$CAP_DIR/dus-with-logs.pcap"
REQS="$WORK/requests.jsonl"
dus_up
log="$WORK/logged-server.log"
ip netns exec $SRV_NS python3 "$LOGS_DIR/logged_server.py" --request-log "$REQS" --bind $SRV_IP 2>"$log" &
PIDS+=($!)
wait_for "$log" "listening"
cap_start "$OUT"
phone --version 1.0.522.103 --src-port 49200
sleep 3
phone --version 3.5.6907.0 --src-port 49210
cap_stop
first=$(tshark -r "$OUT" -c 1 -T fields -e frame.time_epoch)
shift_s=$(python3 -c "import sys; print('%.6f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$first" "$(date -u -d "$START_TIME" +%s)")
finish "$OUT" --shows "A phone on 1.0.522.103 is offered 3.5.6907.0, downloads CPE.nbt and CPE.cat, checks in again on 3.5.6907.0 and gets Downloads 0; the server's IIS and audit logs of the same run are test/logs/fixtures/dus-with-logs-*.log."
python3 "$LOGS_DIR/to_logs.py" "$REQS" --shift "$shift_s" --iis "$FIX/dus-with-logs-iis.log" --audit "$FIX/dus-with-logs-audit.log"
# The contradicting pair: the same logs, edited.
sed -e '/CPE\.nbt /s/ 200 0 0 / 500 19 5 /' -e '/CPE\.cat /d' "$FIX/dus-with-logs-iis.log" >"$FIX/dus-with-logs-edited-iis.log"
sed -e '0,/;3\.5\.6907\.0;/s//;3.5.6907.9;/' "$FIX/dus-with-logs-audit.log" >"$FIX/dus-with-logs-edited-audit.log"
chmod 644 "$FIX"/dus-with-logs*.log
cat "$FIX/dus-with-logs-iis.log" "$FIX/dus-with-logs-audit.log"
