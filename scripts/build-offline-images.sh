#!/usr/bin/env bash
# Builds the images that the offline profile (pipeline-offline.yml) uses, from Debian's packages only:
#   proxystage/debian:bookworm  debootstrap minbase root filesystem, imported
#   proxystage/nginx:offline    nginx-light, laid out like the official nginx image
#   proxystage/jre:17-offline   openjdk-17-jre-headless, runs ProxyStage's echo backend
# debootstrap takes the Debian mirror from this machine's apt configuration (lib/apt-mirror.sh).
# An image that already exists is skipped; --rebuild builds them all again.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/apt-mirror.sh
. "$here/lib/apt-mirror.sh"
rebuild=false
[ "${1:-}" = "--rebuild" ] && rebuild=true

log() { printf '[offline-images] %s\n' "$*"; }

exists() { docker image inspect "$1" >/dev/null 2>&1; }

docker info >/dev/null 2>&1 || { log "ERROR: no Docker engine answers (start one with scripts/docker-engine.sh)"; exit 1; }

base=proxystage/debian:bookworm
if $rebuild || ! exists "$base"; then
  # debootstrap uses the Debian mirror that apt on this machine already uses.
  # shellcheck disable=SC2119 # no argument: apt_mirror reads ${APT_MIRROR_ETC:-/etc/apt}
  mirror=$(apt_mirror) \
    || { log "ERROR: no Debian mirror in the apt configuration (${APT_MIRROR_ETC:-/etc/apt}/sources.list, sources.list.d/*.list, *.sources)"; exit 1; }
  command -v debootstrap >/dev/null 2>&1 || {
    log "installing debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  rootfs=$(mktemp -d /tmp/proxystage-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  log "debootstrap bookworm (minbase) from $mirror into $rootfs"
  start=$SECONDS
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/tmp/proxystage-debootstrap.log 2>&1 \
    || { log "ERROR: debootstrap failed; see /tmp/proxystage-debootstrap.log"; tail -n 20 /tmp/proxystage-debootstrap.log >&2; exit 1; }
  tar -C "$rootfs" -c . | docker import - "$base" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  log "$base built in $((SECONDS - start)) s"
else
  log "$base exists, skipped"
fi

build() {
  local tag=$1 dir=$2
  if $rebuild || ! exists "$tag"; then
    local start=$SECONDS
    docker build -q -t "$tag" "$here/images/$dir" >/dev/null \
      || { log "ERROR: docker build of $tag failed"; exit 1; }
    log "$tag built in $((SECONDS - start)) s"
  else
    log "$tag exists, skipped"
  fi
}

build proxystage/nginx:offline nginx
build proxystage/jre:17-offline jre

log "ready: $(docker images --format '{{.Repository}}:{{.Tag}}' | grep '^proxystage/' | sort | tr '\n' ' ')"
