#!/usr/bin/env bash
# Installs the Debian / Ubuntu packages tpmauth needs; installs only what is missing, so it is safe
# to run again. Runs apt-get as root, through sudo when not root.
#
#   scripts/install-deps.sh            everything: build, swtpm tests, tpm2-tools / tpm2-openssl interop
#   scripts/install-deps.sh --minimal  only what the demo needs (JDK, Maven, libtpms)
#   scripts/install-deps.sh --bench    everything, the C stack for bench/compare.sh (libtss2-dev, gcc, make)
#                                      and tpm2-abrmd for bench/tls-handshakes.sh
set -euo pipefail

FULL=(openjdk-17-jdk-headless maven netcat-openbsd swtpm swtpm-tools libtpms0 tpm2-tools libtss2-fapi1 libtss2-tcti-swtpm0 tpm2-openssl openssl procps iproute2 mosquitto mosquitto-clients
      iputils-ping wireguard-go wireguard-tools openvpn ocserv openconnect tpm2-abrmd libtss2-tcti-tabrmd0 dbus-daemon
      charon-systemd strongswan-swanctl libstrongswan-extra-plugins libcharon-extra-plugins
      p11-kit p11-kit-modules opensc openssh-server openssh-client libengine-pkcs11-openssl freeradius eapoltest
      network-manager hostapd wpasupplicant systemd libtpm2-pkcs11-1 libtpm2-pkcs11-tools postgresql curl util-linux
      chromium chromium-driver libnss3-tools)
MINIMAL=(openjdk-17-jdk-headless maven libtpms0)
BENCH=(libtss2-dev gcc make libc6-dev tpm2-abrmd libtss2-tcti-tabrmd0 dbus-daemon dbus-bin)

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

packages=("${FULL[@]}")
case "$#:${1:-}" in
  0:) ;;
  1:--minimal) packages=("${MINIMAL[@]}") ;;
  1:--bench) packages=("${FULL[@]}" "${BENCH[@]}") ;;
  1:-h | 1:--help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) die "usage: $0 [--minimal | --bench]" ;;
esac

command -v dpkg-query >/dev/null && command -v apt-get >/dev/null \
  || die "this script is for Debian / Ubuntu (dpkg-query and apt-get not found)"

installed() { [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) == "ii " ]]; }

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  say "all ${#packages[@]} packages present"
  exit 0
fi
say "missing: ${missing[*]}"

if ((EUID == 0)); then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  die "run this as root (sudo is not installed)"
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# apt-get, quiet; its output goes to the log, shown only when the script fails
apt() { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y "$@" >>"$log" 2>&1; }
fail() { tail -n 25 "$log" >&2; die "$1"; }

updated=false
update() {
  say "updating package lists"
  apt update || fail "apt-get update failed"
  updated=true
}
no_candidate() {
  local c
  c=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
  [[ -z $c || $c == "(none)" ]]
}

for p in "${missing[@]}"; do
  if no_candidate "$p"; then
    update
    break
  fi
done
say "installing ${missing[*]}"
if ! apt install --no-install-recommends "${missing[@]}"; then
  # stale package lists can name versions the mirror no longer has
  $updated && fail "apt-get install failed"
  update
  say "installing ${missing[*]} (after the update)"
  apt install --no-install-recommends "${missing[@]}" || fail "apt-get install failed"
fi

for p in "${missing[@]}"; do
  installed "$p" || fail "$p is still not installed"
done
say "installed ${#missing[@]} packages"
