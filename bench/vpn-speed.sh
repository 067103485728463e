#!/usr/bin/env bash
# The speed goals of issue 11 (strongSwan and WireGuard with TPM keys), measured by the opt-in benchmarks of
# cli's tests (-Dtpmauth.bench=true; never part of the default test run):
#   StrongswanCliTest           strongswan_initiate route=pkcs11: swanctl --initiate to established, EC key in
#                               swtpm through the tpmauth PKCS#11 token vs a software EC key; tpm_sign: one
#                               ECDSA P-256 signature through the token's Tpm (the floor under the difference)
#   StrongswanTpmPluginCliTest  strongswan_initiate route=tpm-plugin: RSA key through charon's tpm plugin
#                               (tpm2-abrmd in front of swtpm) vs a software EC key
#   WireguardCliTest            wireguard_up: bring-up with the sealed key (cold = a Tpm opened per bring-up, as
#                               `tpmauth wireguard up` does, JVM start excluded; warm = kept open) vs a key file;
#                               bench/wireguard-process.sh times the whole `tpmauth wireguard up` process
#
#   bench/vpn-speed.sh [REPEATS] [ROUNDS] [RUNS]     (defaults 3, 5, 10)
#
# Each of REPEATS Maven runs does ROUNDS alternating blocks of RUNS timings per variant. Prints each run's
# `bench NAME key=value ...` lines, then `summary NAME ...` lines: per field the median over the repeats.
# Needs root (network namespaces), strongswan-charon/swanctl, wireguard-go/wireguard-tools, swtpm, tpm2-abrmd.
set -euo pipefail

here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
root=$here/..
repeats=${1:-3}
rounds=${2:-5}
runs=${3:-10}
classes=StrongswanCliTest,StrongswanTpmPluginCliTest,WireguardCliTest
reports=$root/cli/target/surefire-reports
lines=$(mktemp)
trap 'rm -f "$lines"' EXIT

for repeat in $(seq "$repeats"); do
  echo "vpn-speed: run $repeat of $repeats" >&2
  log=$(mktemp)
  if ! (cd "$root" && mvn -B -o -pl cli -am test -Dtest="$classes" -Dsurefire.failIfNoSpecifiedTests=false \
      -Dtpmauth.bench=true -Dtpmauth.bench.rounds="$rounds" -Dtpmauth.bench.runs="$runs") >"$log" 2>&1; then
    tail -50 "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  for class in ${classes//,/ }; do
    grep -h '^bench ' "$reports/org.tpmauth.cli.$class-output.txt" || true
  done | tee -a "$lines"
done

# per bench line (name and route), the median over the repeats of each numeric field
awk '
  {
    id = $2
    for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "route" || kv[1] == "key") id = id " " $i }
    for (i = 3; i <= NF; i++) {
      split($i, kv, "=")
      if (kv[1] == "route" || kv[1] == "key" || kv[1] == "runs") continue
      if (!((id, kv[1]) in seen)) { seen[id, kv[1]] = 1; order[id] = order[id] " " kv[1] }
      n = ++count[id, kv[1]]; value[id, kv[1], n] = kv[2]
    }
    ids[id] = 1
  }
  function median(id, field,   n, i, j, t, v) {
    n = count[id, field]
    for (i = 1; i <= n; i++) v[i] = value[id, field, i] + 0
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  END {
    for (id in ids) {
      line = "summary " id " repeats=" count[id, substr(order[id], 2, index(substr(order[id], 2) " ", " ") - 1)]
      split(substr(order[id], 2), fields, " ")
      for (f = 1; f in fields; f++) line = line " " fields[f] "=" sprintf("%.3f", median(id, fields[f]))
      print line
    }
  }' "$lines" | sort
