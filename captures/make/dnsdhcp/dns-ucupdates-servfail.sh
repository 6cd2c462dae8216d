#!/bin/bash
# dns-ucupdates-servfail.pcap: the phone's DNS server (unbound 1.17) forwards
# demo.local to 127.0.0.1@5399 inside its own namespace, where nothing
# listens: every forwarder fails and unbound answers the phone SERVFAIL.
# (dnsmasq in the same position drops the query or passes REFUSED through.)
. "$(dirname "$0")/dnsdhcp-lib.sh"
OUT="$CAP_DIR/dns-ucupdates-servfail.pcap"
net_up
cat >"$WORK/unbound.conf" <<CONF
server:
  interface: $SRV_IP
  access-control: 10.99.0.0/16 allow
  do-ip6: no
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "$WORK"
  pidfile: "$WORK/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  module-config: "iterator"
forward-zone:
  name: "$DOMAIN"
  forward-addr: 127.0.0.1@5399
CONF
ip netns exec $SRV_NS unbound -d -c "$WORK/unbound.conf" >"$WORK/unbound.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/unbound.log" "start of service"
cap_start "$OUT" "udp port 53 or tcp port 53"
ask +time=10 ucupdates-r2.$DOMAIN A
cap_stop
oracle_dns "$OUT"
