#!/bin/bash
# many-phones.pcap: a site of 26 phones, each on its own IP and MAC, checking in
# one after another (37 s apart) with the faults of captures/make/dus/ spread over
# them, so the terminal UI (upxray browse) has a long phones list to filter:
#   5 up to date, 1 updating (offer and full download), and one phone per fault:
#   firmware 404/401/403/500.19/403.4, reset and short downloads, handler 503, answers
#   without ServerVersion or ServiceVersion, HTML or cut XML answers, interim skipped
#   or its folder missing, another locale offered, legacy path 404, an unsupported
#   model, an offer not fetched, a bad URL, and a refused check-in.
# Each phone runs alone (its own namespaces and server, with its fault), captured
# on the phone's side, shifted to its slot, and the pieces are merged by time.
# Most phones download nothing or fail early, so the file stays small.
. "$(dirname "$0")/../dus/dus-lib.sh"
OUT="$CAP_DIR/many-phones.pcap"
BASE=$(date -u -d "2009-03-06 09:00:00" +%s)
n=0
PARTS=()

# one MAC-SUFFIX FAULT|- [INVENTORY|-] -- phone.py args...
one() {
  local suffix=$1 fault=$2 inv=$3; shift 4
  n=$((n + 1))
  PHONE_IP="10.99.2.$((100 + n))"
  local mac="00:21:63:10:00:$suffix" xmac="0021631000${suffix^^}" part="$WORK/phone$n.pcap"
  dus_up "$mac"
  if [ "$fault" != "none" ]; then
    local args=()
    [ "$fault" != "-" ] && args+=(--fault "$fault")
    [ "$inv" != "-" ] && args+=(--inventory "$DUS_DIR/$inv")
    srv_start "${args[@]}"
  fi
  cap_start "$part"
  phone --mac "$xmac" --serial "C185H00$((2000 + n))" --src-port $((49200 + 2 * n)) "$@"
  cap_stop
  [ "$fault" != "none" ] && srv_stop
  retime "$part" "$(date -u -d "@$((BASE + 37 * n))" "+%Y-%m-%d %H:%M:%S")"
  PARTS+=("$part")
}

one 01 - - -- --version 3.5.6907.0
one 02 - - -- --version 3.5.6907.0
one 03 - - -- --version 3.5.6907.0
one 04 - - -- --version 3.5.6907.0
one 05 - - -- --version 3.5.6907.0
one 06 - - -- --version 1.0.522.103
one 07 file-404 - -- --version 1.0.522.103
one 08 firmware-401 - -- --version 1.0.522.103
one 09 firmware-403 - -- --version 1.0.522.103
one 0a acl-500-19 - -- --version 1.0.522.103
one 0b ssl-403-4 - -- --version 1.0.522.103
one 0c reset - -- --version 1.0.522.103
one 0d short-body - -- --version 1.0.522.103
one 0e handler-503 - -- --version 1.0.522.103
one 0f no-server-version - -- --version 1.0.522.103
one 10 no-service-version - -- --version 1.0.522.103
one 11 not-xml - -- --version 1.0.522.103
one 12 truncated-xml - -- --version 1.0.522.103
one 13 skip-interim - -- --version 1.0.522.34
one 14 interim-404 - -- --version 1.0.522.34
one 15 other-locale inventory-nld.json -- --version 1.0.522.103 --locale ENU
one 16 legacy-404 - -- --handler legacy --vendor Polycom --model CX700 --version 1.0.522.103
one 17 - - -- --unsupported --version 1.0.522.101
one 18 - - -- --version 1.0.522.103 --no-download
one 19 - - -- --version 0.0.0.0 --locale 'NL D' --bad-url
one 1a none - -- --port 443 --version 3.5.6907.0

mergecap -F pcap -w "$OUT" "${PARTS[@]}"
chmod 644 "$OUT"
judge "$OUT"
