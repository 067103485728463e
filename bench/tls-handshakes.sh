#!/usr/bin/env bash
# TLS 1.3 handshakes per second with mutual auth (ECDSA P-256 client key), in one run on one swtpm,
# against one `openssl s_server -Verify 1 -verify_return_error -www -tls1_3 -num_tickets 0` on 127.0.0.1:
#   tpmauth_tpm_key       tpmauth (BC-JSSE) signing with a TPM key in the swtpm, new full handshakes
#   tpmauth_software_key  the same code with a software key (the JDK's PKIX key manager)
#   openssl_tpm2          `openssl s_time -new` with the tpm2-openssl provider and the same TPM key,
#                         through tpm2-abrmd (which the provider needs for TLS) on a private D-Bus
#
#   bench/tls-handshakes.sh [--seconds S] [--rounds R]     (defaults: 6 s per measurement, 3 rounds)
#
# The three run in turn R times; each figure is the median over the rounds. A handshake counts only when
# the server accepted the client certificate: tpmauth checks for "HTTP/1.0 200" after every handshake,
# and the openssl run is refused (the script fails) unless s_time fetched the page every time.
# tpm2-abrmd holds swtpm's only connection, so it runs only during the openssl measurement.
# Prints `name handshakes_per_s` lines, then the ratios. Needs swtpm, tpm2-openssl, tpm2-abrmd and
# dbus-daemon (scripts/install-deps.sh --bench), and Maven's offline repository for the Java side.
set -euo pipefail

here=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
root=$here/..
seconds=6
rounds=3
while (($#)); do
  case "$1" in
    --seconds) seconds=${2:?}; shift 2 ;;
    --rounds) rounds=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--seconds S] [--rounds R]" >&2; exit 2 ;;
  esac
done
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

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { # a free port P with P+1 free too (swtpm's control channel)
  local p
  while :; do
    p=$((20000 + RANDOM % 12000)) # below the ephemeral range, where outgoing connections bind
    listening "$p" || listening $((p + 1)) || { echo "$p"; return; }
  done
}
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

mkdir -p "$work/state"
for attempt in 1 2 3 4 5; do # another process may take the port between the check and the bind
  port=$(free_port)
  swtpm socket --tpm2 --tpmstate dir="$work/state" \
    --server type=tcp,port="$port",bindaddr=127.0.0.1 --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
    --flags not-need-init,startup-clear --daemon --pid file="$work/swtpm.pid" 2>"$work/swtpm.err" && break
  port=
done
[[ -n $port ]] || { cat "$work/swtpm.err" >&2; log "cannot start swtpm"; exit 1; }
tcti="swtpm:host=127.0.0.1,port=$port"
log "swtpm on 127.0.0.1:$port"

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
wait_listening "$server_port" || { cat "$work/server.log" >&2; exit 1; }

dbus-daemon --session --address="unix:path=$work/bus" --fork --print-pid >"$work/dbus.pid"
export DBUS_SESSION_BUS_ADDRESS=unix:path=$work/bus

printf '.level=SEVERE\n' >logging.properties # BC-JSSE logs its security properties at INFO
java_bench() {
  java -Djava.util.logging.config.file=logging.properties -cp "$classpath" org.tpmauth.tls.TlsHandshakeBench \
    "$@" ca.pem "$server_port" "$seconds"
}


s_time() {
  TPM2OPENSSL_TCTI=tabrmd:bus_type=session openssl s_time "${tpm[@]}" -new -tls1_3 -www / -cert tpm.pem \
    -key tpmkey.pem -CAfile ca.pem "$@"
}

openssl_bench() {
  tpm2-abrmd --session --tcti="$tcti" --allow-root >"$work/abrmd.log" 2>&1 &
  abrmd=$!
  local i
  for ((i = 0; i < 50; i++)); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
      string:com.intel.tss2.Tabrmd 2>/dev/null | grep -q 'boolean true' && break
    sleep 0.1
  done
  # s_time times whole seconds only: time the process, and subtract its start (the provider, abrmd's
  # connection, loading the key), timed by the same command against a port where nothing listens
  local closed start end wall startup
  closed=$(free_port)
  start=$(date +%s.%N)
  s_time -connect "127.0.0.1:$closed" -time 1 >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  startup=$(echo "$end - $start" | bc)
  start=$(date +%s.%N)
  s_time -connect "127.0.0.1:$server_port" -time "$seconds" >"$work/s_time.log" 2>&1 || true
  end=$(date +%s.%N)
  wall=$(echo "$end - $start - $startup" | bc)
  log "openssl s_time: ${startup} s to start (not counted), then $wall s: $(grep "real seconds" "$work/s_time.log")"
  stop "$abrmd"
  abrmd=
  # "N connections in T real seconds, B bytes read per connection"; B = 0 would mean pages were refused
  awk -v wall="$wall" '/connections in .* real seconds/ {
         if ($7 + 0 == 0) { print "tls-handshakes: s_time read no page: refused" > "/dev/stderr"; exit 1 }
         printf "openssl_tpm2 %.1f\n", $1 / wall; found = 1 }
       END { if (!found) exit 1 }' "$work/s_time.log" || { cat "$work/s_time.log" "$work/abrmd.log" >&2; return 1; }
}

for ((round = 1; round <= rounds; round++)); do
  log "round $round of $rounds"
  java_bench tpm "$tcti" tpmkey.pem tpm.pem | tee -a results.txt
  java_bench software soft.key soft.pem | tee -a results.txt
  openssl_bench | tee -a results.txt
done

# s_server logs an error for every handshake it refused (-verify_return_error): none may be there. An
# "unexpected eof" is the probe that waited for it to listen.
if grep -i error "$work/server.log" | grep -v 'unexpected eof while reading' >"$work/refused.log"; then
  head -5 "$work/refused.log" >&2
  log "the server refused $(wc -l <"$work/refused.log") handshakes: the figures do not count"
  exit 1
fi

echo "# TLS 1.3 mutual-auth handshakes/s, ECDSA P-256 client key, ${seconds} s each, median of $rounds rounds"
awk '
  function median(name,   n, i, j, v, t) {
    n = count[name]
    for (i = 1; i <= n; i++) v[i] = values[name, i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  { values[$1, ++count[$1]] = $2 }
  END {
    a = median("tpmauth_tpm_key"); b = median("tpmauth_software_key"); c = median("openssl_tpm2")
    printf "tpmauth_tpm_key %.1f\ntpmauth_software_key %.1f\nopenssl_tpm2 %.1f\n", a, b, c
    printf "ratio_tpm_key_over_openssl_tpm2 %.2f\nratio_tpm_key_over_software_key %.2f\n", a / c, a / b
    printf "# goals: >= 20 and >= 0.85\n"
  }' results.txt
