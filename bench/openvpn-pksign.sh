#!/usr/bin/env bash
# OpenVPN external-key signing: the PK_SIGN round trip through `tpmauth openvpn`'s backend (request line
# to the pk-sig END, on the management socket) against what a backend that runs
# `openssl pkeyutl -provider tpm2` per request costs, with the same key file, on one fresh swtpm.
#
#   bench/openvpn-pksign.sh [ITERATIONS]       (default 200)
#
# Prints `name median_ms p90_ms n` lines: tpmauth_ecdsa_p256, tpmauth_rsa2048_pss,
# openssl_pkeyutl_ecdsa_p256. Needs swtpm, tpm2-openssl and Maven's offline repository.
set -euo pipefail

here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
root=$here/..
iterations=${1:-200}
for tool in swtpm openssl java mvn; do
  command -v "$tool" >/dev/null || { echo "openvpn-pksign: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
work=$(mktemp -d)
cleanup() {
  [[ -f $work/swtpm.pid ]] && kill "$(cat "$work/swtpm.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "openvpn-pksign: building the Java side" >&2
(cd "$root" && mvn -q -B -o -pl vpn-adapters -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/cp.txt" >"$work/mvn.log" 2>&1) || { cat "$work/mvn.log" >&2; exit 1; }
classpath=$root/vpn-adapters/target/test-classes:$root/vpn-adapters/target/classes
classpath=$classpath:$root/tls-auth/target/test-classes:$root/tls-auth/target/classes
classpath=$classpath:$root/tss/target/test-classes:$root/tss/target/classes:$(cat "$work/cp.txt")

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + RANDOM % 12000))
while listening "$port" || listening $((port + 1)); do port=$((20000 + RANDOM % 12000)); done
swtpm socket --tpm2 --tpmstate dir="$work" --server type=tcp,port="$port",bindaddr=127.0.0.1 \
  --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 --flags not-need-init,startup-clear \
  --daemon --pid file="$work/swtpm.pid"
for _ in $(seq 100); do listening "$port" && break; sleep 0.1; done

java -cp "$classpath" org.tpmauth.vpn.openvpn.PkSignBench "swtpm:host=127.0.0.1,port=$port" "$iterations"
