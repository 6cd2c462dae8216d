# Plumbing for the DNS and DHCP captures; source it from a scenario script.
#
#   upx-dnsp: the phone, dev ph0, MAC 00:21:63:0f:20:7b (LG-Nortel), 10.99.7.2/24
#             (DHCP scenarios: no address until the server gives one)
#   upx-dnss: dnsmasq, dev srv0, MAC 00:15:5d:0a:07:01, 10.99.7.1/24
#
# IPv6 is off and neighbours are static, so a capture holds the scenario's
# DNS or DHCP packets and nothing else. tcpdump runs on ph0 (the phone's side).
# Every server and client is real: dnsmasq 2.90 answers DNS and DHCP (unbound
# 1.17 for the SERVFAIL capture), dig
# (bind9 dnsutils) asks, ISC dhclient 4.4 leases with vendor class MS-UC-Client.
#
# Functions:
#   net_up [dhcp]              both namespaces; with "dhcp" the phone gets no address
#   dnsmasq_start ARGS...      dnsmasq in upx-dnss on srv0 with ARGS (foreground, tracked);
#                              DNSMASQ_CONF names a config file to read (quoted option
#                              values are only unquoted in a config file)
#   cap_start FILE FILTER / cap_stop
#   ask dig-args...            one dig from the phone to 10.99.7.1 (no EDNS, one try)
#   lease                      one dhclient run (DISCOVER .. ACK) from the phone
#   oracle_dns FILE / oracle_dhcp FILE   write FILE's .tshark.txt
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
PHONE_NS=upx-dnsp
SRV_NS=upx-dnss
PHONE_MAC=00:21:63:0f:20:7b
SRV_MAC=00:15:5d:0a:07:01
PHONE_IP=10.99.7.2
SRV_IP=10.99.7.1
DOMAIN=demo.local

net_up() {
  local ns
  make_ns $PHONE_NS
  make_ns $SRV_NS
  for ns in $PHONE_NS $SRV_NS; do
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip link add ph0 netns $PHONE_NS address $PHONE_MAC type veth peer name srv0 netns $SRV_NS address $SRV_MAC
  ip netns exec $PHONE_NS ethtool -K ph0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
  ip netns exec $SRV_NS ethtool -K srv0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
  ip -n $SRV_NS addr add $SRV_IP/24 dev srv0
  if [ "${1:-}" != dhcp ]; then
    ip -n $PHONE_NS addr add $PHONE_IP/24 dev ph0
    ip -n $PHONE_NS neigh replace $SRV_IP lladdr $SRV_MAC dev ph0 nud permanent
    ip -n $SRV_NS neigh replace $PHONE_IP lladdr $PHONE_MAC dev srv0 nud permanent
  fi
  ip -n $PHONE_NS link set ph0 up
  ip -n $SRV_NS link set srv0 up
}

dnsmasq_start() {
  local log="$WORK/dnsmasq-$RANDOM.log"
  ip netns exec $SRV_NS dnsmasq --keep-in-foreground --log-facility=- --conf-file="${DNSMASQ_CONF:-/dev/null}" \
    --no-resolv --no-hosts --no-poll --local-ttl=300 --interface=srv0 --bind-interfaces \
    --pid-file="$WORK/dnsmasq.pid" --user=root --group=root "$@" >"$log" 2>&1 &
  PIDS+=($!)
  wait_for "$log" "started, version"
  sleep 0.3
}

cap_start() { start_tcpdump $PHONE_NS "$1" -i ph0 -s 0 "$2"; }
cap_stop() { stop_capture; }

ask() {
  ip netns exec $PHONE_NS dig @$SRV_IP +noedns +nocookie +tries=1 +time=3 +noall +comments +answer "$@" | grep -v "^;; WARNING\|^;; You are" || true
}

lease() {
  local log="$WORK/dhclient-$RANDOM.log"
  cat >"$WORK/dhclient.conf" <<CONF
option ms-sip-servers code 120 = string;
send vendor-class-identifier "MS-UC-Client";
send host-name "LG-IP8540";
request subnet-mask, routers, domain-name-servers, domain-name, domain-search,
        vendor-encapsulated-options, ms-sip-servers;
CONF
  ip netns exec $PHONE_NS dhclient -4 -d -v -1 -cf "$WORK/dhclient.conf" -lf "$WORK/dhclient.leases" \
    -pf "$WORK/dhclient.pid" -sf /bin/true ph0 >"$log" 2>&1 &
  local pid=$!
  PIDS+=($pid)
  wait_for "$log" "bound to"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

oracle_dns() {
  chmod 644 "$1"
  tshark -n -r "$1" -Y dns -T fields -e frame.number -e dns.qry.name -e dns.resp.type -e dns.a -e dns.cname \
    -e dns.flags.rcode >"${1%.pcap}.tshark.txt"
  cat "${1%.pcap}.tshark.txt"
}

oracle_dhcp() {
  chmod 644 "$1"
  tshark -n -r "$1" -Y dhcp -T fields -e frame.number -e dhcp.hw.mac_addr -e dhcp.option.dhcp \
    -e dhcp.option.vendor_class_id -e dhcp.option.type -e dhcp.option.domain_name_server \
    -e dhcp.option.domain_name -e dhcp.option.sip_server.name -e dhcp.option.vendor.value >"${1%.pcap}.tshark.txt"
  cat "${1%.pcap}.tshark.txt"
}
