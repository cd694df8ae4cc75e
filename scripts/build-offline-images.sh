#!/usr/bin/env bash
# Builds the images that the offline profile (pipeline-offline.yml) uses, from Debian's packages only:
#   proxystage/debian:bookworm  debootstrap minbase root filesystem, imported
#   proxystage/debian:trixie    the same, of Debian trixie
#   proxystage/nginx:offline    trixie's nginx-light (1.26), laid out like the official nginx image
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

# debootstrap uses the Debian mirror that apt on this machine already uses.
mirror=""
base_image() {
  local suite=$1 tag=proxystage/debian:$1
  if $rebuild || ! exists "$tag"; then
    if [ -z "$mirror" ]; then
      # shellcheck disable=SC2119 # no argument: apt_mirror reads ${APT_MIRROR_ETC:-/etc/apt}
      mirror=$(apt_mirror) \
        || { log "ERROR: no Debian mirror in the apt configuration (${APT_MIRROR_ETC:-/etc/apt}/sources.list, sources.list.d/*.list, *.sources)"; exit 1; }
    fi
    command -v debootstrap >/dev/null 2>&1 || {
      log "installing debootstrap"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    }
    rootfs=$(mktemp -d /tmp/proxystage-rootfs.XXXXXX)
    trap 'rm -rf "$rootfs"' EXIT
    log "debootstrap $suite (minbase) from $mirror into $rootfs"
    local start=$SECONDS
    debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"/tmp/proxystage-debootstrap-$suite.log" 2>&1 \
      || { log "ERROR: debootstrap $suite failed; see /tmp/proxystage-debootstrap-$suite.log"; tail -n 20 "/tmp/proxystage-debootstrap-$suite.log" >&2; exit 1; }
    tar -C "$rootfs" -c . | docker import - "$tag" >/dev/null
    rm -rf "$rootfs"
    trap - EXIT
    log "$tag built in $((SECONDS - start)) s"
  else
    log "$tag exists, skipped"
  fi
}

# bookworm for the JRE; trixie for nginx, whose 1.26 runs the directives people write today (http2 on, ...).
base_image bookworm
base_image trixie

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
# The official nginx image says its version in NGINX_VERSION; the offline one says it the same way, so that
# ProxyStage reads one rule for both. The version is nginx's own answer, not a guess from the package.
if [ "$(docker image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' proxystage/nginx:offline | grep -c '^NGINX_VERSION=')" = 0 ]; then
  version=$(docker run --rm --entrypoint nginx proxystage/nginx:offline -v 2>&1 | sed -n 's#^nginx version: nginx/\([0-9.]*\).*#\1#p')
  [ -n "$version" ] || { log "ERROR: proxystage/nginx:offline did not say its version (nginx -v)"; exit 1; }
  out=$(printf 'FROM proxystage/nginx:offline\nENV NGINX_VERSION=%s\n' "$version" | docker build -q -t proxystage/nginx:offline - 2>&1) \
    || { log "ERROR: cannot label proxystage/nginx:offline with its version"; printf '%s\n' "$out" >&2; exit 1; }
  log "proxystage/nginx:offline runs nginx $version"
fi
build proxystage/jre:17-offline jre

log "ready: $(docker images --format '{{.Repository}}:{{.Tag}}' | grep '^proxystage/' | sort | tr '\n' ' ')"
