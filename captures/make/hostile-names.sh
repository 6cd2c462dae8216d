#!/bin/bash
# http-hostile-names.pcap: requests whose URIs would be dangerous as file names
# or on a terminal: dot-dot paths (raw and %-encoded), a Windows drive path, a
# device name, a NUL, and ESC sequences (screen clear, window title, OSC 52
# clipboard write) in the URI and in a header. The server answers each with a
# small body, so `upxray objects` must name a file after every one of them.
. "$(dirname "$0")/lib.sh"
PORT=18131
OUT="$CAP_DIR/http-hostile-names.pcap"
start_server - 127.0.0.1 $PORT
start_tcpdump - "$OUT" -i lo -s 0 "tcp port $PORT"
client - --port $PORT --source-port 18631 --gap 0.02 \
  --header $'X-Evil: \e]52;c;ZXZpbA==\a\e[2J' \
  'GET:/x/../../etc/passwd' \
  'GET:/x/..%2f..%2fetc%2fpasswd' \
  'GET:/x/C%3a%5cWindows%5cwin.ini' \
  'GET:/x/CON' \
  'GET:/x/nul%00.txt' \
  $'GET:/x/\e[2J\e]0;pwned\a' \
  'GET:/x/%1b]52;c;ZXZpbA==%07' \
  'GET:/x/..' \
  'GET:/'
stop_capture
judge "$OUT"
