#!/bin/bash
# dus-tls-undecryptable.pcap: a real TLS 1.2 check-in on port 443 (ECDHE, so even the
# server's RSA key would not decrypt it). The server's certificate is a throwaway
# self-signed one made here. The phone, on 3.5.6907.0, gets Downloads 0 inside the
# tunnel, so nothing follows in clear. The client's key log is kept beside this
# script (tls-undecryptable.keylog) for later decryption tests; it matches only the
# capture made in the same run.
. "$(dirname "$0")/dus-lib.sh"
OUT="$CAP_DIR/dus-tls-undecryptable.pcap"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
  -days 3650 -subj "/CN=ocs.demo.local" 2>/dev/null
dus_up
srv_start --port 443 --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem"
rm -f "$DUS_DIR/tls-undecryptable.keylog"
cap_start "$OUT"
phone --tls --port 443 --version 3.5.6907.0 --src-port 49200 --keylog "$DUS_DIR/tls-undecryptable.keylog"
cap_stop
finish "$OUT" --shows "A phone on 3.5.6907.0 checks in over TLS 1.2 on port 443 (ECDHE key exchange); without a key log nothing inside the tunnel can be read." \
  --finding "tls-undecryptable info hello:1"
