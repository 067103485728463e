#!/usr/bin/env bash
# Runs `tpmauth bench` and esys_bench (the same operations through tpm2-tss ESAPI) on one fresh swtpm
# and prints, per operation, both medians and their ratio, for latency and for client CPU.
#
#   bench/compare.sh [--iterations N] [--threads T]
#
# Needs swtpm and libtss2-dev + gcc + make (scripts/install-deps.sh --bench). TPMAUTH overrides the
# tpmauth command (default: the repository's ./tpmauth, which builds the jar when it is stale).
# Ratios are tpmauth / ESAPI: below 1 means tpmauth is faster or cheaper. Medians on a shared
# machine are noisy: run it twice before believing a difference under 20%.
set -euo pipefail

here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
iterations=200
threads=16
while (($#)); do
  case "$1" in
    --iterations) iterations=${2:?}; shift 2 ;;
    --threads) threads=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--iterations N] [--threads T]" >&2; exit 2 ;;
  esac
done
read -r -a tpmauth <<<"${TPMAUTH:-$here/../tpmauth}"

for tool in swtpm make cc; do
  command -v "$tool" >/dev/null || { echo "compare: $tool is missing; run scripts/install-deps.sh --bench" >&2; exit 1; }
done
[[ -f /usr/include/tss2/tss2_esys.h ]] || { echo "compare: libtss2-dev is missing; run scripts/install-deps.sh --bench" >&2; exit 1; }
make -s -C "$here" esys_bench

work=$(mktemp -d)
cleanup() {
  [[ -f $work/swtpm.pid ]] && kill "$(cat "$work/swtpm.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# swtpm needs two free ports: data on P, control on P+1
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  port=$((20000 + RANDOM % 40000))
  listening "$port" || listening $((port + 1)) && continue
  mkdir -p "$work/state"
  if swtpm socket --tpm2 --tpmstate dir="$work/state" \
      --server type=tcp,port="$port",bindaddr=127.0.0.1 --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
      --flags not-need-init,startup-clear --daemon --pid file="$work/swtpm.pid" 2>"$work/swtpm.err"; then
    break
  fi
  port=
done
[[ -n ${port:-} ]] || { cat "$work/swtpm.err" >&2; echo "compare: cannot start swtpm" >&2; exit 1; }
tcti="swtpm:host=127.0.0.1,port=$port"
echo "compare: swtpm on 127.0.0.1:$port, $iterations iterations" >&2

echo "compare: running tpmauth bench" >&2
"${tpmauth[@]}" --tcti "$tcti" bench --iterations "$iterations" --threads "$threads" >"$work/tpmauth.txt"
echo "compare: running esys_bench" >&2
"$here/esys_bench" "$tcti" "$iterations" >"$work/esapi.txt"

awk -v threads="$threads" '
  function ratio(a, b) { return (a == "n/a" || b == "n/a" || b == 0) ? "n/a" : sprintf("%.2f", a / b) }
  /^#/ { next }
  FNR == NR { t_med[$1] = $2; t_cpu[$1] = $3; if (NF == 4) { threaded = $1; rate = $4 } else order[++n] = $1; next }
  { e_med[$1] = $2; e_cpu[$1] = $3 }
  END {
    fmt = "%-27s %11s %11s %7s %11s %11s %7s\n"
    printf fmt, "# operation", "tpmauth_us", "esapi_us", "ratio", "tpm_cpu_us", "esys_cpu_us", "ratio"
    for (i = 1; i <= n; i++) {
      op = order[i]
      e1 = (op in e_med) ? e_med[op] : "n/a"; e2 = (op in e_cpu) ? e_cpu[op] : "n/a"
      printf fmt, op, t_med[op], e1, ratio(t_med[op], e1), t_cpu[op], e2, ratio(t_cpu[op], e2)
    }
    s = "sign_ecdsa_secure_session"; p = "sign_ecdsa_p256"
    printf "# secure-session sign / plain sign: tpmauth %s, ESAPI %s\n", ratio(t_med[s], t_med[p]), ratio(e_med[s], e_med[p])
    if (threaded != "") {
      serial = 1e6 / t_med[p]
      printf "# %s: %s signatures/s (median %s us, process CPU %s us per signature); serial single-key rate %.0f/s; ratio %s\n",
        threaded, rate, t_med[threaded], t_cpu[threaded], serial, ratio(rate, serial)
    }
  }' "$work/tpmauth.txt" "$work/esapi.txt"
