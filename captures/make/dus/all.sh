#!/bin/bash
# Remake every Device Update Service capture (captures/dus-*), one scenario at a time:
# the scripts share the namespaces upx-dusp and upx-duss, so never run two at once.
set -euo pipefail
cd "$(dirname "$0")"
for s in healthy demo missing-server-version missing-service-version locale-mismatch \
         bad-request-url upx-decode-error upx-decode-error-html interim-required \
         interim-not-offered interim-vdir-missing download-forbidden-acl \
         download-forbidden-acl-401 ssl-required-on-files firmware-not-found \
         legacy-upx-path update-offered-not-downloaded download-truncated \
         download-truncated-reset unsupported-device check-in-failed \
         check-in-failed-timeout http-error tls-undecryptable; do
  echo "### $s"
  "./$s.sh"
done
du -ch ../../dus-*.pcap | tail -1
