# Shared helpers for the capture scripts. Source it from bash:
#   . "$(dirname "$0")/lib.sh"
# Every capture is real traffic between httpd.py and client.py (or curl) on
# loopback or between network namespaces named upx-* joined by veth pairs.
# Whatever a script starts (servers, captures, namespaces) is undone on exit.
set -euo pipefail

MAKE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CAP_DIR=$(dirname "$MAKE_DIR")
WORK=$(mktemp -d /tmp/upx-capture.XXXXXX)
PIDS=()
NETNS=()

cleanup() {
  local p n
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for n in "${NETNS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# in_ns NS CMD...: run CMD inside namespace NS, or here when NS is "-".
# Background jobs use "${NS_PRE[@]}" directly so that $! is the program's own pid
# (ip netns exec execs the command).
in_ns() {
  local ns=$1; shift
  if [ "$ns" = "-" ]; then "$@"; else ip netns exec "$ns" "$@"; fi
}
ns_pre() {
  NS_PRE=()
  if [ "$1" != "-" ]; then NS_PRE=(ip netns exec "$1"); fi
}

# wait_for FILE TEXT: wait (up to 10 s) until TEXT shows in FILE.
wait_for() {
  local i
  for i in $(seq 100); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; return 1
}

# make_ns NAME: a fresh namespace with its loopback up.
make_ns() {
  ip netns del "$1" 2>/dev/null || true
  ip netns add "$1"
  NETNS+=("$1")
  ip netns exec "$1" ip link set lo up
}

# veth NS_A IF_A NS_B IF_B: a veth pair between two namespaces, links up.
# Offloads off, so frames on the wire are MTU-sized with real checksums, as on a
# real network (with them on, the capture shows 64 KB super-segments).
veth() {
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
  ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null
  ip netns exec "$3" ethtool -K "$4" tx off tso off gso off gro off >/dev/null
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
}

# start_server NS ADDR PORT [httpd args]: run httpd.py and wait until it listens.
start_server() {
  local ns=$1 addr=$2 port=$3; shift 3
  local log="$WORK/httpd-$ns-$addr-$port.log"
  ns_pre "$ns"
  "${NS_PRE[@]}" python3 "$MAKE_DIR/httpd.py" --bind "$addr" --port "$port" "$@" 2>"$log" &
  PIDS+=($!)
  wait_for "$log" "listening"
}

# client NS client.py-args...: one client connection, must succeed.
client() {
  local ns=$1; shift
  in_ns "$ns" python3 "$MAKE_DIR/client.py" "$@"
}

# start_tcpdump NS OUT tcpdump-args...: capture with tcpdump -U -w OUT.
# The pid goes in CAP_PID for stop_capture.
start_tcpdump() {
  local ns=$1 out=$2; shift 2
  local log="$WORK/cap-$(basename "$out").log"
  ns_pre "$ns"
  "${NS_PRE[@]}" tcpdump -Z root --immediate-mode -B 8192 -U -w "$out" "$@" 2>"$log" &
  CAP_PID=$!
  PIDS+=("$CAP_PID")
  wait_for "$log" "listening on"
  sleep 0.3
}

# start_dumpcap NS OUT dumpcap-args...: capture with dumpcap (pcapng) to OUT.
start_dumpcap() {
  local ns=$1 out=$2; shift 2
  local log="$WORK/cap-$(basename "$out").log"
  ns_pre "$ns"
  "${NS_PRE[@]}" dumpcap -q -w "$out" "$@" 2>"$log" &
  CAP_PID=$!
  PIDS+=("$CAP_PID")
  wait_for "$log" "Capturing on"
  sleep 0.5
}

# stop_capture [PID]: let the last segments pass, then end the capture cleanly.
# libpcap hands packets over in ring-buffer blocks that are flushed on a timeout
# (1 s for tcpdump); a capture stopped sooner can lose its tail, so wait longer.
stop_capture() {
  local pid=${1:-$CAP_PID}
  sleep 1.2
  kill -INT "$pid"
  wait "$pid" || true
  grep -h "dropped" "$WORK"/cap-*.log >&2 || true
}

# judge FILE: record tshark's verdict next to FILE, and show what it saw.
judge() {
  chmod 644 "$1"
  # A capture that missed frames the endpoints did exchange is not the capture
  # we meant to make (tcpdump on a tun device now and then loses a few): refuse it.
  local lost
  lost=$(tshark -n -r "$1" -Y "tcp.analysis.lost_segment or tcp.analysis.ack_lost_segment" 2>/dev/null | wc -l)
  if [ "$lost" != 0 ]; then echo "$(basename "$1"): $lost frames show capture loss" >&2; return 1; fi
  python3 "$MAKE_DIR/judge.py" "$1"
  echo "== $(basename "$1"): $(capinfos -c -M "$1" | awk -F': *' '/Number of packets/{print $2}') frames"
  tshark -n -r "$1" -o tcp.reassemble_out_of_order:TRUE -Y http \
    -T fields -e frame.number -e tcp.stream -e http.request.method -e http.request.uri -e http.response.code
}

# gzcopy FILE: FILE.gz next to it (no name or time inside, so it is reproducible),
# checked to give tshark the same answer as FILE.
gzcopy() {
  gzip -n -9 -c "$1" >"$1.gz"
  local d="$WORK/gzcheck"
  mkdir -p "$d"
  cp "$1.gz" "$d/"
  python3 "$MAKE_DIR/judge.py" "$d/$(basename "$1").gz"
  local base=${1%.pcapng}; base=${base%.pcap}
  cmp "$d/$(basename "$base").tshark.json" "$base.tshark.json"
}
