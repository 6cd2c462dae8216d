#!/bin/bash
# serve-*.pcap: `upxray serve` and `upxray phone` talking across two network
# namespaces (the plumbing of dus-lib.sh), tcpdump on the phone's side. Each
# scenario switches on at most one fault of the reference service; the analyzer,
# given the server's inventory (inventory.json here), must raise exactly the
# finding of that fault, and nothing on the healthy runs:
#   serve-healthy              phone on 1.0.522.103: one cycle to 3.5.6907.0, then Downloads 0
#   serve-two-cycles           phone on 1.0.452.0: interim 1.0.522.103, then 3.5.6907.0 (interim-required, info)
#   serve-no-update-offered    --fault no-offer: Downloads 0 though 3.5.6907.0 applies
#   serve-response-diff        --fault wrong-area: file URLs under DeviceUpdateFiles_Ext for the internal handler
#   serve-locale-mismatch      a FRA phone; the inventory has the IP8540 in ENU only, so Downloads 0
#   serve-interim-not-offered  --fault skip-interim: a phone on 1.0.452.0 is offered 3.5.6907.0
# The expected findings go to serve-*.expect.json (expect.py), judged by tshark first.
# upxray is compiled to a scratch folder, so dist/ is left alone.
. "$(dirname "$0")/dus-lib.sh"
REPO=$(cd "$CAP_DIR/.." && pwd)
INV="$DUS_DIR/inventory.json"
DIST="$WORK/dist"
(cd "$REPO" && npx tsc -p tsconfig.json --outDir "$DIST" >/dev/null) || true
test -f "$DIST/cli/main.js" || { echo "serve-phone.sh: build failed" >&2; exit 1; }
ln -s "$REPO/node_modules" "$WORK/node_modules"

serve_start() {
  local log="$WORK/serve-$RANDOM.log"
  ip netns exec $SRV_NS node "$DIST/cli/main.js" serve --inventory "$INV" --bind $SRV_IP --port 80 "$@" >"$log" 2>&1 &
  SERVE_PID=$!
  PIDS+=($SERVE_PID)
  wait_for "$log" "listening"
  SERVE_LOG=$log
}

serve_stop() {
  kill -TERM "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
  sed 's/^/  serve: /' "$SERVE_LOG"
}

# The phone checks in by the inventory's name (ocs.demo.local) and connects to the server's address.
uphone() {
  ip netns exec $PHONE_NS node "$DIST/cli/main.js" phone http://ocs.demo.local --connect-to $SRV_IP --wait 0.5 "$@"
}

# scenario NAME "serve args" "phone args" --shows ... [--finding ...]
scenario() {
  local name=$1 sargs=$2 pargs=$3; shift 3
  local out="$CAP_DIR/serve-$name.pcap"
  echo "### serve-$name"
  dus_up
  # shellcheck disable=SC2086
  serve_start $sargs
  cap_start "$out"
  # shellcheck disable=SC2086
  uphone $pargs
  cap_stop
  serve_stop
  finish "$out" "$@"
}

scenario healthy "" "--cpe-version 1.0.522.103" \
  --shows "upxray phone on 1.0.522.103 checks in to upxray serve, is offered 3.5.6907.0, downloads CPE.nbt and CPE.cat, reboots and checks in again to get Downloads 0: what the inventory says, nothing wrong."
scenario two-cycles "" "--cpe-version 1.0.452.0" \
  --shows "upxray phone on 1.0.452.0 takes two cycles: the interim build 1.0.522.103 from OCInterim/ENU, then 3.5.6907.0, then Downloads 0." \
  --finding "interim-required info resp:1"
scenario no-update-offered "--fault no-offer" "--cpe-version 1.0.522.103" \
  --shows "upxray serve --fault no-offer answers Downloads 0 to a phone on 1.0.522.103 although the inventory approves 3.5.6907.0 for it." \
  --finding "no-update-offered warning resp:1"
scenario response-diff "--fault wrong-area" "--cpe-version 1.0.522.103" \
  --shows "upxray serve --fault wrong-area answers an internal check-in with a URL under DeviceUpdateFiles_Ext; the phone downloads from there (that tree exists) and reaches 3.5.6907.0." \
  --finding "response-diff warning req:1 resp:1"
scenario locale-mismatch "" "--cpe-version 1.0.522.103 --locale FRA" \
  --shows "A FRA phone on 1.0.522.103 checks in; the inventory holds the IP8540 only in ENU, so the service rightly answers Downloads 0 and the phone never updates." \
  --finding "locale-mismatch error resp:1"
scenario interim-not-offered "--fault skip-interim" "--cpe-version 1.0.452.0" \
  --shows "upxray serve --fault skip-interim offers 3.5.6907.0 straight to a phone on 1.0.452.0, which needs the interim build first." \
  --finding "interim-not-offered error resp:1"
