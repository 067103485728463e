#!/usr/bin/env bash
# TLS 1.3 handshakes per second with mutual auth (ECDSA P-256 client key), in one run on one swtpm,
# against one `openssl s_server -Verify 1 -verify_return_error -www -tls1_3 -num_tickets 0` on 127.0.0.1:
#   tpmauth_tpm_key       tpmauth (BC-JSSE) signing with a TPM key in the swtpm, new full handshakes
#   tpmauth_software_key  the same code with a software key (TpmSslContexts.softwareKeyManager)
#   ..._sunjsse, ..._threads2, ..._sunjsse_threads2: the same on the JDK's SunJSSE, with 2 client threads
#   openssl_tpm2          `openssl s_time -new` with the tpm2-openssl provider and the same TPM key,
#                         through tpm2-abrmd (which the provider needs for TLS) on a private D-Bus
#
#   bench/tls-handshakes.sh [--seconds S] [--rounds R] [--transport tcp|unix]
#                                     (defaults: 6 s per measurement, 3 rounds, swtpm on TCP)
#
# --transport unix serves swtpm on UNIX sockets (swtpm:path=...) to every stack, tpm2-abrmd included.
# Each round runs one JVM that measures the eight tpmauth variants (per engine S s of warm-up, then TPM and
# software key taking turns in 250 ms slices), then openssl; each figure is the median over the rounds.
# Both keys go through the same SSLContext builder, engine and crypto provider. A handshake counts only when the
# server accepted the client certificate: tpmauth checks for "HTTP/1.0 200" after every handshake, and
# the openssl run is refused (the script fails) unless s_time fetched the page every time.
# tpm2-abrmd holds swtpm's only connection, so it runs only during the openssl measurement.
# Prints `name handshakes_per_s` lines, the ratios (`..._paired_median`: the median of the rounds' own ratios), then `cost name median_ms process_cpu_us thread_cpu_us
# server_cpu_us tpm_commands tpm_signs suite` lines (per handshake; openssl's median_ms is a mean, its CPU
# s_time's user+sys; its TPM commands are read from swtpm's own log in a last, untimed pass:
# `tpm_cost openssl_tpm2 tpm_commands tpm_signs suite`) and `tpm_command name COMMAND per_handshake`.
# Needs swtpm, tpm2-openssl, tpm2-abrmd and dbus-daemon (scripts/install-deps.sh --bench), and Maven's
# offline repository for the Java side.
set -euo pipefail

here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
root=$here/..
seconds=6
rounds=3
transport=tcp
while (($#)); do
  case "$1" in
    --seconds) seconds=${2:?}; shift 2 ;;
    --rounds) rounds=${2:?}; shift 2 ;;
    --transport) transport=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,26s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--seconds S] [--rounds R] [--transport tcp|unix]" >&2; exit 2 ;;
  esac
done
[[ $transport == tcp || $transport == unix ]] || { echo "tls-handshakes: --transport is tcp or unix" >&2; exit 2; }
for tool in swtpm openssl tpm2-abrmd dbus-daemon java mvn; do
  command -v "$tool" >/dev/null || { echo "tls-handshakes: $tool is missing; run scripts/install-deps.sh --bench" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
stop() { # kills the processes this script started, by pid
  local pid
  for pid in "$@"; do kill "$pid" 2>/dev/null && { wait "$pid" 2>/dev/null || true; }; done
  return 0
}
cleanup() {
  set +e
  stop "${pids[@]}" ${abrmd:-}
  [[ -f $work/swtpm.pid ]] && stop "$(cat "$work/swtpm.pid")"
  [[ -f $work/dbus.pid ]] && stop "$(cat "$work/dbus.pid")"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "tls-handshakes: $*" >&2; }

# shellcheck source=swtpm.sh
. "$here/swtpm.sh" # listening, free_port, start_swtpm
wait_listening() {
  local i
  for ((i = 0; i < 100; i++)); do listening "$1" && return; sleep 0.1; done
  log "nothing listens on 127.0.0.1:$1"; return 1
}

log "building the Java side"
(cd "$root" && mvn -q -B -o -pl tls-auth -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/cp.txt" >"$work/mvn.log" 2>&1) || { cat "$work/mvn.log" >&2; exit 1; }
classpath=$root/tls-auth/target/test-classes:$root/tls-auth/target/classes:$root/tss/target/test-classes
classpath=$classpath:$root/tss/target/classes:$(cat "$work/cp.txt")

start_swtpm "$transport" "$work"
log "swtpm at $tcti"

# The PKI: a software CA, a software server key, the TPM client key (made by tpm2-openssl, straight on
# swtpm: no TLS yet) and a software client key, each with a certificate from the CA.
cd "$work"
ossl=(openssl)
tpm=(-provider tpm2 -provider default -propquery '?provider=tpm2')
ec=(-algorithm EC -pkeyopt group:P-256)
"${ossl[@]}" genpkey "${ec[@]}" -out ca.key
"${ossl[@]}" req -x509 -new -key ca.key -subj /CN=bench-ca -days 2 -out ca.pem
issue() { # NAME KEY [provider options]: NAME.pem, a certificate for KEY
  local name=$1 key=$2
  shift 2
  "${ossl[@]}" req -new "$@" -key "$key" -subj "/CN=$name" -out "$name.csr"
  "${ossl[@]}" x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1\n') -out "$name.pem" 2>/dev/null
}
"${ossl[@]}" genpkey "${ec[@]}" -out server.key
issue server server.key
"${ossl[@]}" genpkey "${ec[@]}" -out soft.key
issue soft soft.key
TPM2OPENSSL_TCTI=$tcti "${ossl[@]}" genpkey "${tpm[@]:0:4}" "${ec[@]}" -out tpmkey.pem
TPM2OPENSSL_TCTI=$tcti issue tpm tpmkey.pem "${tpm[@]}"

server_port=$(free_port)
openssl s_server -accept "127.0.0.1:$server_port" -cert server.pem -key server.key -CAfile ca.pem \
  -Verify 1 -verify_return_error -www -tls1_3 -num_tickets 0 >"$work/server.log" 2>&1 </dev/null &
pids+=($!)
server_pid=$!
wait_listening "$server_port" || { cat "$work/server.log" >&2; exit 1; }

dbus-daemon --session --address="unix:path=$work/bus" --fork --print-pid >"$work/dbus.pid"
export DBUS_SESSION_BUS_ADDRESS=unix:path=$work/bus

printf '.level=SEVERE\n' >logging.properties # BC-JSSE logs its security properties at INFO
java_bench() {
  java -Djava.util.logging.config.file=logging.properties -cp "$classpath" org.tpmauth.tls.TlsHandshakeBench \
    "$tcti" tpmkey.pem tpm.pem soft.key soft.pem ca.pem "$server_port" "$seconds" "$server_pid"
}

s_time() {
  TPM2OPENSSL_TCTI=tabrmd:bus_type=session openssl s_time "${tpm[@]}" -new -tls1_3 -www / -cert tpm.pem \
    -key tpmkey.pem -CAfile ca.pem "$@"
}

start_abrmd() {
  tpm2-abrmd --session --tcti="$tcti" --allow-root >"$work/abrmd.log" 2>&1 &
  abrmd=$!
  local i
  for ((i = 0; i < 50; i++)); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
      string:com.intel.tss2.Tabrmd 2>/dev/null | grep -q 'boolean true' && return
    sleep 0.1
  done
}

server_ticks() { # utime + stime of s_server, in clock ticks
  awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$server_pid/stat"
}

timed_s_time() { # PORT SECONDS: s_time's output to $work/s_time.log, "wall_s cpu_s" on stdout
  local start end cpu
  start=$(date +%s.%N)
  { TIMEFORMAT='%U %S'; time s_time -connect "127.0.0.1:$1" -time "$2" >"$work/s_time.log" 2>&1 || true; } \
    2>"$work/cpu.txt"
  end=$(date +%s.%N)
  cpu=$(awk '{ print $1 + $2 }' "$work/cpu.txt")
  echo "$(echo "$end - $start" | bc) $cpu"
}

openssl_bench() {
  start_abrmd
  # s_time times whole seconds only: time the process, and subtract its start (the provider, abrmd's
  # connection, loading the key), timed by the same command against a port where nothing listens
  local startup wall server_cpu
  read -r -a startup < <(timed_s_time "$(free_port)" 1)
  server_cpu=$(server_ticks)
  read -r -a wall < <(timed_s_time "$server_port" "$seconds")
  server_cpu=$(($(server_ticks) - server_cpu))
  log "openssl s_time: ${startup[0]} s to start (not counted), then $(echo "${wall[0]} - ${startup[0]}" | bc) s:" \
    "$(grep "real seconds" "$work/s_time.log")"
  stop "$abrmd"
  abrmd=
  # "N connections in T real seconds, B bytes read per connection"; B = 0 would mean pages were refused. Its
  # cost line: the mean wall time of one handshake, s_time's CPU (one thread), the TPM columns from the last pass
  awk -v wall="$(echo "${wall[0]} - ${startup[0]}" | bc)" -v cpu="$(echo "${wall[1]} - ${startup[1]}" | bc)" \
      -v server="$server_cpu" -v tick="$(getconf CLK_TCK)" \
      '/connections in .* real seconds/ {
         if ($7 + 0 == 0) { print "tls-handshakes: s_time read no page: refused" > "/dev/stderr"; exit 1 }
         printf "openssl_tpm2 %.1f\n", $1 / wall
         printf "cost openssl_tpm2 %.2f %.0f %.0f %.0f - - -\n", wall * 1000 / $1, cpu * 1e6 / $1, cpu * 1e6 / $1,
           server * 1e6 / tick / $1
         found = 1 }
       END { if (!found) exit 1 }' "$work/s_time.log" || { cat "$work/s_time.log" "$work/abrmd.log" >&2; return 1; }
}

# swtpm's log level 20 shows each command it reads: " SWTPM_IO_Read: length N", then the bytes, TPM_CC at 7-10
commands_in_log() { # FIRST_LINE: "CODE COUNT" of the commands logged from line FIRST_LINE on
  tail -n +"$1" "$work/swtpm.log" | awk '
    prev ~ /SWTPM_IO_Read/ { count[$7 $8 $9 $10]++ }
    { prev = $0 }
    END { for (c in count) print c, count[c] }'
}

# The openssl side's TPM commands per handshake, from swtpm's own log, in an untimed pass (the log slows
# swtpm down): s_time's start against a closed port is logged first and left out, then s_time runs.
openssl_tpm_commands() {
  stop "$(cat "$work/swtpm.pid")"
  start_swtpm "$transport" "$work" --log file="$work/swtpm.log",level=20
  start_abrmd
  TPM2OPENSSL_TCTI=tabrmd:bus_type=session openssl s_client "${tpm[@]}" -brief -tls1_3 -cert tpm.pem \
    -key tpmkey.pem -CAfile ca.pem -connect "127.0.0.1:$server_port" </dev/null >"$work/s_client.log" 2>&1 || true
  timed_s_time "$(free_port)" 1 >/dev/null
  local first
  first=$(($(wc -l <"$work/swtpm.log") + 1))
  timed_s_time "$server_port" 3 >/dev/null
  stop "$abrmd"
  abrmd=
  local suite group
  suite=$(sed -n 's/^Ciphersuite: //p' "$work/s_client.log")
  group=$(sed -n 's/^Server Temp Key: //p' "$work/s_client.log")
  echo "# openssl_tpm2 negotiates ${suite:-?} with ${group:-?} (s_client -brief)"
  commands_in_log "$first" | awk -v n="$(awk '/connections in/ { print $1 }' "$work/s_time.log")" -v suite="${suite:--}" '
    BEGIN { split("00000131 TPM2_CreatePrimary 00000154 TPM2_ECDH_ZGen 00000157 TPM2_Load 0000015D TPM2_Sign " \
            "00000161 TPM2_ContextLoad 00000162 TPM2_ContextSave 00000163 TPM2_ECDH_KeyGen 00000165 TPM2_FlushContext " \
            "00000173 TPM2_ReadPublic 00000176 TPM2_StartAuthSession 0000017A TPM2_GetCapability " \
            "0000017B TPM2_GetRandom 0000017D TPM2_Hash 0000018A TPM2_TestParms 00000191 TPM2_CreateLoaded " \
            "00000186 TPM2_HashSequenceStart 0000015C TPM2_SequenceUpdate 0000013E TPM2_SequenceComplete " \
            "00000177 TPM2_VerifySignature 00000178 TPM2_ECC_Parameters 00000167 TPM2_LoadExternal", t)
            for (i = 1; i in t; i += 2) names[t[i]] = t[i + 1] }
    { name = ($1 in names) ? names[$1] : "0x" $1; total += $2; if (name == "TPM2_Sign") signs = $2
      printf "tpm_command openssl_tpm2 %s %.2f\n", name, $2 / n }
    END { printf "tpm_cost openssl_tpm2 %.2f %.2f %s\n", total / n, signs / n, suite }'
}

for ((round = 1; round <= rounds; round++)); do
  log "round $round of $rounds"
  java_bench | tee -a results.txt
  openssl_bench | tee -a results.txt
done
openssl_tpm_commands | tee -a results.txt

# s_server logs an error for every handshake it refused (-verify_return_error): none may be there. An
# "unexpected eof" is the probe that waited for it to listen.
if grep -i error "$work/server.log" | grep -v 'unexpected eof while reading' >"$work/refused.log"; then
  head -5 "$work/refused.log" >&2
  log "the server refused $(wc -l <"$work/refused.log") handshakes: the figures do not count"
  exit 1
fi

echo "# TLS 1.3 mutual-auth handshakes/s, ECDSA P-256 client key, ${seconds} s each, median of $rounds rounds"
awk '
  function median(key,   n, i, j, v, t) {
    n = count[key]
    for (i = 1; i <= n; i++) v[i] = values[key, i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function paired(tpm, software,   i, name) {
    name = "ratio_" substr(tpm, 9) "_over_" substr(software, 9) "_paired"
    for (i = 1; i <= count[tpm] && i <= count[software]; i++) { values[name, i] = values[tpm, i] / values[software, i]; count[name] = i }
    printf "%s_median %.2f", name, median(name)
    for (i = 1; i <= count[name]; i++) printf "%s%.2f", (i == 1 ? " (rounds: " : ", "), values[name, i]
    printf ")\n"
  }
  /^#/ { next }
  $1 == "cost" || $1 == "tpm_command" || $1 == "tpm_cost" {
    key = $1 " " $2 (($1 == "tpm_command") ? " " $3 : "")
    if (!(key in seen)) { seen[key] = 1; order[++keys] = key }
    for (f = ($1 == "tpm_command" ? 4 : 3); f <= NF; f++) { values[key "#" f, ++count[key "#" f]] = $f; last[key "#" f] = $f }
    fields[key] = NF
    next
  }
  { if (!(($1) in rate)) names[++nnames] = $1; rate[$1] = 1; values[$1, ++count[$1]] = $2 }
  END {
    for (i = 1; i <= nnames; i++) { r[names[i]] = median(names[i]); printf "%s %.1f\n", names[i], r[names[i]] }
    a = r["tpmauth_tpm_key"]; b = r["tpmauth_software_key"]; c = r["openssl_tpm2"]
    printf "ratio_tpm_key_over_openssl_tpm2 %.2f\nratio_tpm_key_over_software_key %.2f\n", a / c, a / b
    printf "ratio_tpm_key_sunjsse_over_openssl_tpm2 %.2f\n", r["tpmauth_tpm_key_sunjsse"] / c
    printf "ratio_tpm_key_sunjsse_over_software_key_sunjsse %.2f\n", r["tpmauth_tpm_key_sunjsse"] / r["tpmauth_software_key_sunjsse"]
    # the rounds drift; the TPM and the software key of one round share its slices: their ratio, per round
    paired("tpmauth_tpm_key", "tpmauth_software_key")
    paired("tpmauth_tpm_key_sunjsse", "tpmauth_software_key_sunjsse")
    printf "ratio_tpm_key_threads2_over_tpm_key %.2f\n", r["tpmauth_tpm_key_threads2"] / a
    printf "ratio_tpm_key_sunjsse_threads2_over_tpm_key_sunjsse %.2f\n", r["tpmauth_tpm_key_sunjsse_threads2"] / r["tpmauth_tpm_key_sunjsse"]
    printf "# goals: ratio_tpm_key_over_openssl_tpm2 >= 20 and ratio_tpm_key_over_software_key >= 0.85\n"
    for (k = 1; k <= keys; k++) {
      key = order[k]; line = key; first = (key ~ /^tpm_command/) ? 4 : 3
      for (f = first; f <= fields[key]; f++)
        line = line " " (last[key "#" f] ~ /^[0-9.]+$/ ? sprintf("%g", median(key "#" f)) : last[key "#" f])
      print line
    }
  }' results.txt
