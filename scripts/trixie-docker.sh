#!/usr/bin/env bash
# Docker 26 and Compose v2 from Debian trixie's packages, on a machine whose own release is older
# (bookworm: Docker 20.10, Compose 1.29), without touching its engine, its packages or its sources.
#
#   scripts/trixie-docker.sh engine     prints the directory of dockerd 26 and its helpers
#   scripts/trixie-docker.sh compose    prints the path of docker-compose 2.x
#   scripts/trixie-docker.sh versions   prints what is there, one line each (provisions nothing)
#
# apt reads trixie through a private state under $TRIXIE_DOCKER_CACHE (default
# /var/cache/proxystage/trixie-docker): its own sources file (the mirror this machine's apt already
# uses, lib/apt-mirror.sh), lists and archives; the machine's sources and dpkg database are never
# read or changed. `apt-get download` fetches the packages and `dpkg-deb -x` unpacks them into
# root/. trixie's binaries need glibc 2.38 or later (runc, tini) or trixie's libsystemd, which needs
# 2.39, and this machine has 2.36; so the executables are copied to bin/ and each is given trixie's
# dynamic loader in root/ as its interpreter and root/'s library directory as its RPATH (patchelf).
# /proc/self/exe stays the program itself, so runc and dockerd can re-execute themselves. A check
# then runs each one's loader in trace mode: a library found outside root/ fails the provisioning.
# Compose v2 is a static Go binary apart from libc (GLIBC_2.34 at most) and runs as it is.
#
# What was made is kept; a rerun only checks it (well under a second). Progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/apt-mirror.sh
. "$here/lib/apt-mirror.sh"

cache=${TRIXIE_DOCKER_CACHE:-/var/cache/proxystage/trixie-docker}
suite=trixie
# The engine, and the libraries its programs load (their NEEDED entries, and those of those).
engine_packages="docker.io containerd runc tini"
lib_packages="libc6 libseccomp2 libsystemd0 libcap2 libgcrypt20 liblzma5 libzstd1 liblz4-1 libgpg-error0"
# program in bin/ <- file in root/
programs="dockerd:usr/sbin/dockerd docker-proxy:usr/sbin/docker-proxy containerd:usr/bin/containerd
containerd-shim-runc-v2:usr/bin/containerd-shim-runc-v2 runc:usr/sbin/runc docker-init:usr/bin/tini"

log() { printf '[trixie-docker] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

apt_opts() {
  printf '%s\n' -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$cache/apt/sources" \
    -o "Dir::State=$cache/apt/state" -o "Dir::Cache=$cache/apt/cache" -o "Dir::State::status=$cache/apt/state/status" \
    -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1"
}

# The private apt state: trixie from this machine's mirror, signed by Debian's archive keyring.
apt_state() {
  local mirror keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [ -r "$keyring" ] || die "$keyring is missing (package debian-archive-keyring)"
  mkdir -p "$cache/apt/sources" "$cache/apt/state/lists/partial" "$cache/apt/cache/archives/partial" "$cache/debs"
  touch "$cache/apt/state/status"
  if [ ! -s "$cache/apt/sources/$suite.sources" ]; then
    # shellcheck disable=SC2119 # no argument: apt_mirror reads ${APT_MIRROR_ETC:-/etc/apt}
    mirror=$(apt_mirror) || die "no Debian mirror in the apt configuration (${APT_MIRROR_ETC:-/etc/apt})"
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' "$mirror" "$suite" "$keyring" \
      >"$cache/apt/sources/$suite.sources"
  fi
  if [ -z "$(find "$cache/apt/state/lists" -maxdepth 1 -name '*_Packages*' 2>/dev/null)" ]; then
    local t=$SECONDS
    mapfile -t opts < <(apt_opts)
    apt-get -qq "${opts[@]}" update >&2 || die "apt-get update of $suite failed"
    log "$suite's package lists read in $((SECONDS - t)) s"
  fi
}

# Downloads (into debs/) and unpacks (into DIR) these packages.
unpack() {
  local dir=$1; shift
  local t=$SECONDS deb
  mapfile -t opts < <(apt_opts)
  if ! (cd "$cache/debs" && apt-get -qq "${opts[@]}" download "$@" >&2); then
    # The lists may be older than the mirror: read them again, once.
    log "download failed; reading $suite's package lists again"
    rm -rf "$cache/apt/state/lists"
    apt_state
    (cd "$cache/debs" && apt-get -qq "${opts[@]}" download "$@" >&2) || die "apt-get download $* failed"
  fi
  mkdir -p "$dir"
  for deb in "$@"; do
    deb=$(find "$cache/debs" -maxdepth 1 -name "${deb}_*.deb" | sort | tail -n 1)
    dpkg-deb -x "$deb" "$dir"
  done
  log "$* unpacked in $((SECONDS - t)) s"
}

libdir() { echo "$cache/root/usr/lib/x86_64-linux-gnu"; }

# Every library the program loads comes from root/.
check_program() {
  local program=$1 lib stray
  stray=$(LD_TRACE_LOADED_OBJECTS=1 "$program" 2>&1 | awk '/=>/ {print $3}' | while read -r lib; do
    case $lib in "$(libdir)"/*) ;; *) echo "$lib" ;; esac
  done)
  [ -z "$stray" ] || die "$program loads libraries outside $cache/root: $(echo "$stray" | tr '\n' ' ')"
}

engine() {
  local bin=$cache/bin stamp=$cache/bin/.ready entry name file t
  if [ -f "$stamp" ]; then
    for entry in $programs; do [ -x "$bin/${entry%%:*}" ] || rm -f "$stamp"; done
  fi
  if [ ! -f "$stamp" ]; then
    [ "$(uname -m)" = x86_64 ] || die "only x86_64 is provisioned here (this is $(uname -m))"
    [ "$(id -u)" -eq 0 ] || die "needs root (apt-get, a cache under $cache)"
    command -v patchelf >/dev/null 2>&1 || {
      log "installing patchelf from this machine's packages"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq patchelf >/dev/null 2>&1 \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq patchelf >/dev/null; } \
        || die "patchelf could not be installed"
    }
    t=$SECONDS
    apt_state
    rm -rf "$cache/root" "$bin"
    # shellcheck disable=SC2086
    unpack "$cache/root" $engine_packages $lib_packages
    mkdir -p "$bin"
    for entry in $programs; do
      name=${entry%%:*} file=${entry#*:}
      [ -f "$cache/root/$file" ] || die "$file is not in trixie's $engine_packages"
      cp "$cache/root/$file" "$bin/$name"
      # DT_RPATH (not RUNPATH): it applies to the libraries' own dependencies too.
      patchelf --set-interpreter "$(libdir)/ld-linux-x86-64.so.2" --force-rpath --set-rpath "$(libdir)" "$bin/$name"
      check_program "$bin/$name"
    done
    "$bin/dockerd" --version >/dev/null || die "$bin/dockerd does not run"
    "$bin/runc" --version >/dev/null || die "$bin/runc does not run"
    "$bin/dockerd" --version >"$stamp"
    log "engine provisioned in $((SECONDS - t)) s: $(cat "$stamp")"
  fi
  echo "$bin"
}

compose() {
  local dir=$cache/compose binary t
  binary=$dir/usr/libexec/docker/cli-plugins/docker-compose
  if [ ! -x "$binary" ]; then
    [ "$(id -u)" -eq 0 ] || die "needs root (apt-get, a cache under $cache)"
    t=$SECONDS
    apt_state
    rm -rf "$dir"
    unpack "$dir" docker-compose
    [ -x "$binary" ] || die "docker-compose's package has no $binary"
    log "compose provisioned in $((SECONDS - t)) s"
  fi
  "$binary" version --short >/dev/null 2>&1 || die "$binary does not run on this machine: $("$binary" version 2>&1 | head -n 1)"
  echo "$binary"
}

case ${1:-} in
  engine) engine ;;
  compose) compose ;;
  versions)
    [ -f "$cache/bin/.ready" ] && echo "engine: $(cat "$cache/bin/.ready")" || echo "engine: not provisioned"
    b=$cache/compose/usr/libexec/docker/cli-plugins/docker-compose
    [ -x "$b" ] && echo "compose: $("$b" version --short)" || echo "compose: not provisioned"
    ;;
  *) echo "usage: $0 engine|compose|versions" >&2; exit 2 ;;
esac
