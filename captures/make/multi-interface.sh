#!/bin/bash
# http-multi-interface.pcapng: two real captures in one namespace merged with
# mergecap into one pcapng with two interfaces: interface 0 is tcpdump on lo
# (Ethernet, microsecond timestamps) with an HTTP connection over 127.0.0.1;
# interface 1 is tcpdump -i any (Linux cooked v2, nanosecond timestamps) with an
# HTTP connection over a veth pair to a second namespace (10.99.2.2 -> 10.99.2.1).
# The two connections overlap in time, so their frames interleave.
. "$(dirname "$0")/lib.sh"
PORT=18110
OUT="$CAP_DIR/http-multi-interface.pcapng"
make_ns upx-mic
make_ns upx-mis
veth upx-mic upx-mic0 upx-mis upx-mis0
ip -n upx-mic addr add 10.99.2.2/24 dev upx-mic0
ip -n upx-mis addr add 10.99.2.1/24 dev upx-mis0
start_server upx-mic 127.0.0.1 $PORT
start_server upx-mis 10.99.2.1 $PORT
start_tcpdump upx-mic "$WORK/lo.pcap" -i lo "tcp port $PORT"
LO_PID=$CAP_PID
start_tcpdump upx-mic "$WORK/any.pcap" -i any --time-stamp-precision=nano "net 10.99.2.0/24"
ANY_PID=$CAP_PID
client upx-mic --port $PORT --source-port 18612 --gap 0.1 GET:/bytes/700 GET:/chunked/900 &
C1=$!
sleep 0.05
client upx-mic --host 10.99.2.1 --port $PORT --source-port 18613 --gap 0.1 GET:/gzip/3000 POST:/echo:len=400
wait $C1
stop_capture $LO_PID
stop_capture $ANY_PID
mergecap -F pcapng -w "$OUT" "$WORK/lo.pcap" "$WORK/any.pcap"
judge "$OUT"
tshark -r "$OUT" -T fields -e frame.interface_id -e frame.encap_type | sort | uniq -c
