#!/usr/bin/env bash
# nginx's own verdict on small configuration trees: `nginx -t` on each, in one container.
#
#   scripts/nginx-directives/verdicts.sh [--image IMAGE] [--root DIR] [--image-conf FILE] CASES_DIR
#
# CASES_DIR holds one directory per case: conf.d/*.conf, and optionally nginx.conf (the main
# configuration; without it the image's own). Prints one line per case:
#   case <TAB> ok|fail <TAB> nginx's [emerg] line (or its [warn] lines, ';'-joined)
# --image: the image that runs nginx (default proxystage/nginx:offline).
# --root:  a directory with a Debian nginx unpacked (dpkg -x of nginx, nginx-common and the
#          libraries the image lacks); nginx then runs from there inside --image, e.g. bookworm's
#          nginx 1.22.1 in proxystage/debian:bookworm.
# --image-conf: the main configuration to use where a case has none, instead of the image's own
#          (e.g. the official image's layout for a Debian nginx).
set -euo pipefail

image=proxystage/nginx:offline
root=
image_conf=
while [ $# -gt 1 ]; do
  case $1 in
    --image) image=$2; shift 2 ;;
    --root) root=$(cd "$2" && pwd); shift 2 ;;
    --image-conf) image_conf=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    *) break ;;
  esac
done
cases=$(cd "${1:?usage: verdicts.sh [--image IMAGE] [--root DIR] [--image-conf FILE] CASES_DIR}" && pwd)

mounts=(-v "$cases:/cases:ro")
nginx=nginx
if [ -n "$root" ]; then
  mounts+=(-v "$root:/opt/nginx:ro" -e LD_LIBRARY_PATH=/opt/nginx/usr/lib/x86_64-linux-gnu)
  nginx=/opt/nginx/usr/sbin/nginx
fi
if [ -n "$image_conf" ]; then
  mounts+=(-v "$image_conf:/opt/image-nginx.conf:ro")
fi

# shellcheck disable=SC2016 # expanded inside the container
script='
set -u
if [ -d /opt/nginx/etc/nginx ]; then
  mkdir -p /etc/nginx /var/lib/nginx /var/log/nginx
  cp -r /opt/nginx/etc/nginx/. /etc/nginx/
  rm -f /etc/nginx/sites-enabled/default
fi
if [ -f /opt/image-nginx.conf ]; then cp /opt/image-nginx.conf /etc/nginx/nginx.conf; fi
cp /etc/nginx/nginx.conf /tmp/image-nginx.conf
# "nginx: [emerg] msg" or, with -e stderr, "2024/01/01 00:00:00 [emerg] 1#1: msg": keep msg.
strip="s/^(nginx: )?([0-9\/]+ [0-9:]+ )?\[(emerg|warn)\] ([0-9]+#[0-9]+: )?//"
for dir in /cases/*/; do
  name=$(basename "$dir")
  rm -rf /etc/nginx/conf.d && mkdir -p /etc/nginx/conf.d
  [ -d "$dir/conf.d" ] && cp -r "$dir/conf.d/." /etc/nginx/conf.d/
  if [ -f "$dir/nginx.conf" ]; then cp "$dir/nginx.conf" /etc/nginx/nginx.conf; else cp /tmp/image-nginx.conf /etc/nginx/nginx.conf; fi
  out=$('"$nginx"' -t -e stderr 2>&1); rc=$?
  emerg=$(printf "%s\n" "$out" | grep -m1 "\[emerg\]" | sed -E "$strip")
  warn=$(printf "%s\n" "$out" | grep "\[warn\]" | sed -E "$strip" | paste -sd ";" -)
  if [ $rc -eq 0 ]; then verdict=ok; else verdict=fail; fi
  printf "%s\t%s\t%s\n" "$name" "$verdict" "${emerg:-$warn}"
done
'
flock /tmp/proxystage-docker.lock docker run --rm --network none "${mounts[@]}" "$image" sh -c "$script"
