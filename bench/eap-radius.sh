#!/usr/bin/env bash
# EAP-TLS authentications per second against FreeRADIUS 3.2 on loopback (run as a production server runs:
# thread pool, normal logging, no -X): tpmauth's own peer with a TPM key (P-256 on the in-process libtpms)
# and with a software key, TLS 1.2 and 1.3, and eapol_test (a process per authentication) with the same
# software key. Runs eap-tls's EapRadiusBench (a main in its test classes, never part of the test run).
#
#   bench/eap-radius.sh [SECONDS]      (default 6 s per case)
#
# Prints `name auths_per_s median_ms` lines. Needs freeradius and eapol_test (scripts/install-deps.sh) and
# Maven's offline repository.
set -euo pipefail
cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
seconds=${1:-6}
if [[ ! $seconds =~ ^[0-9]+$ ]]; then
  sed -n '2,10s/^# \{0,1\}//p' "$0"
  exit 2
fi
cp=$(mktemp)
trap 'rm -f "$cp"' EXIT
if ! mvn -q -B -o -pl eap-tls -am package -DskipTests dependency:build-classpath -Dmdep.outputFile="$cp" \
    -Dmdep.includeScope=test >"$cp.log" 2>&1; then
  tail -n 40 "$cp.log" >&2
  rm -f "$cp.log"
  echo "eap-radius: the build failed (Maven's output above)" >&2
  exit 1
fi
rm -f "$cp.log"
java -cp "$(cat "$cp"):eap-tls/target/classes:eap-tls/target/test-classes" org.tpmauth.eap.radius.EapRadiusBench \
  "$seconds"
