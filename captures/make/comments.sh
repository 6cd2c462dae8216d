#!/bin/bash
# http-comments.pcapng: dumpcap on loopback with a section comment
# (--capture-comment), then editcap -a adds packet comments to the request and
# response frames. One GET and one POST on a keep-alive connection.
. "$(dirname "$0")/lib.sh"
PORT=18111
OUT="$CAP_DIR/http-comments.pcapng"
start_server - 127.0.0.1 $PORT
start_dumpcap - "$WORK/raw.pcapng" -i lo -f "tcp port $PORT" \
  --capture-comment "upxray test capture: HTTP on loopback port $PORT"
client - --port $PORT --source-port 18614 --gap 0.05 GET:/bytes/400 POST:/echo:text=commented
stop_capture
# Comment the frames tshark calls requests and responses, and the SYN.
# (editcap -a keeps one comment per frame: a second -a for a frame replaces it.)
ARGS=()
while read -r n kind; do
  ARGS+=(-a "$n:upxray: $kind in frame $n")
done < <(tshark -n -r "$WORK/raw.pcapng" -Y http -T fields -e frame.number \
  -e http.request.method -e http.response.code | awk '{print $1, ($2 ~ /^[0-9]+$/ ? "response " $2 : "request " $2)}')
ARGS+=(-a "1:first frame: the client's SYN")
editcap "${ARGS[@]}" "$WORK/raw.pcapng" "$OUT"
judge "$OUT"
tshark -r "$OUT" -Y frame.comment -T fields -e frame.number -e frame.comment
capinfos -k "$OUT"
