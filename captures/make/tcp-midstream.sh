#!/usr/bin/env bash
# A capture that starts in the middle of a keep-alive connection: the phone asks
# for two small bodies, then a 200 KB one which it reads slowly (small receive
# buffer, short sleeps, so the server is held back by the phone's window), and
# tcpdump is started only while that body is on its way. The file has no
# handshake, no first requests, and begins mid-body; a last small GET follows.
. "$(dirname "$0")/netns-relay.sh"
OUT=$CAP_DIR/tcp-midstream.pcap
topo_up --seed 23
srv_start
cat >"$WORK/slow-client.py" <<PY
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
s.connect(("$SRV_IP", $PORT))
def get(n, slow=False):
    s.sendall(b"GET /bytes/%d HTTP/1.1\r\nHost: $SRV_IP:$PORT\r\nUser-Agent: upxray-slow/1\r\n\r\n" % n)
    if slow:
        print("big", file=sys.stderr, flush=True)
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(4096)
    head, _, got = buf.partition(b"\r\n\r\n")
    want = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    have = len(got)
    while have < want:
        have += len(s.recv(min(4096, want - have)))
        if slow:
            time.sleep(0.01)
    print(f"GET /bytes/{n} -> {have}", file=sys.stderr, flush=True)
get(20000); get(30000); get(200000, slow=True); get(5000)
s.close()
PY
ip netns exec upx-phone python3 "$WORK/slow-client.py" 2>"$WORK/client.log" &
CLIENT=$!
wait_for "$WORK/client.log" big
sleep 0.25
cap_start upx-phone phone "$OUT"
wait $CLIENT
cat "$WORK/client.log" >&2
cap_stop
relay_stop
judge "$OUT"
