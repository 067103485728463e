#!/usr/bin/env bash
# tpmauth's PKCS#11 token against tpm2-pkcs11 on one swtpm (issue 10's speed item): EAP-TLS 1.3
# authentications with eapol_test against FreeRADIUS through the tpmauth token, through tpm2-pkcs11
# directly, through tpm2-pkcs11 behind `p11-kit server`, and with a software key; pkcs11-tool sign
# latency through the token and directly through tpm2-pkcs11; C_Sign over tpmauth's socket. The routes
# take turns for 5 rounds after a warm-up round; each figure is the median over the rounds.
#
#   bench/pkcs11-compare.sh [--transport tcp|unix]     (swtpm on TCP, the default, or on UNIX sockets, for
#                                                      every route)
#
# Runs pkcs11's TokenBenchmarkTest (-Dbenchmark=true; never part of the test run) and prints its lines:
#   bench NAME ROUTE MEDIAN ms
#   ratio NAME ROUTE_A/ROUTE_B VALUE        (above 1: ROUTE_A is slower)
#   goal NAME met|missed ...
#   calls NAME ROUTE CALL PER_RUN MEDIAN_US    (p11-kit calls per authentication / pkcs11-tool run, each
#                                               call's server latency; an untimed pass through a tap)
#   tpm_commands NAME ROUTE COMMAND PER_AUTH   (TPM commands below tpmauth's resource manager)
# FreeRADIUS runs as a production server does (no -X). eapol_test -r pauses 100 ms before every
# re-authentication; eap_tls13_ec_work_ms_per_auth leaves that pause out (the goals use it).
# eap_tls13_ec_overhead_ms is a route's time per authentication minus the software key's in the same
# round: what the key's route costs. On a loaded machine it is noise below a few ms; run it twice.
# eap_tls13_ec_process_ms_per_auth: one eapol_test process per authentication (module load, C_Initialize,
# object search, login, signature, TLS: what a machine pays at each connect, the reading of the issue's
# baseline figures); eap_tls13_ec_process_overhead_ms the same minus the software key's (which loads no
# PKCS#11 engine or module at all). Not for tpm2-pkcs11 behind p11-kit server: its one module instance keeps
# the previous process's login. The token is warmed up as `tpmauth pkcs11 serve` warms it, and its JVM (the
# test's) runs with the service's options (contrib/tpmauth.jvm-options and contrib/pkcs11-serve.jvm-options, as
# the launcher runs it).
# Needs scripts/install-deps.sh (swtpm, freeradius, eapoltest, opensc, p11-kit-modules, libengine-pkcs11-openssl,
# libtpm2-pkcs11-1, libtpm2-pkcs11-tools, tpm2-abrmd, dbus-daemon) and Maven's offline repository. Root:
# FreeRADIUS and tpm2-abrmd run as the caller. Takes about five minutes.
set -euo pipefail
cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
for tool in swtpm freeradius eapol_test pkcs11-tool tpm2_ptool tpm2-abrmd dbus-daemon mvn; do
  command -v "$tool" >/dev/null || { echo "pkcs11-compare: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
transport=tcp
while (($#)); do
  case "$1" in
    --transport) transport=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,31s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--transport tcp|unix]" >&2; exit 2 ;;
  esac
done
[[ $transport == tcp || $transport == unix ]] || { echo "pkcs11-compare: --transport is tcp or unix" >&2; exit 2; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! mvn -B -o -pl pkcs11 -am test -Dtest=TokenBenchmarkTest -Dbenchmark=true -Dtransport="$transport" -Dsurefire.failIfNoSpecifiedTests=false \
    -DargLine="@$PWD/contrib/tpmauth.jvm-options @$PWD/contrib/pkcs11-serve.jvm-options" >"$log" 2>&1; then
  tail -n 60 "$log" >&2
  echo "pkcs11-compare: the benchmark failed (Maven's output above)" >&2
  exit 1
fi
# surefire keeps the test's output in its report directory
grep -E '^(# tpmauth token|bench |ratio |goal |calls |tpm_commands )' pkcs11/target/surefire-reports/org.tpmauth.pkcs11.TokenBenchmarkTest-output.txt
