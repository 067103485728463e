#!/usr/bin/env bash
# What a user's sealed WireGuard bring-up costs: a fresh `tpmauth wireguard up` process (as wg-quick's
# PostUp or a boot unit runs it: JVM start, class loading, the TPM, `wg set`, link up) and the resident
# agent's route (contrib/wireguard/tpmauth-wg-up: a sh + nc process sending one line to a running
# `tpmauth wireguard agent`, which unseals with its open Tpm, sets the key over wireguard-go's configuration
# socket and the link up by SIOCSIFFLAGS, starting no process; a kernel interface would get `wg`) against
# the key-file bring-up (`wg set IFACE private-key FILE` + `ip link set IFACE up`), alternated run by run,
# on a wireguard-go interface in a network namespace of its own and a swtpm of its own. WireguardCliTest's
# sealed_cold opens a Tpm per bring-up inside one warm JVM and leaves the process out; this is the rest.
#
#   bench/wireguard-process.sh [RUNS]      (default 10)
#
# TPMAUTH is the command to time (default: this repository's launcher, ./tpmauth); TPMAUTH_B, when set,
# a second one timed in the same alternation (e.g. TPMAUTH_B="java -jar /tmp/old.jar" for before / after);
# PROCESS=0 leaves the `wireguard up` processes out (key file and agent only); AGENT_LOG=FILE keeps the agent's
# log (one line per request with the time it spent on it); FIRST_DELAY=S waits S seconds after the agent's
# socket appears before the first request (to see what the agent's warm-up at start gives). The agent runs on a second
# swtpm started from a copy of the first one's state (the same seeds, so the same sealed file opens in
# both): swtpm serves one connection at a time, and the agent keeps its own open (/dev/tpmrm0 serves many).
# Before the timed runs the agent serves WARMUP (default 20) untimed requests, the first of them timed
# apart (agent_first_ms: the first bring-up after the agent's start).
# Prints `bench wireguard_process runs=N keyfile_median_ms keyfile_cpu_mean_ms [a_median_ms a_cpu_median_ms
# a_diff_ms [b_median_ms b_cpu_median_ms b_diff_ms]] agent_first_ms agent_median_ms agent_handler_median_ms
# agent_client_cpu_mean_ms agent_server_cpu_mean_ms agent_diff_ms agent_paired_diff_median_ms agent_nc_median_ms
# agent_nc_client_cpu_mean_ms agent_nc_diff_ms agent_nc_paired_diff_median_ms`: wall medians;
# a/b: the process's CPU time (user + system, its children included) from /usr/bin/time; agent_handler: the
# agent's own time per request (its log); CPU means over the RUNS timed runs from /proc (10 ms ticks, summed):
# keyfile: the two tools; agent_client: the sh + nc processes; agent_server: the agent (its threads and any
# waited children: none for wireguard-go since session 8); agent_paired_diff: the median of agent run minus its neighbouring key-file run.
# agent_nc_*: the same request as a PostUp one-liner evaluated by this bash (printf | nc, the answer checked
# with a builtin), without the script's sh; its server side is not counted separately. Needs root, swtpm, wireguard-go, wireguard-tools, time, netcat-openbsd.
set -euo pipefail
umask 077 # the key file and the TPM state are private

here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
runs=${1:-10}
a=${TPMAUTH:-$here/../tpmauth}
b=${TPMAUTH_B:-}
process=${PROCESS:-1}
warmup=${WARMUP:-20}
client=$here/../contrib/wireguard/tpmauth-wg-up
work=$(mktemp -d)
ns=tpmauth-wgp-$$
iface=wgp$$
free_port() { python3 -c '
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
'
}
port=$(free_port)
tcti=swtpm:host=127.0.0.1,port=$port

cleanup() {
  ip -n "$ns" link del "$iface" 2>/dev/null || true # wireguard-go exits with its interface (not with the netns)
  ip netns del "$ns" 2>/dev/null || true
  [[ -n ${agent_pid:-} ]] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
  [[ -z ${AGENT_LOG:-} ]] || cp "$work/agent.log" "$AGENT_LOG" 2>/dev/null || true
  for pid in "$work"/*.swtpm.pid; do [[ -f $pid ]] && kill "$(cat "$pid")" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start_swtpm() { # state-dir port
  swtpm socket --tpm2 --tpmstate dir="$1" --flags not-need-init,startup-clear --daemon \
    --server type=tcp,port="$2",bindaddr=127.0.0.1 --ctrl type=tcp,port=$(($2 + 1)),bindaddr=127.0.0.1 \
    --pid file="$1.swtpm.pid"
}
mkdir "$work/tpm"
start_swtpm "$work/tpm" "$port"
ip netns add "$ns"
ip netns exec "$ns" wireguard-go "$iface" 2>/dev/null
for _ in $(seq 100); do ip -n "$ns" link show "$iface" >/dev/null 2>&1 && break; sleep 0.05; done

$a --tcti "$tcti" wireguard seal --out "$work/wg.sealed" --pcr-policy sha256:16 >/dev/null
wg genkey >"$work/wg.key"
: >"$work/empty"

# the agent, on a copy of the TPM (same seeds: the sealed file opens there too)
cp -r "$work/tpm" "$work/tpm2"
rm -f "$work/tpm2/.lock"
port2=$(free_port)
start_swtpm "$work/tpm2" "$port2"
export TPMAUTH_WG_SOCKET=$work/agent.sock
$a --tcti "swtpm:host=127.0.0.1,port=$port2" wireguard agent --socket "$TPMAUTH_WG_SOCKET" --netns "$ns" \
  >/dev/null 2>"$work/agent.log" &
agent_pid=$!
for _ in $(seq 600); do [[ -S $TPMAUTH_WG_SOCKET ]] && break; sleep 0.05; done
[[ -S $TPMAUTH_WG_SOCKET ]] || { echo "the agent did not start:" >&2; cat "$work/agent.log" >&2; exit 1; }
agent_java=$(pgrep -P "$agent_pid" java || echo "$agent_pid") # the launcher execs java; `java -jar` is java itself
# CPU clock ticks in variables, read by builtins: no process of the measurement's own gets counted
agent_cpu() { local f; read -r -a f <"/proc/$agent_java/stat"; ticks=$((f[13] + f[14] + f[15] + f[16])); } # + waited children

reset() { # keyless and down, untimed
  ip netns exec "$ns" wg set "$iface" private-key "$work/empty"
  ip -n "$ns" link set dev "$iface" down
}
now() { echo $((${EPOCHREALTIME/./} * 1000)); } # ns, without starting a process
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

children_cpu() { local f; read -r -a f <"/proc/$$/stat"; ticks=$((f[15] + f[16])); } # this shell's waited children
timed_agent() { # wall (us) of one bring-up through the agent; adds the client's CPU ticks to client_ticks
  local start end before
  reset
  children_cpu
  before=$ticks
  start=${EPOCHREALTIME/./}
  "$client" "$iface" "$work/wg.sealed" >/dev/null
  end=${EPOCHREALTIME/./}
  children_cpu
  client_ticks=$((client_ticks + ticks - before))
  record "${1:-agent}" $((end - start))
}

timed_agent_nc() { # the same request as a PostUp one-liner in the shell (wg-quick evals PostUp in bash): nc alone
  local start end before answer
  reset
  children_cpu
  before=$ticks
  start=${EPOCHREALTIME/./}
  answer=$(printf 'up %s %s\n' "$iface" "$work/wg.sealed" | nc -U -N "$TPMAUTH_WG_SOCKET")
  [[ $answer == "ok "* ]] || { echo "the agent answered: $answer" >&2; exit 1; }
  end=${EPOCHREALTIME/./}
  children_cpu
  nc_ticks=$((nc_ticks + ticks - before))
  record agent_nc $((end - start))
}

if ((process)); then
  $a --tcti "$tcti" wireguard up --sealed "$work/wg.sealed" --interface "$iface" --netns "$ns" >/dev/null # untimed
fi
client_ticks=0 nc_ticks=0
sleep "${FIRST_DELAY:-0}"
timed_agent agent_first
for _ in $(seq $((warmup - 1))); do
  reset
  "$client" "$iface" "$work/wg.sealed" >/dev/null
done
agent_ticks=0 client_ticks=0 keyfile_ticks=0
for i in $(seq "$runs"); do
  reset
  children_cpu
  before=$ticks
  start=${EPOCHREALTIME/./}
  ip netns exec "$ns" wg set "$iface" private-key "$work/wg.key"
  ip -n "$ns" link set dev "$iface" up
  end=${EPOCHREALTIME/./}
  children_cpu
  keyfile_ticks=$((keyfile_ticks + ticks - before))
  record keyfile $((end - start))
  agent_cpu
  before=$ticks
  timed_agent
  agent_cpu
  agent_ticks=$((agent_ticks + ticks - before))
  timed_agent_nc
  ((process)) || continue
  if ((i % 2)) && [[ -n $b ]]; then # every other run B first
    timed_process b $b
    timed_process a $a
  else
    timed_process a $a
    [[ -z $b ]] || timed_process b $b
  fi
done
hz=$(getconf CLK_TCK)
# the agent's own time per timed request, from its log line "... (12.3 ms)"
tail -n "$runs" "$work/agent.log" | sed -n 's/.*: ok .* (\([0-9.]*\) ms)$/handler \1/p' >>"$work/times"

awk -v runs="$runs" -v hz="$hz" -v keyfile_ticks="$keyfile_ticks" -v client_ticks="$client_ticks" \
    -v agent_ticks="$agent_ticks" -v nc_ticks="$nc_ticks" '
  { wall[$1] = wall[$1] " " $2; cpu[$1] = cpu[$1] " " $3; n[$1]++; seq[$1, n[$1]] = $2 }
  function median(list,   v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function ms(ticks) { return ticks * 1000 / hz / runs }
  END {
    key = median(wall["keyfile"]) / 1000
    line = sprintf("bench wireguard_process runs=%d keyfile_median_ms=%.2f keyfile_cpu_mean_ms=%.2f", runs, key, ms(keyfile_ticks))
    for (l = 1; l <= 2; l++) {
      v = l == 1 ? "a" : "b"
      if (!(v in wall)) continue
      w = median(wall[v]) / 1000
      line = line sprintf(" %s_median_ms=%.2f %s_cpu_median_ms=%.2f %s_diff_ms=%.2f", v, w, v, median(cpu[v]) / 1000, v, w - key)
    }
    w = median(wall["agent"]) / 1000
    diffs = ""
    for (i = 1; i <= n["agent"]; i++) diffs = diffs " " (seq["agent", i] - seq["keyfile", i])
    line = line sprintf(" agent_first_ms=%.2f agent_median_ms=%.2f agent_handler_median_ms=%.2f", wall["agent_first"] / 1000, w, median(wall["handler"]))
    line = line sprintf(" agent_client_cpu_mean_ms=%.2f agent_server_cpu_mean_ms=%.2f", ms(client_ticks), ms(agent_ticks))
    line = line sprintf(" agent_diff_ms=%.2f agent_paired_diff_median_ms=%.2f", w - key, median(diffs) / 1000)
    w = median(wall["agent_nc"]) / 1000
    diffs = ""
    for (i = 1; i <= n["agent_nc"]; i++) diffs = diffs " " (seq["agent_nc", i] - seq["keyfile", i])
    line = line sprintf(" agent_nc_median_ms=%.2f agent_nc_client_cpu_mean_ms=%.2f agent_nc_diff_ms=%.2f", w, ms(nc_ticks), w - key)
    line = line sprintf(" agent_nc_paired_diff_median_ms=%.2f", median(diffs) / 1000)
    print line
  }' "$work/times"
