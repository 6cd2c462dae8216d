#!/usr/bin/env bash
# Remakes the real base captures that derive.py works from: an HTTP GET over
# loopback, recorded by tcpdump (pcap, microsecond and nanosecond) and by
# dumpcap (pcapng). Needs root, tcpdump, dumpcap, editcap, curl and python3.
set -euo pipefail
cd "$(dirname "$0")"
www=$(mktemp -d)
printf 'hello from the capture readers\n' > "$www/hello.txt"
python3 -m http.server 18731 --bind 127.0.0.1 --directory "$www" >/dev/null 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$www"' EXIT
sleep 1

capture() { # capture <out> <command...>
  local out=$1; shift
  "$@" &
  local cap=$!
  sleep 1.5
  curl -s -o /dev/null "http://127.0.0.1:18731/hello.txt"
  sleep 1.5
  kill -INT $cap
  wait $cap || true
  echo "made $out"
}

capture http-lo.pcap tcpdump -q -U -i lo -w http-lo.pcap 'tcp port 18731'
capture http-lo-ns.pcap tcpdump -q -U -i lo --time-stamp-precision=nano -w http-lo-ns.pcap 'tcp port 18731'
capture http-lo.pcapng.tmp dumpcap -q -i lo -f 'tcp port 18731' --capture-comment 'upxray capture-reader sample' -w http-lo.pcapng.tmp
# Packet comments (opt_comment) written by editcap, a real tool.
editcap -a '1:first packet: SYN' -a '4:the GET request' http-lo.pcapng.tmp http-lo.pcapng
rm -f http-lo.pcapng.tmp
chmod 644 http-lo.pcap http-lo-ns.pcap http-lo.pcapng
