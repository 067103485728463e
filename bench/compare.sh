#!/usr/bin/env bash
# Runs `tpmauth bench` and esys_bench (the same operations through tpm2-tss ESAPI) on one fresh swtpm
# and prints, per operation, both medians and their ratio, for latency and for client CPU.
#
#   bench/compare.sh [--iterations N] [--threads T] [--rounds R] [--transport tcp|unix]
#
# The two run in turn R times (default 3); each figure is the median over the rounds of the
# per-round medians, so that load changing on a shared machine hits both alike. --transport unix starts
# swtpm on UNIX sockets (swtpm:path=P, control socket P.ctrl) instead of loopback TCP (the default);
# both stacks then use the same sockets.
# Needs swtpm and libtss2-dev + gcc + make (scripts/install-deps.sh --bench). TPMAUTH overrides the
# tpmauth command (default: the repository's ./tpmauth, which builds the jar when it is stale).
# Ratios are tpmauth / ESAPI: below 1 means tpmauth is faster or cheaper. Medians on a shared
# machine are noisy: run it twice before believing a difference under 20%.
set -euo pipefail

here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
iterations=200
threads=16
rounds=3
transport=tcp
while (($#)); do
  case "$1" in
    --iterations) iterations=${2:?}; shift 2 ;;
    --threads) threads=${2:?}; shift 2 ;;
    --rounds) rounds=${2:?}; shift 2 ;;
    --transport) transport=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--iterations N] [--threads T] [--rounds R] [--transport tcp|unix]" >&2; exit 2 ;;
  esac
done
[[ $transport == tcp || $transport == unix ]] || { echo "compare: --transport is tcp or unix" >&2; exit 2; }
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

# shellcheck source=swtpm.sh
. "$here/swtpm.sh"
start_swtpm "$transport" "$work"
echo "compare: swtpm at $tcti, $iterations iterations" >&2

for ((round = 1; round <= rounds; round++)); do
  echo "compare: round $round of $rounds: tpmauth bench" >&2
  "${tpmauth[@]}" --tcti "$tcti" bench --iterations "$iterations" --threads "$threads" | sed '/^#/d; s/^/tpmauth /' \
    >>"$work/results.txt"
  echo "compare: round $round of $rounds: esys_bench" >&2
  "$here/esys_bench" "$tcti" "$iterations" | sed '/^#/d; s/^/esapi /' >>"$work/results.txt"
done

echo "# tpmauth bench and esys_bench on one swtpm ($transport), $iterations iterations, median of $rounds rounds"
awk '
  function ratio(a, b) { return (a == "n/a" || b == "n/a" || b == 0) ? "n/a" : sprintf("%.2f", a / b) }
  function median(key,   n, i, j, v, t) {
    n = count[key]
    if (n == 0) return "n/a"
    for (i = 1; i <= n; i++) v[i] = values[key, i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function num(x) { return x == "n/a" ? x : sprintf("%.1f", x) }
  function add(key, value) { if (value != "n/a") values[key, ++count[key]] = value }
  {
    tool = $1; op = $2
    if (!((tool, op) in seen)) { seen[tool, op] = 1; if (tool == "tpmauth") { if (NF == 5) threaded = op; else order[++n] = op } }
    add(tool SUBSEP op SUBSEP "med", $3); add(tool SUBSEP op SUBSEP "cpu", $4)
    if (NF == 5) add(tool SUBSEP op SUBSEP "ops", $5)
  }
  END {
    fmt = "%-27s %11s %11s %7s %11s %11s %7s\n"
    printf fmt, "# operation", "tpmauth_us", "esapi_us", "ratio", "tpm_cpu_us", "esys_cpu_us", "ratio"
    for (i = 1; i <= n; i++) {
      op = order[i]
      tm = median("tpmauth" SUBSEP op SUBSEP "med"); em = median("esapi" SUBSEP op SUBSEP "med")
      tc = median("tpmauth" SUBSEP op SUBSEP "cpu"); ec = median("esapi" SUBSEP op SUBSEP "cpu")
      printf fmt, op, num(tm), num(em), ratio(tm, em), num(tc), num(ec), ratio(tc, ec)
    }
    s = "sign_ecdsa_secure_session"; p = "sign_ecdsa_p256"
    printf "# secure-session sign / plain sign: tpmauth %s, ESAPI %s\n",
      ratio(median("tpmauth" SUBSEP s SUBSEP "med"), median("tpmauth" SUBSEP p SUBSEP "med")),
      ratio(median("esapi" SUBSEP s SUBSEP "med"), median("esapi" SUBSEP p SUBSEP "med"))
    if (threaded != "") {
      rate = median("tpmauth" SUBSEP threaded SUBSEP "ops"); serial = 1e6 / median("tpmauth" SUBSEP p SUBSEP "med")
      printf "# %s: %.0f signatures/s (median %s us, process CPU %s us per signature); serial single-key rate %.0f/s; ratio %s\n",
        threaded, rate, num(median("tpmauth" SUBSEP threaded SUBSEP "med")), num(median("tpmauth" SUBSEP threaded SUBSEP "cpu")),
        serial, ratio(rate, serial)
    }
  }' "$work/results.txt"
