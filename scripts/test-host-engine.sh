#!/usr/bin/env bash
# A second Docker engine on its own test host, for tests of a remote engine: a network namespace
# joined to this machine by a veth pair, with a dockerd inside it that listens with TLS on the test
# host's address.
#
#   scripts/test-host-engine.sh up NAME CERT_DIR [SUBNET_PREFIX [IMAGE...]]
#   scripts/test-host-engine.sh down NAME
#
# up: network namespace NAME; a veth pair with this machine at SUBNET_PREFIX.1 and the test host at
# SUBNET_PREFIX.2 (a private /24, default 10.213.7); dockerd started in the namespace with nsenter
# (`ip netns exec` remounts /sys and dockerd then finds no cgroups), with its own data root, exec
# root, pid file and config under a temp directory, no default bridge, no iptables rules, no IP
# forwarding (so its networks are apart, as a real engine's iptables rules keep them), listening
# on tcp://SUBNET_PREFIX.2:2376 with --tlsverify and on a unix socket in the temp directory.
# CERT_DIR holds ca.pem, server-cert.pem, server-key.pem (the engine's) and cert.pem, key.pem (a
# client's, used to wait for the engine); server-cert.pem must have SUBNET_PREFIX.2 as an IP SAN,
# and cert.pem extendedKeyUsage clientAuth. Then the images are copied in with docker save | docker
# load: the IMAGE arguments, else $TEST_HOST_IMAGES, else the three offline images. With
# $TEST_HOST_IMAGE_CACHE set to a directory, the saved images are kept there as one tar named by their
# ids, and a later test host with the same images loads that (this machine's engine is then asked
# only for the ids). The last line
# is `ready DOCKER_HOST=tcp://ADDR:2376`. State goes to /run/proxystage-test-hosts/NAME.env.
# Containers on user-defined bridge networks work on it, and a port published on ADDR is
# reachable from this machine (docker-proxy listens in the namespace).
#
# CERT_DIR `-` leaves TCP out: the engine listens on its unix socket alone, and the last line is
# `ready DOCKER_HOST=unix://SOCKET` (for a JVM that runs inside the namespace, as on the engine's own
# machine: nsenter --net=/run/netns/NAME).
#
# TEST_HOST_ENGINE picks the engine: `host` (the default) is the dockerd on PATH, this machine's own
# package; `docker26` is Docker 26 with its containerd and runc from Debian trixie's packages
# (scripts/trixie-docker.sh, kept under /var/cache), whatever this machine's release has.
#
# down: stops that dockerd by its pid file (SIGTERM, SIGKILL after $TEST_HOST_STOP_TIMEOUT s,
# default 30), ends whatever of it is left (its containers, containerd, shims, proxies), unmounts
# and deletes its temp directory, deletes the namespace and the veth. It never fails on parts that
# are already gone. A failed up cleans up the same way.
set -euo pipefail
# shellcheck source=lib/detached.sh
. "$(dirname "$0")/lib/detached.sh"

state_dir=/run/proxystage-test-hosts
port=2376
default_images="proxystage/debian:bookworm proxystage/nginx:offline proxystage/jre:17-offline"
ready_timeout=${TEST_HOST_READY_TIMEOUT:-90}
stop_timeout=${TEST_HOST_STOP_TIMEOUT:-30}

usage() {
  echo "usage: $0 up NAME CERT_DIR|- [SUBNET_PREFIX [IMAGE...]] | down NAME   (TEST_HOST_ENGINE=host|docker26)" >&2
  exit 2
}

name=
tmp=   # up's temp directory, global so that its EXIT trap sees it
log() { printf '[test-host %s] %s\n' "$name" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }
since() { local ms=$(($(now_ms) - $1)); printf '%d.%01d s' $((ms / 1000)) $((ms % 1000 / 100)); }

check_name() {
  [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$ ]] || die "NAME must be 1-32 letters, digits, - or _ (got '$1')"
}

# Interface names have at most 15 characters, so the veth's are made from a hash of NAME.
veth_names() {
  local h
  h=$(printf '%s' "$1" | sha1sum | cut -c1-8)
  veth_host=psh$h
  veth_peer=pst$h
}

# Pids of processes that belong to this test host: everything in its network namespace (dockerd,
# containerd, docker-proxy), and anything whose command line names its temp directory (shims).
own_pids() {
  local netns=$1 dir=$2 p cmdline
  if [ -e "/run/netns/$netns" ]; then ip netns pids "$netns" 2>/dev/null || true; fi
  if [ -n "$dir" ]; then
    for p in /proc/[0-9]*; do
      # matched in bash, so that no helper process carries the directory in its own arguments
      cmdline=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
      if [[ $cmdline == *"$dir/"* ]]; then echo "${p#/proc/}"; fi
    done
  fi
}

state_get() { sed -n "s/^$2=//p" "$state_dir/$1.env"; }

# Running, and not just a zombie its parent has yet to reap.
alive() {
  local stat
  [ -n "$1" ] && stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# ---------------------------------------------------------------------------------------------------- down
down() {
  local netns=$1 started tmp="" pid_file="" veth_host veth_peer run_netns_created="" pid pids c runc_root runc=runc
  started=$(now_ms)
  veth_names "$netns"
  if [ -f "$state_dir/$netns.env" ]; then
    tmp=$(state_get "$netns" TMP_DIR)
    runc=$(state_get "$netns" RUNC)
    pid_file=$(state_get "$netns" PID_FILE)
    veth_host=$(state_get "$netns" VETH_HOST)
    run_netns_created=$(state_get "$netns" RUN_NETNS_CREATED)
  else
    # No state (a crashed up, or already down): find what there may be by the names up gives.
    tmp=$(find /tmp -maxdepth 1 -type d -name "proxystage-test-host-$netns.*" 2>/dev/null | head -n 1)
    [ -n "$tmp" ] && pid_file=$tmp/docker.pid
  fi

  # dockerd first: it stops its containers and its containerd itself.
  pid=""
  [ -n "$pid_file" ] && [ -f "$pid_file" ] && pid=$(cat "$pid_file" 2>/dev/null || true)
  if alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--pidfile $pid_file"; then
    log "stopping dockerd (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((stop_timeout * 10))); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      log "dockerd still running after $stop_timeout s, killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    fi
  fi

  # Whatever outlived it: containers (through runc's state in the exec root), then processes.
  runc_root=$tmp/exec/runtime-runc/moby
  if [ -n "$tmp" ] && [ -d "$runc_root" ] && command -v "${runc:-runc}" >/dev/null 2>&1; then
    for c in $("${runc:-runc}" --root "$runc_root" list -q 2>/dev/null); do
      log "removing leftover container $c"
      "${runc:-runc}" --root "$runc_root" kill --all "$c" KILL 2>/dev/null || true
      "${runc:-runc}" --root "$runc_root" delete --force "$c" 2>/dev/null || true
    done
  fi
  pids=$(own_pids "$netns" "$tmp" | sort -u)
  if [ -n "$pids" ]; then
    log "killing leftover processes: $(echo "$pids" | tr '\n' ' ')"
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.2
  fi

  if [ -n "$tmp" ] && [ -d "$tmp" ]; then
    # Deepest mounts first: overlays, shm, the namespaces docker keeps as bind mounts.
    findmnt -rn -o TARGET | awk -v d="$tmp/" 'index($0, d) == 1' | sort -r | while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
    done
    rm -rf "$tmp" || log "could not delete all of $tmp"
  fi

  ip netns del "$netns" 2>/dev/null || true
  ip link del "$veth_host" 2>/dev/null || true
  rm -f "$state_dir/$netns.env"
  rmdir "$state_dir" 2>/dev/null || true
  # /run/netns, if up made it and no namespace is left in it.
  if [ -n "$run_netns_created" ] && [ -d /run/netns ] && [ -z "$(ls -A /run/netns)" ]; then
    umount /run/netns 2>/dev/null || true
    rmdir /run/netns 2>/dev/null || true
  fi
  log "down in $(since "$started")"
}

# ---------------------------------------------------------------------------------------------------- up
up_failed() {
  local rc=$?
  [ "$rc" -eq 0 ] && return
  log "up failed, taking down what was made" >&2
  if [ -f "$tmp/dockerd.log" ]; then tail -n 15 "$tmp/dockerd.log" >&2; fi
  down "$name" >&2 || true
  exit "$rc"
}

up() {
  local cert_dir=$1 prefix=$2; shift 2
  local -a images
  local started t addr host_addr veth_host veth_peer run_netns_created="" pid="" image size f
  started=$(now_ms)
  if [ $# -gt 0 ]; then images=("$@"); else read -r -a images <<<"${TEST_HOST_IMAGES-$default_images}"; fi

  [[ $prefix =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || die "SUBNET_PREFIX must look like 10.213.7 (got '$prefix')"
  local a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]} c=${BASH_REMATCH[3]}
  if ! { [ "$a" -eq 10 ] || { [ "$a" -eq 172 ] && [ "$b" -ge 16 ] && [ "$b" -le 31 ]; } || { [ "$a" -eq 192 ] && [ "$b" -eq 168 ]; }; } \
    || [ "$b" -gt 255 ] || [ "$c" -gt 255 ]; then
    die "$prefix.0/24 is not a private subnet (10/8, 172.16/12, 192.168/16)"
  fi
  host_addr=$prefix.1
  addr=$prefix.2
  if [ "$cert_dir" != - ]; then
    [ -d "$cert_dir" ] || die "CERT_DIR $cert_dir does not exist"
    cert_dir=$(cd "$cert_dir" && pwd)
    for f in ca.pem server-cert.pem server-key.pem cert.pem key.pem; do
      [ -r "$cert_dir/$f" ] || die "$cert_dir/$f is missing (CERT_DIR needs ca.pem, server-cert.pem, server-key.pem, cert.pem, key.pem)"
    done
  fi
  [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, a second dockerd)"
  local engine=${TEST_HOST_ENGINE:-host} engine_bin="" dockerd=dockerd runc=runc
  case $engine in
    host) ;;
    docker26)
      engine_bin=$(bash "$(dirname "${BASH_SOURCE[0]}")/trixie-docker.sh" engine) || die "Docker 26 could not be provisioned"
      dockerd=$engine_bin/dockerd runc=$engine_bin/runc
      ;;
    *) die "TEST_HOST_ENGINE must be host or docker26 (got '$engine')" ;;
  esac
  for f in ip nsenter "$dockerd" docker findmnt; do command -v "$f" >/dev/null 2>&1 || die "$f is not installed"; done
  [ ! -e "$state_dir/$name.env" ] || die "$name is already up ($state_dir/$name.env); run: $0 down $name"
  [ ! -e "/run/netns/$name" ] || die "network namespace $name already exists"
  # In use: an address in it, or a route inside it or covering it (other than the default route).
  if ip -4 -o addr show | grep -qF " inet $prefix." \
    || [ -n "$(ip -4 route show root "$prefix.0/24"; ip -4 route show match "$prefix.0/24" | grep -v '^default')" ]; then
    die "$prefix.0/24 is already used on this machine (ip -4 addr / ip -4 route); pick another SUBNET_PREFIX"
  fi
  for image in "${images[@]}"; do
    docker image inspect "$image" >/dev/null 2>&1 || die "image $image is not in the local engine (scripts/build-offline-images.sh)"
  done
  veth_names "$name"
  ! ip link show "$veth_host" >/dev/null 2>&1 || die "interface $veth_host already exists"

  # From here on, a failure takes down whatever was made.
  [ -d /run/netns ] || run_netns_created=1
  mkdir -p "$state_dir"
  tmp=$(mktemp -d "/tmp/proxystage-test-host-$name.XXXXXX")
  cat >"$state_dir/$name.env" <<EOF
NETNS=$name
TMP_DIR=$tmp
PID_FILE=$tmp/docker.pid
VETH_HOST=$veth_host
HOST_ADDR=$host_addr
ADDR=$addr
DOCKER_HOST=$([ "$cert_dir" = - ] && echo "unix://$tmp/docker.sock" || echo "tcp://$addr:$port")
UNIX_SOCKET=$tmp/docker.sock
DOCKERD_LOG=$tmp/dockerd.log
CERT_DIR=$cert_dir
RUN_NETNS_CREATED=$run_netns_created
ENGINE=$engine
RUNC=$runc
EOF
  trap up_failed EXIT

  t=$(now_ms)
  ip netns add "$name"
  ip link add "$veth_host" type veth peer name "$veth_peer"
  ip link set "$veth_peer" netns "$name"
  ip addr add "$host_addr/24" dev "$veth_host"
  ip link set "$veth_host" up
  ip -n "$name" link set lo up
  ip -n "$name" link set "$veth_peer" name eth0
  ip -n "$name" addr add "$addr/24" dev eth0
  ip -n "$name" link set eth0 up
  # A new namespace starts with this machine's settings, forwarding on (a local engine turned it on here); a
  # real engine's iptables rules keep its networks apart, and without them no forwarding does.
  nsenter --net="/run/netns/$name" sysctl -q -w net.ipv4.ip_forward=0
  log "namespace $name, veth $veth_host: this machine $host_addr, test host $addr ($(since "$t"))"

  t=$(now_ms)
  echo '{}' >"$tmp/daemon.json"   # not the main engine's /etc/docker/daemon.json
  local -a listen=(-H "unix://$tmp/docker.sock") client=(docker -H "unix://$tmp/docker.sock") extra=()
  local where="unix://$tmp/docker.sock" with=""
  if [ "$cert_dir" != - ]; then
    listen+=(-H "tcp://$addr:$port" --tlsverify --tlscacert "$cert_dir/ca.pem" --tlscert "$cert_dir/server-cert.pem"
      --tlskey "$cert_dir/server-key.pem")
    client=(docker --tlsverify --tlscacert "$cert_dir/ca.pem" --tlscert "$cert_dir/cert.pem" --tlskey "$cert_dir/key.pem" -H "tcp://$addr:$port")
    where="tcp://$addr:$port" with=" with TLS"
  fi
  # Its helpers (containerd, the shim, runc, docker-proxy, docker-init) are found on PATH: the engine's own first.
  local path=$PATH
  if [ -n "$engine_bin" ]; then
    path=$engine_bin:$PATH
    extra=(--userland-proxy-path "$engine_bin/docker-proxy")
  fi
  # Names the containers' DNS does not know go to the test host's own address, where nothing listens: a quick
  # "not found". This machine's resolvers are not reachable from the namespace, and asking them would wait
  # seconds per name (an isolation probe asks for names that must not resolve).
  PATH=$path detached nohup nsenter --net="/run/netns/$name" "$dockerd" \
    --config-file "$tmp/daemon.json" \
    --data-root "$tmp/data" --exec-root "$tmp/exec" --pidfile "$tmp/docker.pid" \
    --bridge none --iptables=false --ip-masq=false --ip-forward=false --dns "$addr" "${extra[@]}" "${listen[@]}" \
    </dev/null >"$tmp/dockerd.log" 2>&1 &
  local launcher=$!
  local version="" client_error=""
  for _ in $(seq 1 $((ready_timeout * 4))); do
    if version=$("${client[@]}" version --format '{{.Server.Version}}' 2>"$tmp/client.err"); then break; fi
    version=""
    client_error=$(tail -n 1 "$tmp/client.err")
    [ -z "$pid" ] && [ -s "$tmp/docker.pid" ] && pid=$(cat "$tmp/docker.pid")
    if ! alive "${pid:-$launcher}"; then die "dockerd exited (the end of its log follows)"; fi
    sleep 0.25
  done
  [ -n "$version" ] || die "dockerd did not answer on $where within $ready_timeout s; the client said: $client_error"
  log "dockerd $version ($engine) answers on $where$with ($(since "$t"))"

  if [ ${#images[@]} -gt 0 ]; then
    t=$(now_ms)
    size=$(docker image inspect --format '{{.Size}}' "${images[@]}" | awk '{s += $1} END {printf "%d", s / 1048576}')
    if [ -n "${TEST_HOST_IMAGE_CACHE:-}" ]; then
      # Kept under a name made of the images' ids: the next test host loads it without asking this machine's engine.
      local key tar
      key=$(docker image inspect --format '{{.Id}}' "${images[@]}" | sha1sum | cut -c1-16)
      tar=$TEST_HOST_IMAGE_CACHE/images-$key.tar
      if [ ! -s "$tar" ]; then
        mkdir -p "$TEST_HOST_IMAGE_CACHE"
        docker save "${images[@]}" -o "$tar.part" && mv "$tar.part" "$tar"
      fi
      DOCKER_HOST="unix://$tmp/docker.sock" docker load -q -i "$tar" >/dev/null
    else
      # One save for all of them, so shared layers are sent once.
      docker save "${images[@]}" | DOCKER_HOST="unix://$tmp/docker.sock" docker load -q >/dev/null
    fi
    log "images loaded: ${images[*]} ($size MB counted per image, $(since "$t"))"
  fi

  trap - EXIT
  log "up in $(since "$started")"
  echo "ready DOCKER_HOST=$where"
}

# ---------------------------------------------------------------------------------------------------- main
[ $# -ge 2 ] || usage
cmd=$1 name=$2
check_name "$name"
case $cmd in
  up)
    [ $# -ge 3 ] || usage
    cert_dir=$3
    prefix=${4:-10.213.7}
    shift $(($# < 4 ? $# : 4))
    up "$cert_dir" "$prefix" "$@"
    ;;
  down)
    [ $# -eq 2 ] || usage
    down "$name"
    ;;
  *) usage ;;
esac
