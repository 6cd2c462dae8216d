#!/usr/bin/env bash
# Resets. (1) A server on port 8081 answers a first GET in full, then sends the
# head and 25000 of the 60000 body bytes of a second answer and closes with
# SO_LINGER 0: the connection ends with an RST in the middle of the body.
# (2) The phone connects to port 8082 where nothing listens: SYN, then RST/ACK.
# Captured at the phone.
. "$(dirname "$0")/netns-relay.sh"
OUT=$CAP_DIR/tcp-rst.pcap
topo_up --seed 31
cat >"$WORK/abort-server.py" <<PY
import socket, struct, sys, time
sys.path.insert(0, "$MAKE_DIR")
from httpd import body
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("$SRV_IP", 8081))
ls.listen(1)
print("listening", file=sys.stderr, flush=True)
c, _ = ls.accept()
def head():
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += c.recv(4096)
def answer(n):
    return (b"HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nServer: upxray-abort/1\r\n"
            b"Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % n)
head(); c.sendall(answer(3000) + body(3000))
head(); c.sendall(answer(60000) + body(60000)[:25000])
time.sleep(0.3)  # let the partial body reach the phone first
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()  # linger 0: discard and reset (RFC 9293 3.10.4 ABORT)
PY
ip netns exec upx-srv python3 "$WORK/abort-server.py" 2>"$WORK/abort.log" &
SERVER=$!
wait_for "$WORK/abort.log" listening
cap_start upx-phone phone "$OUT"
in_phone python3 "$MAKE_DIR/client.py" --host $SRV_IP --port 8081 GET:/bytes/3000 GET:/bytes/60000 || true
wait $SERVER
in_phone python3 "$MAKE_DIR/client.py" --host $SRV_IP --port 8082 GET:/bytes/1000 2>&1 | tail -1 || true
cap_stop
relay_stop
judge "$OUT"
