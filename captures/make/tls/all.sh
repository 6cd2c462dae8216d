#!/bin/bash
# Remake the TLS captures (captures/tls-*), as root: all of them, or those named
#   all.sh [NAME...]        e.g. all.sh tls10-rsa-aes128-sha demo
#
# Real TLS between Python's ssl (OpenSSL 3) on both ends, or GnuTLS for the suites
# this OpenSSL no longer has (3DES, RC4), or openssl s_client for the alert case;
# the HTTP on top is the fake Device Update Service (../dus/dus_server.py, through
# tls_server.py) and the phone (../dus/phone.py, through tls_phone.py). Network:
# the DUS layout (phone 10.99.2.123 with the phone's MAC, server 10.99.2.90, one
# veth pair, offloads off, static neighbours, IPv6 off) in namespaces of our own,
# upx-tlsp and upx-tlss, deleted on exit. tcpdump on the phone's side, classic
# pcap; every capture is shifted to start on 6 March 2009 like the DUS ones.
#
# Beside each capture: tls-NAME.keylog (the client's NSS key log of the same run;
# absent where no key log exists) and tls-NAME.tshark.json (judge.py with the key
# material that decrypts it: the server's RSA key for RSA key exchange, the key
# log otherwise). For RSA captures the key log is checked to give the same verdict.
# Keys: keys/ (throwaway). A remake changes every byte of the ciphertext.
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../dus" && pwd)/dus-lib.sh"
TLS_DIR="$MAKE_DIR/tls"
KEYS="$TLS_DIR/keys"
PHONE_NS=upx-tlsp
SRV_NS=upx-tlss
RSA_SCOPE="$SRV_IP:443"
cd "$CAP_DIR"

tls_srv_start() {  # tls_server.py args
  local log="$WORK/tls-server-$RANDOM.log"
  ip netns exec $SRV_NS python3 "$TLS_DIR/tls_server.py" --bind $SRV_IP \
    --cert "$KEYS/server.crt.pem" --key "$KEYS/server.rsa.pem" "$@" 2>"$log" &
  SRV_PID=$!
  PIDS+=($SRV_PID)
  SRV_LOG=$log
  wait_for "$log" "listening"
}
tls_srv_stop() { kill "$SRV_PID" 2>/dev/null || true; wait "$SRV_PID" 2>/dev/null || true; }

tls_phone() {  # tls_phone.py args -- phone.py args
  ip netns exec $PHONE_NS python3 "$TLS_DIR/tls_phone.py" "$@"
}

# verdict NAME KIND: judge.py with the key that decrypts it. KIND rsa: the RSA key
# (scoped to the server) makes the verdict and the key log must agree with it;
# KIND keylog: the key log alone; KIND embedded: no key option (the pcapng carries
# its key log); KIND none: broken, made with both keys to show all tshark can do;
# KIND derived: the same for an edited capture (TCP holes allowed).
verdict() {
  local name=$1 kind=$2 f="tls-$1.pcap" lost
  [ -e "$f" ] || f="tls-$1.pcapng"
  chmod 644 "$f" "tls-$name.keylog" 2>/dev/null || true
  lost=$(tshark -n -r "$f" -Y "tcp.analysis.lost_segment or tcp.analysis.ack_lost_segment" 2>/dev/null | wc -l)
  if [ "$lost" != 0 ] && [ "$kind" != derived ]; then echo "$f: $lost frames show capture loss" >&2; return 1; fi
  case $kind in
    rsa)
      python3 make/judge.py --keylog "tls-$name.keylog" "$f"
      mv "tls-$name.tshark.json" "$WORK/keylog.json"
      python3 make/judge.py --rsa-key "make/tls/keys/server.rsa.pem@$RSA_SCOPE" "$f"
      python3 - "$WORK/keylog.json" "tls-$name.tshark.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for d in (a, b):
    d.pop("decryptedWith")
if a != b:
    sys.exit("%s: the key log and the RSA key give different verdicts" % sys.argv[2])
EOF
      ;;
    keylog) python3 make/judge.py --keylog "tls-$name.keylog" "$f" ;;
    embedded) python3 make/judge.py "$f" ;;
    none|derived) python3 make/judge.py --keylog "tls-$name.keylog" --rsa-key "make/tls/keys/server.rsa.pem@$RSA_SCOPE" "$f" ;;
  esac
  python3 - "tls-$name.tshark.json" "$kind" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
if sys.argv[2] not in ("none", "derived") and (not d["exchanges"] or any(x["response"] is None for x in d["exchanges"])):
    sys.exit("%s: tshark decrypted no complete exchange" % sys.argv[1])
EOF
  echo "== $f: $(capinfos -c -M "$f" | awk -F': *' '/Number of packets/{print $2}') frames, $(stat -c %s "$f") bytes"
  local keys=(-o "tls.keylog_file:tls-$name.keylog")
  [ "$kind" = embedded ] && keys=()
  [ "$kind" = keylog ] || [ "$kind" = embedded ] || keys+=(-o "uat:ssl_keys:\"any\",\"0\",\"http\",\"$KEYS/server.rsa.pem\",\"\"")
  tshark -n -r "$f" "${keys[@]}" -Y "http or tls.alert_message or tls.handshake.type" \
    -T fields -e frame.number -e tcp.stream -e tls.record.version -e tls.handshake.type \
    -e tls.alert_message.desc -e http.request.method -e http.request.uri -e http.response.code | sed 's/^/  /'
}

# session NAME KIND SERVER-ARGS -- TLS-PHONE-ARGS: one capture of one server setup.
# The phone checks in on 3.5.6907.0 (Downloads 0: nothing follows in clear) unless
# the phone args say otherwise.
session() {
  local name=$1 kind=$2; shift 2
  local srv=() out="$CAP_DIR/tls-$name.pcap"
  while [ "$1" != "--" ]; do srv+=("$1"); shift; done
  shift
  tls_srv_start --port 443 "${srv[@]}"
  rm -f "tls-$name.keylog"
  cap_start "$out"
  tls_phone "$@" -- --server-ip $SRV_IP --tls --port 443 --version 3.5.6907.0 --src-port 49200 --keylog "$CAP_DIR/tls-$name.keylog"
  cap_stop
  tls_srv_stop
  retime "$out" "$START_TIME"
  verdict "$name" "$kind"
}

want() {  # want NAME: true when NAME was asked for (or nothing was)
  [ ${#ONLY[@]} = 0 ] && return 0
  local n; for n in "${ONLY[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1
}

ONLY=("$@")
PHONE_NS=upx-tlsp SRV_NS=upx-tlss dus_up

# --- one capture per version and cipher family -------------------------------------
# IIS 7 on Windows Server 2008: TLS 1.0, RSA key exchange, AES128-SHA, no EMS, no ETM,
# chained CBC IVs (no empty fragments), no session tickets.
IIS=(--option no-ems --option no-etm --option no-empty-fragments --option no-ticket)
want 10-rsa-aes128-sha && session 10-rsa-aes128-sha rsa --tls 1.0 --ciphers 'AES128-SHA:@SECLEVEL=0' "${IIS[@]}" -- \
  --tls-version 1.0 --ciphers 'AES128-SHA:@SECLEVEL=0' "${IIS[@]}"
want 11-rsa-aes256-sha && session 11-rsa-aes256-sha rsa --tls 1.1 --ciphers 'AES256-SHA:@SECLEVEL=0' --option no-etm -- \
  --tls-version 1.1 --ciphers 'AES256-SHA:@SECLEVEL=0'
want 12-rsa-aes128-sha256 && session 12-rsa-aes128-sha256 rsa --tls 1.2 --ciphers 'AES128-SHA256' --option no-etm -- \
  --tls-version 1.2 --ciphers 'AES128-SHA256'
want 12-rsa-aes256-gcm-sha384 && session 12-rsa-aes256-gcm-sha384 rsa --tls 1.2 --ciphers 'AES256-GCM-SHA384' -- \
  --tls-version 1.2 --ciphers 'AES256-GCM-SHA384'
want 12-ecdhe-rsa-aes128-gcm-sha256 && session 12-ecdhe-rsa-aes128-gcm-sha256 keylog --tls 1.2 --ciphers 'ECDHE-RSA-AES128-GCM-SHA256' -- \
  --tls-version 1.2 --ciphers 'ECDHE-RSA-AES128-GCM-SHA256'
want 12-dhe-rsa-aes256-gcm-sha384 && session 12-dhe-rsa-aes256-gcm-sha384 keylog --tls 1.2 --ciphers 'DHE-RSA-AES256-GCM-SHA384' -- \
  --tls-version 1.2 --ciphers 'DHE-RSA-AES256-GCM-SHA384'
for s in TLS_AES_128_GCM_SHA256:13-aes128-gcm-sha256 TLS_AES_256_GCM_SHA384:13-aes256-gcm-sha384 \
         TLS_CHACHA20_POLY1305_SHA256:13-chacha20-poly1305-sha256; do
  want "${s#*:}" && session "${s#*:}" keylog --tls 1.3 -- --tls-version 1.3 --tls13-ciphers "${s%%:*}"
done

# --- extensions -----------------------------------------------------------------
want 12-ems && session 12-ems rsa --tls 1.2 --ciphers 'AES128-GCM-SHA256' -- \
  --tls-version 1.2 --ciphers 'AES128-GCM-SHA256'
want 12-no-ems && session 12-no-ems rsa --tls 1.2 --ciphers 'AES128-GCM-SHA256' --option no-ems -- \
  --tls-version 1.2 --ciphers 'AES128-GCM-SHA256'
want 12-etm && session 12-etm rsa --tls 1.2 --ciphers 'AES128-SHA' -- \
  --tls-version 1.2 --ciphers 'AES128-SHA'
want 12-no-etm && session 12-no-etm rsa --tls 1.2 --ciphers 'AES128-SHA' --option no-etm -- \
  --tls-version 1.2 --ciphers 'AES128-SHA'

# --- resumption: two check-ins, the second resumes the first's session ---------------
want 12-resume-session-id && session 12-resume-session-id rsa --tls 1.2 --ciphers 'AES128-GCM-SHA256' --option no-ticket -- \
  --tls-version 1.2 --ciphers 'AES128-GCM-SHA256' --connections 2
want 12-resume-ticket && session 12-resume-ticket rsa --tls 1.2 --ciphers 'AES128-GCM-SHA256' -- \
  --tls-version 1.2 --ciphers 'AES128-GCM-SHA256' --connections 2

# --- record and segment layout ---------------------------------------------------
# A 40 KB request: three TLS records (16 KiB plaintext each at most) over ~30 segments.
want 12-large-request && session 12-large-request rsa --tls 1.2 --ciphers 'AES128-SHA' --option no-etm -- \
  --tls-version 1.2 --ciphers 'AES128-SHA' --pad-body 40000
# The request in 100-byte records, corked: several records in each segment.
want 12-records-coalesced && session 12-records-coalesced rsa --tls 1.2 --ciphers 'AES128-GCM-SHA256' -- \
  --tls-version 1.2 --ciphers 'AES128-GCM-SHA256' --write-pieces 100

# --- a connection that ends with a fatal alert -----------------------------------
# openssl s_client sends the check-in, reads the answer, then renegotiates ("R" on
# its stdin). The server (SSL_OP_NO_RENEGOTIATION) refuses with a warning alert
# no_renegotiation, and OpenSSL's client ends the connection with a fatal
# handshake_failure alert. RSA key exchange: the renegotiation ClientHello and both
# alerts are encrypted under the first handshake's keys, readable with the RSA key.
if want 12-alert; then
  tls_srv_start --port 443 --tls 1.2 --ciphers AES128-GCM-SHA256 --option no-renegotiation
  python3 "$TLS_DIR/checkin_request.py" --version 3.5.6907.0 >"$WORK/req" 2>/dev/null
  rm -f tls-12-alert.keylog
  cap_start "$CAP_DIR/tls-12-alert.pcap"
  { cat "$WORK/req"; sleep 1; echo R; sleep 2; } | ip netns exec $PHONE_NS openssl s_client \
    -connect $SRV_IP:443 -servername ocs.demo.local -tls1_2 -cipher AES128-GCM-SHA256 \
    -keylogfile "$CAP_DIR/tls-12-alert.keylog" >"$WORK/s_client.log" 2>&1 || true
  cap_stop
  tls_srv_stop
  grep -q "HTTP/1.1 200 OK" "$WORK/s_client.log" || { cat "$WORK/s_client.log" >&2; exit 1; }
  retime "$CAP_DIR/tls-12-alert.pcap" "$START_TIME"
  verdict 12-alert rsa
fi

# --- broken: the capture starts after the handshake (real) ---------------------------
# The IIS-like TLS 1.0 check-in; the phone waits 3 s after its handshake and tcpdump
# is started in that pause, so the capture holds the request, the answer and the
# close, and no ClientHello, ServerHello or certificate: neither the RSA key nor the
# key log (kept beside it) can decrypt it.
if want no-handshake; then
  tls_srv_start --port 443 --tls 1.0 --ciphers 'AES128-SHA:@SECLEVEL=0' "${IIS[@]}"
  rm -f tls-no-handshake.keylog
  ip netns exec $PHONE_NS python3 "$TLS_DIR/tls_phone.py" --tls-version 1.0 --ciphers 'AES128-SHA:@SECLEVEL=0' \
    "${IIS[@]}" --pause-after-handshake 3 -- --server-ip $SRV_IP --tls --port 443 --version 3.5.6907.0 \
    --src-port 49200 --keylog "$CAP_DIR/tls-no-handshake.keylog" 2>"$WORK/phone.log" &
  PHONE_PID=$!
  wait_for "$WORK/phone.log" "handshake done"
  cap_start "$CAP_DIR/tls-no-handshake.pcap"
  wait $PHONE_PID
  cap_stop
  tls_srv_stop
  retime "$CAP_DIR/tls-no-handshake.pcap" "$START_TIME"
  verdict no-handshake none
fi

# --- the seed's demo over HTTPS --------------------------------------------------
# dus-demo.pcap's three cycles (see ../dus/demo.sh) with the check-ins on 443 over
# the IIS-like TLS 1.0 AES128-SHA (RSA key exchange) and the firmware downloads in
# clear on port 80, from the same server process (so --provision-first works across
# the cycles). One key log for all three check-ins. Larger than 100 KB: it carries
# the same two 64 KiB CPE.nbt downloads as dus-demo.pcap.
if want demo; then
  DATE_FILE="$WORK/date"
  tls_srv_start --port 443 --plain-port 80 --provision-first --date-file "$DATE_FILE" \
    --tls 1.0 --ciphers 'AES128-SHA:@SECLEVEL=0' "${IIS[@]}"
  rm -f tls-demo.keylog
  tls_cycle() {  # tls_cycle N "YYYY-mm-dd HH:MM:SS" phone-args...
    local n=$1 when=$2; shift 2
    date -u -d "$when" "+%a, %d %b %Y %H:%M:%S GMT" >"$DATE_FILE"
    cap_start "$WORK/cycle$n.pcap"
    tls_phone --tls-version 1.0 --ciphers 'AES128-SHA:@SECLEVEL=0' "${IIS[@]}" -- --server-ip $SRV_IP \
      --tls --port 443 --keylog "$CAP_DIR/tls-demo.keylog" "$@"
    cap_stop
    retime "$WORK/cycle$n.pcap" "$when"
  }
  tls_cycle 1 "2009-03-06 17:07:20" --version 0.0.0.0 --src-port 49200
  tls_cycle 2 "2009-03-06 17:10:39" --version 0.0.0.0 --src-port 49210
  tls_cycle 3 "2009-03-06 17:18:54" --version 1.0.522.103 --src-port 49220
  tls_srv_stop
  mergecap -F pcap -a -w "$CAP_DIR/tls-demo.pcap" "$WORK/cycle1.pcap" "$WORK/cycle2.pcap" "$WORK/cycle3.pcap"
  verdict demo rsa
  # Same HTTP exchanges as the plain demo (other frame numbers), same objects.
  python3 - dus-demo.tshark.json tls-demo.tshark.json <<'EOF'
import json, sys
def story(p):
    d = json.load(open(p))
    return ([(x["request"]["method"], x["request"]["uri"], x["response"] and x["response"]["status"])
             for x in d["exchanges"]], d["objects"])
if story(sys.argv[1]) != story(sys.argv[2]):
    sys.exit("tls-demo: not the same exchanges as dus-demo:\n%s\n%s" % (story(sys.argv[1]), story(sys.argv[2])))
EOF
fi

# --- a pcapng with its key log inside --------------------------------------------
# The ECDHE capture with its key log in a Decryption Secrets Block; tshark needs no
# key option to read it.
if want keylog-embedded; then
  editcap --inject-secrets "tls,tls-12-ecdhe-rsa-aes128-gcm-sha256.keylog" \
    tls-12-ecdhe-rsa-aes128-gcm-sha256.pcap tls-keylog-embedded.pcapng
  verdict keylog-embedded embedded
fi

# --- broken captures DERIVED from tls-10-rsa-aes128-sha.pcap (made above) -----------
# Frame 8 there is the phone's ClientKeyExchange, ChangeCipherSpec and Finished in one
# segment; frame 10 the request's one application data record.
SRC=tls-10-rsa-aes128-sha
check_frame() {  # check_frame N TEXT: frame N of $SRC.pcap shows TEXT
  tshark -n -r "$SRC.pcap" -Y "frame.number==$1" 2>/dev/null | grep -q "$2" \
    || { echo "$SRC.pcap frame $1 is not '$2'" >&2; exit 1; }
}
if want no-client-key-exchange; then
  check_frame 8 "Client Key Exchange"
  editcap "$SRC.pcap" tls-no-client-key-exchange.pcap 8
  cp "$SRC.keylog" tls-no-client-key-exchange.keylog
  verdict no-client-key-exchange derived
fi
if want corrupt-record; then
  check_frame 10 "Application Data"
  # One byte in the middle of the ciphertext (record header 5 bytes + 300); the
  # TCP checksum is fixed, so only the record's MAC shows the damage.
  python3 "$TLS_DIR/corrupt.py" "$SRC.pcap" tls-corrupt-record.pcap 10 305
  cp "$SRC.keylog" tls-corrupt-record.keylog
  verdict corrupt-record derived
fi

# --- 3DES and RC4: GnuTLS on both ends --------------------------------------------
# Debian's OpenSSL 3 (so Python, Node and curl here) has neither 3DES nor RC4 suites
# (`openssl ciphers -v 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'` lists none), so these use
# GnuTLS 3.7 (Debian package gnutls-bin): gnutls_server.py (dus_server behind
# libgnutls) and gnutls-cli sending the phone's check-in (checkin_request.py); the
# client's key log comes from SSLKEYLOGFILE. TLS 1.2, RSA key exchange; GnuTLS's
# defaults otherwise (EMS on; ETM on for 3DES-CBC, not for the RC4 stream cipher).
gnutls_session() {  # gnutls_session NAME PRIORITY
  local name=$1 prio=$2 out="$CAP_DIR/tls-$1.pcap" log="$WORK/gnutls-server-$RANDOM.log"
  command -v gnutls-cli >/dev/null || { echo "gnutls-cli missing: apt-get install gnutls-bin" >&2; exit 1; }
  ip netns exec $SRV_NS python3 "$TLS_DIR/gnutls_server.py" --bind $SRV_IP --port 443 \
    --cert "$KEYS/server.crt.pem" --key "$KEYS/server.rsa.pem" --priority "$prio" 2>"$log" &
  SRV_PID=$!
  PIDS+=($SRV_PID)
  wait_for "$log" "listening"
  python3 "$TLS_DIR/checkin_request.py" --version 3.5.6907.0 >"$WORK/req" 2>/dev/null
  rm -f "tls-$name.keylog"
  cap_start "$out"
  { cat "$WORK/req"; sleep 1; } | ip netns exec $PHONE_NS env SSLKEYLOGFILE="$CAP_DIR/tls-$name.keylog" \
    gnutls-cli --priority "$prio" --insecure --port 443 --sni-hostname ocs.demo.local $SRV_IP \
    >"$WORK/gnutls-cli.log" 2>&1 || true
  cap_stop
  tls_srv_stop
  grep -q "HTTP/1.1 200 OK" "$WORK/gnutls-cli.log" || { cat "$WORK/gnutls-cli.log" "$log" >&2; exit 1; }
  grep -h "Description" "$WORK/gnutls-cli.log"
  retime "$out" "$START_TIME"
  verdict "$name" rsa
}
GNUTLS12='NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:-KX-ALL:+RSA:-MAC-ALL'
want 12-rsa-3des-ede-cbc-sha && gnutls_session 12-rsa-3des-ede-cbc-sha "$GNUTLS12:+3DES-CBC:+SHA1"
want 12-rsa-rc4-128-sha && gnutls_session 12-rsa-rc4-128-sha "$GNUTLS12:+ARCFOUR-128:+SHA1"
want 12-rsa-rc4-128-md5 && gnutls_session 12-rsa-rc4-128-md5 "$GNUTLS12:+ARCFOUR-128:+MD5"
