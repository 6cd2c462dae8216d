#!/bin/bash
# Remake every capture in captures/ (and its .tshark.json). Needs root (network
# namespaces, tcpdump, dumpcap), tshark, capinfos, editcap, mergecap, ethtool.
# A script whose capture came out with frames missing fails; it gets 3 tries.
set -uo pipefail
cd "$(dirname "$0")"
for s in keepalive nanosecond chunked-gzip pipelined statuses sll sll2 ipv6 \
         udp-fragments multi-interface comments snaplen raw-ip null loop; do
  for try in 1 2 3; do
    echo "### $s (try $try)"
    if bash "./$s.sh" 2>&1 | grep -v 'This could be dangerous'; then continue 2; fi
  done
  echo "$s failed 3 times" >&2
  exit 1
done
