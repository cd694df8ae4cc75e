#!/usr/bin/env bash
# Benchmark case (a): the prep stage brought up by hand with the docker CLI, mirroring what
# ProxyStage's StageEnvironment does (extension/src/main/java/dev/proxystage/docker/):
#   network -> data volume -> echo backend as "vaultwarden" (EchoServer.class copied in, published
#   on 127.0.0.1, wait until GET /alive answers) -> certificates for every ssl_certificate /
#   ssl_certificate_key pair that conf.d names (a CA and one leaf per pair, EC P-256, like
#   ProxyStage's test CA) -> nginx with the real conf.d replacing the image's (staged, then
#   `nginx -t` and nginx in the foreground; every port conf.d listens on published on 127.0.0.1)
#   -> poll curl on http://vw.example.com/, following conf.d's own redirect, until it answers 200.
#
#   stage.sh up   ID   brings the stage up, prints "PORT=HOSTPORT ..." for nginx's ports on 127.0.0.1
#   stage.sh down ID   removes everything "up ID" created (nginx, backend, network, volume)
#
# Environment: PROXYSTAGE_ROOT (the repository; default: two levels above this script),
# ECHO_CLASSES (a directory holding dev/proxystage/echo/*.class; default:
# benchmarks/target/echo, which the -Pbench build unpacks from the proxystage-echo jar, else
# extension/target/classes), BENCH_LABEL (label value that the harness sweeps by; default: cli).
# Needs docker, curl, tar, openssl. The certificates live in a private temporary directory that is
# removed when the script exits.
set -euo pipefail

root=${PROXYSTAGE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
label="dev.proxystage.bench=${BENCH_LABEL:-cli}"
cmd=${1:?usage: stage.sh up|down ID}
id=${2:?usage: stage.sh up|down ID}
stage=prep
net=nginx-rp-network-$stage-$id
backend=vaultwarden-$stage-$id
volume=vaultwarden-$stage-$id
nginx=nginx-rp-$stage-$id
jre_image=proxystage/jre:17-offline
nginx_image=proxystage/nginx:offline
confd=$root/conf.d
poll=0.05   # StageEnvironment's waits poll every 50 ms

# Polls `curl ARGS` until it answers 2xx/3xx ("any") or exactly the wanted status.
wait_http() {
  local want=$1 deadline=$((SECONDS + $2)); shift 2
  local code
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" || true)
    if [ "$want" = any ] && { [ "${code:0:1}" = 2 ] || [ "${code:0:1}" = 3 ]; }; then return 0; fi
    if [ "$code" = "$want" ]; then return 0; fi
    [ $SECONDS -lt $deadline ] || { echo "timed out waiting for $* (last status $code)" >&2; return 1; }
    sleep $poll
  done
}

host_port() { docker port "$1" "$2/tcp" | head -n1 | sed 's/.*://'; }

# The ports conf.d listens on ("listen 443 ssl;", "listen [::]:80;", "listen 127.0.0.1:8080;").
listen_ports() {
  sed -nE 's/^[[:space:]]*listen[[:space:]]+([^;[:space:]]+).*/\1/p' "$confd"/*.conf | sed -E 's/.*://' | sort -un
}

# "certificate-path key-path" for every ssl_certificate / ssl_certificate_key pair, in order.
cert_pairs() {
  awk '$1 == "ssl_certificate" { gsub(";", "", $2); c[n++] = $2 }
       $1 == "ssl_certificate_key" { gsub(";", "", $2); k[m++] = $2 }
       END { for (i = 0; i < n; i++) print c[i], k[i] }' "$confd"/*.conf | sort -u
}

up() {
  local classes=${ECHO_CLASSES:-$root/benchmarks/target/echo}
  [ -f "$classes/dev/proxystage/echo/EchoServer.class" ] || classes=$root/echo/target/classes
  [ -f "$classes/dev/proxystage/echo/EchoServer.class" ] \
    || { echo "no dev/proxystage/echo/EchoServer.class under $classes: build first" >&2; exit 1; }

  docker network create --driver bridge --label "$label" "$net" >/dev/null
  docker volume create --label "$label" "$volume" >/dev/null

  docker create --name "$backend" --label "$label" --network "$net" --network-alias vaultwarden \
    --hostname vaultwarden -p 127.0.0.1::80 -v "$volume:/data" \
    -e SIGNUPS_ALLOWED=false -e ECHO_PORT=80 -e PROXYSTAGE_STAGE=$stage \
    -e PROXYSTAGE_ALIAS=vaultwarden -e PROXYSTAGE_BACKEND=vaultwarden \
    "$jre_image" java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -cp /opt/proxystage-echo dev.proxystage.echo.EchoServer >/dev/null
  # The echo's class files go in as a tar stream.
  tar -C "$classes" -cf - --transform 's,^,opt/proxystage-echo/,' \
    dev/proxystage/echo | docker cp - "$backend:/"
  docker start "$backend" >/dev/null
  wait_http any 60 -H 'Host: vaultwarden' "http://127.0.0.1:$(host_port "$backend" 80)/alive"

  # The staging tree: conf.d, plus a certificate and key at every path conf.d names.
  # global, so that the EXIT trap still sees it
  tmp=$(mktemp -d /tmp/proxystage-bench-cli.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/proxystage/root/etc/nginx"
  cp -R "$confd" "$tmp/proxystage/root/etc/nginx/conf.d"
  local pairs
  pairs=$(cert_pairs)
  if [ -n "$pairs" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
      -subj "/CN=ProxyStage bench CA $id" -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
    local crt key name
    while read -r crt key; do
      name=$(basename "$crt"); name=${name%.crt}; name=${name%.pem}
      case $name in *.*) ;; *) name=localhost ;; esac
      mkdir -p "$tmp/proxystage/root$(dirname "$crt")" "$tmp/proxystage/root$(dirname "$key")"
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$name" \
          -keyout "$tmp/proxystage/root$key" 2>/dev/null \
        | openssl x509 -req -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -set_serial "$RANDOM$RANDOM" -days 1 \
          -extfile <(printf 'subjectAltName=DNS:%s\n' "$name") -out "$tmp/proxystage/root$crt" 2>/dev/null
    done <<< "$pairs"
  fi

  # The same entrypoint ProxyStage writes: conf.d replaces the image's, nginx -t, nginx in the foreground.
  local publish=() port
  for port in $(listen_ports); do publish+=(-p "127.0.0.1::$port"); done
  docker create --name "$nginx" --label "$label" --network "$net" "${publish[@]}" \
    --entrypoint /bin/sh "$nginx_image" -c \
    "set -e; rm -rf /etc/nginx/conf.d; cp -R /proxystage/root/. /; nginx -t -q; exec nginx -g 'daemon off;'" >/dev/null
  tar -C "$tmp" -cf - proxystage | docker cp - "$nginx:/"
  docker start "$nginx" >/dev/null

  local connect=() mapped=()
  for port in $(listen_ports); do
    local hp
    hp=$(host_port "$nginx" "$port")
    connect+=(--connect-to "vw.example.com:$port:127.0.0.1:$hp")
    mapped+=("$port=$hp")
  done
  local trust=()
  [ -f "$tmp/ca.pem" ] && trust=(--cacert "$tmp/ca.pem")
  wait_http 200 30 -L --max-redirs 3 "${trust[@]}" "${connect[@]}" http://vw.example.com/
  echo "${mapped[*]}"
}

down() {
  # As Testcontainers' stop (kill, then remove with volumes) in StageEnvironment.close(): nginx
  # first, then the backend, then the network, then the data volume.
  docker rm -f -v "$nginx" >/dev/null 2>&1 || true
  docker rm -f -v "$backend" >/dev/null 2>&1 || true
  docker network rm "$net" >/dev/null 2>&1 || true
  docker volume rm "$volume" >/dev/null 2>&1 || true
}

case $cmd in
  up) up ;;
  down) down ;;
  *) echo "usage: stage.sh up|down ID" >&2; exit 2 ;;
esac
