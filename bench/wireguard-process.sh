#!/usr/bin/env bash
# What a user's sealed WireGuard bring-up costs: a fresh `tpmauth wireguard up` process (as wg-quick's
# PostUp or a boot unit runs it: JVM start, class loading, the TPM, `wg set`, link up) against the key-file
# bring-up (`wg set IFACE private-key FILE` + `ip link set IFACE up`), alternated run by run, on a
# wireguard-go interface in a network namespace of its own and a swtpm of its own. WireguardCliTest's
# sealed_cold opens a Tpm per bring-up inside one warm JVM and leaves the process out; this is the rest.
#
#   bench/wireguard-process.sh [RUNS]      (default 10)
#
# TPMAUTH is the command to time (default: this repository's launcher, ./tpmauth); TPMAUTH_B, when set,
# a second one timed in the same alternation (e.g. TPMAUTH_B="java -jar /tmp/old.jar" for before / after).
# Prints `bench wireguard_process runs=N keyfile_median_ms a_median_ms a_cpu_median_ms a_diff_ms
# [b_median_ms b_cpu_median_ms b_diff_ms]`: wall medians, and the process's CPU time (user + system, its
# children included) from /usr/bin/time. Needs root, swtpm, wireguard-go, wireguard-tools, time.
set -euo pipefail
umask 077 # the key file and the TPM state are private

here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
runs=${1:-10}
a=${TPMAUTH:-$here/../tpmauth}
b=${TPMAUTH_B:-}
work=$(mktemp -d)
ns=tpmauth-wgp-$$
iface=wgp$$
port=$(python3 -c '
import socket
while True:  # a free port whose successor (swtpm control channel) is free too
    a, b = socket.socket(), socket.socket()
    try:
        a.bind(("127.0.0.1", 0))
        b.bind(("127.0.0.1", a.getsockname()[1] + 1))
        print(a.getsockname()[1])
        break
    except OSError:
        pass
    finally:
        a.close()
        b.close()
')
tcti=swtpm:host=127.0.0.1,port=$port

cleanup() {
  ip -n "$ns" link del "$iface" 2>/dev/null || true # wireguard-go exits with its interface (not with the netns)
  ip netns del "$ns" 2>/dev/null || true
  [[ -f $work/swtpm.pid ]] && kill "$(cat "$work/swtpm.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/tpm"
swtpm socket --tpm2 --tpmstate dir="$work/tpm" --flags not-need-init,startup-clear --daemon \
  --server type=tcp,port="$port",bindaddr=127.0.0.1 --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
  --pid file="$work/swtpm.pid"
ip netns add "$ns"
ip netns exec "$ns" wireguard-go "$iface" 2>/dev/null
for _ in $(seq 100); do ip -n "$ns" link show "$iface" >/dev/null 2>&1 && break; sleep 0.05; done

$a --tcti "$tcti" wireguard seal --out "$work/wg.sealed" --pcr-policy sha256:16 >/dev/null
wg genkey >"$work/wg.key"
: >"$work/empty"

reset() { # keyless and down, untimed
  ip netns exec "$ns" wg set "$iface" private-key "$work/empty"
  ip -n "$ns" link set dev "$iface" down
}
now() { date +%s%N; }
record() { echo "$1 $2 ${3:-0}" >>"$work/times"; }

timed_process() { # label command...: wall (ms) and CPU (ms) of one `wireguard up`
  local label=$1 start end; shift
  reset
  start=$(now)
  /usr/bin/time -o "$work/rusage" -f "%U %S" "$@" --tcti "$tcti" wireguard up --sealed "$work/wg.sealed" \
    --interface "$iface" --netns "$ns" >/dev/null
  end=$(now)
  record "$label" $(((end - start) / 1000)) "$(awk '{printf "%d", ($1 + $2) * 1e6}' "$work/rusage")"
}

$a --tcti "$tcti" wireguard up --sealed "$work/wg.sealed" --interface "$iface" --netns "$ns" >/dev/null # untimed
for i in $(seq "$runs"); do
  reset
  start=$(now)
  ip netns exec "$ns" wg set "$iface" private-key "$work/wg.key"
  ip -n "$ns" link set dev "$iface" up
  record keyfile $((($(now) - start) / 1000))
  if ((i % 2)) && [[ -n $b ]]; then # every other run B first
    timed_process b $b
    timed_process a $a
  else
    timed_process a $a
    [[ -z $b ]] || timed_process b $b
  fi
done

awk -v runs="$runs" '
  { wall[$1] = wall[$1] " " $2; cpu[$1] = cpu[$1] " " $3 }
  function median(list,   v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  END {
    key = median(wall["keyfile"]) / 1000
    line = sprintf("bench wireguard_process runs=%d keyfile_median_ms=%.2f", runs, key)
    for (l = 1; l <= 2; l++) {
      v = l == 1 ? "a" : "b"
      if (!(v in wall)) continue
      w = median(wall[v]) / 1000
      line = line sprintf(" %s_median_ms=%.2f %s_cpu_median_ms=%.2f %s_diff_ms=%.2f", v, w, v, median(cpu[v]) / 1000, v, w - key)
    }
    print line
  }' "$work/times"
