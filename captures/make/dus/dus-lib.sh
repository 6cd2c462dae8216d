# Plumbing for the Device Update Service captures; source it from a scenario script.
#
#   upx-dusp: phone 10.99.2.123/24, dev ph0, MAC = the phone's MAC ──┐ veth
#   upx-duss: server 10.99.2.90/24, dev srv0, MAC 00:15:5d:0a:02:5a ──┘
#
# tcpdump runs on ph0 (the phone's side) and writes classic pcap. Neighbours are
# static and IPv6 is off, so a capture holds the scenario's TCP and nothing else,
# and frame numbers are the same on every run. Offloads are off so every frame is a
# real MTU-sized Ethernet frame. Captures are then shifted in time so that they start
# on the seed's date (6 March 2009), to match the Date headers the server writes.
#
# Functions:
#   dus_up [PHONE_MAC]           build both namespaces (default MAC 00:21:63:0f:20:7b)
#   srv_start [dus_server args]  the fake service on 10.99.2.90:80 (or --port N)
#   cap_start FILE / cap_stop    tcpdump on the phone side
#   phone [phone.py args]        one update cycle of the phone
#   retime FILE "YYYY-mm-dd HH:MM:SS"   shift FILE so its first frame is at that UTC time
#   finish FILE --shows ... --finding ...   retime, judge.py, then expect.py
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
DUS_DIR="$MAKE_DIR/dus"
PHONE_NS=upx-dusp
SRV_NS=upx-duss
PHONE_IP=10.99.2.123
SRV_IP=10.99.2.90
SRV_MAC=00:15:5d:0a:02:5a
START_TIME="2009-03-06 17:10:39"

dus_up() {
  local mac=${1:-00:21:63:0f:20:7b} ns
  make_ns $PHONE_NS
  make_ns $SRV_NS
  for ns in $PHONE_NS $SRV_NS; do
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip link add ph0 netns $PHONE_NS address "$mac" type veth peer name srv0 netns $SRV_NS address $SRV_MAC
  ip -n $PHONE_NS addr add $PHONE_IP/24 dev ph0
  ip -n $SRV_NS addr add $SRV_IP/24 dev srv0
  ip netns exec $PHONE_NS ethtool -K ph0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
  ip netns exec $SRV_NS ethtool -K srv0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
  ip -n $PHONE_NS link set ph0 up
  ip -n $SRV_NS link set srv0 up
  ip -n $PHONE_NS neigh replace $SRV_IP lladdr $SRV_MAC dev ph0 nud permanent
  ip -n $SRV_NS neigh replace $PHONE_IP lladdr "$mac" dev srv0 nud permanent
}

srv_start() {
  local log="$WORK/dus-server-$RANDOM.log"
  ip netns exec $SRV_NS python3 "$DUS_DIR/dus_server.py" --bind $SRV_IP "$@" 2>"$log" &
  PIDS+=($!)
  SRV_PID=$!
  wait_for "$log" "listening"
}

# srv_stop: stop the last server started (its pid only).
srv_stop() {
  kill "$SRV_PID" 2>/dev/null || true
  wait "$SRV_PID" 2>/dev/null || true
}

cap_start() { start_tcpdump $PHONE_NS "$1" -i ph0 -s 0; }
cap_stop() { stop_capture; }

phone() { ip netns exec $PHONE_NS python3 "$DUS_DIR/phone.py" --server-ip $SRV_IP "$@"; }

retime() {
  local f=$1 when=$2 first target delta
  first=$(tshark -r "$f" -c 1 -T fields -e frame.time_epoch)
  target=$(date -u -d "$when" +%s)
  delta=$(python3 -c "import sys; print('%.6f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$first" "$target")
  editcap -F pcap -t "$delta" "$f" "$WORK/retimed.pcap"
  cat "$WORK/retimed.pcap" >"$f"
  chmod 644 "$f"
}

finish() {
  local f=$1; shift
  retime "$f" "$START_TIME"
  judge "$f"
  python3 "$DUS_DIR/expect.py" "$f" "$@"
}
