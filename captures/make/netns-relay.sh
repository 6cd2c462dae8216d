# Shared plumbing for the "hard network" captures; source it from a scenario script.
#
#   upx-phone: phone 10.99.1.2/24 ── relay-a ┐
#                                            upx-relay: relay.py (no IP)
#   upx-srv:   srv   10.99.1.1/24 ── relay-b ┘    └─ relay-m ── mon-m  (upx-mon, mirror)
#
# Both endpoints run their own kernel TCP; relay.py forwards frames between the
# two veth pairs and drops, delays, duplicates, tags or rewrites them on the way.
# Offloads are off on every veth so every frame is a real, MTU-sized Ethernet
# frame with a correct checksum, as it would be on a wire.
#
# Functions:
#   topo_up [relay.py options...]   build the namespaces and start the relay
#   topo_down                       stop everything started here, delete the namespaces
#   cap_start NS IFACE FILE [filter] start tcpdump and wait until it listens
#   cap_stop                        stop tcpdump (flushes the file)
#   srv_start                       httpd.py on 10.99.1.1:8080 (or [fd00:99::1]:8080 with UPX_V6=1)
#   in_phone / in_srv CMD...        run a command in that namespace
#   judge FILE                      tshark's verdict (judge.py) next to FILE
# Set UPX_V6=1 before topo_up to give both ends fd00:99::2 / fd00:99::1 too.

set -euo pipefail

MAKE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CAP_DIR=$(cd "$MAKE_DIR/.." && pwd)
NS_LIST="upx-phone upx-relay upx-srv upx-mon"
SRV_IP=10.99.1.1
PHONE_IP=10.99.1.2
SRV_IP6=fd00:99::1
PHONE_IP6=fd00:99::2
PORT=8080
UPX_V6=${UPX_V6:-0}
WORK=$(mktemp -d /tmp/upx-hard.XXXXXX)
RELAY_PID= TCPDUMP_PID= HTTPD_PID=

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
in_phone() { in_ns upx-phone "$@"; }
in_srv() { in_ns upx-srv "$@"; }

ns_clean() {
    local ns
    for ns in $NS_LIST; do
        ip netns del "$ns" 2>/dev/null || true
    done
}

# Quiet a namespace: no IPv6 autoconfiguration chatter unless asked for, so the
# captures hold the scenario's traffic and nothing else.
ns_sysctl() {
    local ns=$1 v6=$2
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=$((1 - v6)) net.ipv6.conf.default.disable_ipv6=$((1 - v6))
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 2>/dev/null || true
    in_ns "$ns" sysctl -qw net.ipv6.conf.default.router_solicitations=0 2>/dev/null || true
}

topo_up() {
    ns_clean
    local ns
    for ns in $NS_LIST; do ip netns add "$ns"; done
    ns_sysctl upx-phone "$UPX_V6"
    ns_sysctl upx-srv "$UPX_V6"
    ns_sysctl upx-relay 0
    ns_sysctl upx-mon 0
    ip link add phone netns upx-phone address 02:99:00:01:00:02 type veth peer name relay-a netns upx-relay address 02:99:00:00:00:0a
    ip link add srv netns upx-srv address 02:99:00:01:00:01 type veth peer name relay-b netns upx-relay address 02:99:00:00:00:0b
    ip link add mon-m netns upx-mon address 02:99:00:00:00:0e type veth peer name relay-m netns upx-relay address 02:99:00:00:00:0d
    # The mirror carries tagged copies of full-size frames: room for two tags.
    in_ns upx-relay ip link set relay-m mtu 1600
    in_ns upx-mon ip link set mon-m mtu 1600
    in_phone python3 "$MAKE_DIR/relay.py" --offload-off phone
    in_srv python3 "$MAKE_DIR/relay.py" --offload-off srv
    in_ns upx-relay python3 "$MAKE_DIR/relay.py" --offload-off relay-a relay-b relay-m
    in_ns upx-mon python3 "$MAKE_DIR/relay.py" --offload-off mon-m
    in_phone ip addr add $PHONE_IP/24 dev phone
    in_srv ip addr add $SRV_IP/24 dev srv
    if [ "$UPX_V6" = 1 ]; then
        in_phone ip addr add $PHONE_IP6/64 dev phone nodad
        in_srv ip addr add $SRV_IP6/64 dev srv nodad
    fi
    in_phone ip link set lo up
    in_srv ip link set lo up
    in_ns upx-relay ip link set relay-a up
    in_ns upx-relay ip link set relay-b up
    in_ns upx-relay ip link set relay-m up
    in_ns upx-mon ip link set mon-m up
    in_phone ip link set phone up
    in_srv ip link set srv up
    ip netns exec upx-relay python3 "$MAKE_DIR/relay.py" --a relay-a --b relay-b --mirror relay-m "$@" \
        2>"$WORK/relay.log" &
    RELAY_PID=$!
    wait_for "$WORK/relay.log" "relay: ready"
    # Fixed neighbours: no ARP or neighbour discovery whose timing would vary
    # from run to run (the relay passes them untouched when they do happen).
    in_phone ip neigh replace $SRV_IP lladdr 02:99:00:01:00:01 dev phone nud permanent
    in_srv ip neigh replace $PHONE_IP lladdr 02:99:00:01:00:02 dev srv nud permanent
    if [ "$UPX_V6" = 1 ]; then
        in_phone ip -6 neigh replace $SRV_IP6 lladdr 02:99:00:01:00:01 dev phone nud permanent
        in_srv ip -6 neigh replace $PHONE_IP6 lladdr 02:99:00:01:00:02 dev srv nud permanent
    fi
}

wait_for() {  # FILE TEXT: wait up to 5 s for TEXT to appear in FILE
    local i
    for i in $(seq 50); do
        if grep -q "$2" "$1" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "timed out waiting for '$2' in $1" >&2
    cat "$1" >&2 || true
    return 1
}

cap_start() {
    local ns=$1 ifc=$2 file=$3 filter=${4:-}
    CAP_FILE=$file
    # --immediate-mode and -U: hand each packet over and write it as it comes;
    # otherwise packets still in the kernel ring block are lost at SIGINT.
    ip netns exec "$ns" tcpdump --immediate-mode -i "$ifc" -s 0 -U -n -w "$WORK/cap.pcap" $filter 2>"$WORK/tcpdump.log" &
    TCPDUMP_PID=$!
    wait_for "$WORK/tcpdump.log" "listening on"
}

cap_stop() {
    sleep 0.3
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
    grep -h "captured\|dropped" "$WORK/tcpdump.log" >&2 || true
    mv "$WORK/cap.pcap" "$CAP_FILE"
    chown "$(id -u):$(id -g)" "$CAP_FILE"  # tcpdump wrote it as its own user
}

srv_start() {
    local bind=$SRV_IP
    if [ "$UPX_V6" = 1 ]; then bind=::; fi
    ip netns exec upx-srv python3 "$MAKE_DIR/httpd.py" --bind "$bind" --port $PORT 2>"$WORK/httpd.log" &
    HTTPD_PID=$!
    wait_for "$WORK/httpd.log" "listening"
}

relay_stop() {
    if [ -n "$RELAY_PID" ]; then
        kill -TERM "$RELAY_PID" 2>/dev/null || true
        wait "$RELAY_PID" 2>/dev/null || true
        RELAY_PID=
        grep -h "relay: {" "$WORK/relay.log" >&2 || true
    fi
}

topo_down() {
    if [ -n "$TCPDUMP_PID" ]; then kill -INT "$TCPDUMP_PID" 2>/dev/null || true; wait "$TCPDUMP_PID" 2>/dev/null || true; fi
    if [ -n "$HTTPD_PID" ]; then kill "$HTTPD_PID" 2>/dev/null || true; wait "$HTTPD_PID" 2>/dev/null || true; fi
    relay_stop
    TCPDUMP_PID= HTTPD_PID=
    ns_clean
    rm -rf "$WORK"
}

judge() {
    python3 "$MAKE_DIR/judge.py" "$1"
    echo "$(basename "$1"): $(in_tshark_count "$1") frames" >&2
}

in_tshark_count() { tshark -n -r "$1" 2>/dev/null | wc -l; }

trap topo_down EXIT
