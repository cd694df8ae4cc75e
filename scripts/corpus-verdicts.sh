#!/usr/bin/env bash
# Ground truth for the conf.d corpus (cli/src/test/resources/corpus): real nginx's verdict on every tree,
# written to verdicts.tsv beside the trees. Each tree is laid out in a fresh container of the nginx image as a
# stage lays it out (conf.d, the main config, the nginx.files directories, a generated certificate at every
# path its corpus.properties lists under place=), every backend alias resolving to 127.0.0.1, no network.
# nginx then runs as the stage runs it: "nginx -t", and when that passes, "nginx" until the master has forked a
# worker, both with -g 'daemon off;' unless the main config says daemon itself (errors only the start finds, such as a pid file's missing directory, show there).
#
#   bash scripts/corpus-verdicts.sh [--image proxystage/nginx:offline] [tree...]
#
# Trees are named by their path under the corpus (stacks/mailcow, emerg/duplicate-listen); without any, every
# tree is judged and verdicts.tsv is rewritten. Rerun it whenever the image's nginx changes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
corpus=$here/../cli/src/test/resources/corpus
image=proxystage/nginx:offline
lock=/tmp/proxystage-docker.lock
trees=()
while [ $# -gt 0 ]; do
  case $1 in
    --image) image=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) trees+=("$1"); shift ;;
  esac
done

log() { printf '[corpus] %s\n' "$*" >&2; }

# One hold of the shared Docker lock for the whole run (about half a second a tree), rather than queueing
# behind other users of the engine once per tree.
if [ -z "${PROXYSTAGE_CORPUS_LOCKED:-}" ]; then
  log "waiting for $lock"
  PROXYSTAGE_CORPUS_LOCKED=1 exec flock "$lock" bash "${BASH_SOURCE[0]}" --image "$image" "${trees[@]}"
fi

command -v openssl >/dev/null 2>&1 || { log "ERROR: openssl is missing (it makes the placed certificates)"; exit 1; }
docker info >/dev/null 2>&1 || { log "ERROR: no Docker engine answers"; exit 1; }
docker image inspect "$image" >/dev/null 2>&1 || { log "ERROR: image $image is missing (scripts/build-offline-images.sh)"; exit 1; }

named=${trees[*]:-}
if [ ${#trees[@]} -eq 0 ]; then
  while IFS= read -r f; do trees+=("${f%/corpus.properties}"); done \
    < <(cd "$corpus" && find stacks emerg valid -mindepth 2 -maxdepth 2 -name corpus.properties | LC_ALL=C sort)
fi

work=$(mktemp -d /tmp/proxystage-corpus.XXXXXX)
trap 'rm -rf "$work"' EXIT

# One self-signed key and certificate, in one PEM file: nginx reads the certificate and the key from it alike.
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=corpus.proxystage.test \
  -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
cat "$work/key.pem" "$work/cert.pem" > "$work/placed.pem"

version=$(docker run --rm --network none "$image" nginx -v 2>&1 | sed -n 's#^nginx version: nginx/##p')
[ -n "$version" ] || { log "ERROR: could not read nginx's version from $image"; exit 1; }
log "nginx $version in $image, ${#trees[@]} trees"

# prop <file> <key>: the value of key in a corpus.properties (no escapes, no continuation lines)
prop() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

# What runs in the container: the verdict's phase, then nginx's own output.
cat > "$work/judge.sh" <<'EOF'
cp -a /corpus/rootfs/. /
# The stage's command line: in the foreground, unless the main config says daemon itself.
if grep -qE '^[[:space:]]*daemon[[:space:]]' /etc/nginx/nginx.conf; then set --; else set -- -g 'daemon off;'; fi
if ! out=$(nginx -t "$@" 2>&1); then printf 'PHASE test\n%s\n' "$out"; exit 0; fi
printf 'PHASE test-ok\n%s\n' "$out"
nginx "$@" 2>/tmp/start.err &
master=$!
for _ in $(seq 1 200); do
  if ! kill -0 "$master" 2>/dev/null; then
    wait "$master"; printf 'PHASE start exit %s\n' "$?"; cat /tmp/start.err; exit 0
  fi
  for stat in /proc/[0-9]*/stat; do
    read -r _ _ _ parent _ < "$stat" 2>/dev/null || continue
    if [ "$parent" = "$master" ]; then printf 'PHASE start-ok\n'; cat /tmp/start.err; kill -QUIT "$master"; exit 0; fi
  done
  sleep 0.05
done
printf 'PHASE start timeout\n'; cat /tmp/start.err
EOF

results=$work/results.tsv
: > "$results"
for tree in "${trees[@]}"; do
  dir=$corpus/$tree
  props=$dir/corpus.properties
  [ -f "$props" ] || { log "ERROR: $tree has no corpus.properties"; exit 1; }
  stage=$work/stage; rm -rf "$stage"; mkdir -p "$stage/rootfs"
  cp "$work/judge.sh" "$stage/judge.sh"

  # container path prefix -> tree path, for mapping nginx's file:line back (longest prefix first)
  maps=()
  conf_dir=$(prop "$props" confDir); main=$(prop "$props" mainConfig); files=$(prop "$props" files)
  if [ -n "$files" ]; then
    IFS=, read -r -a pairs <<<"$files"
    for pair in "${pairs[@]}"; do
      target=${pair%%=*}; source=${pair#*=}
      if [ -f "$dir/$source" ]; then
        # a single file, placed at its own path
        mkdir -p "$(dirname "$stage/rootfs$target")"; cp -a "$dir/$source" "$stage/rootfs$target"
      else
        mkdir -p "$stage/rootfs$target"; cp -a "$dir/$source/." "$stage/rootfs$target/"
      fi
      maps+=("$target|$source")
    done
  fi
  if [ -n "$conf_dir" ]; then
    mkdir -p "$stage/rootfs/etc/nginx/conf.d"; cp -a "$dir/$conf_dir/." "$stage/rootfs/etc/nginx/conf.d/"
    maps+=("/etc/nginx/conf.d|$conf_dir")
  fi
  if [ -n "$main" ]; then
    mkdir -p "$stage/rootfs/etc/nginx"; cp "$dir/$main" "$stage/rootfs/etc/nginx/nginx.conf"
    maps+=("/etc/nginx/nginx.conf|$main")
  fi
  place=$(prop "$props" place)
  if [ -n "$place" ]; then
    IFS=, read -r -a paths <<<"$place"
    for path in "${paths[@]}"; do
      # a file the tree ships is kept, as a stage keeps it
      [ -e "$stage/rootfs$path" ] || { mkdir -p "$(dirname "$stage/rootfs$path")"; cp "$work/placed.pem" "$stage/rootfs$path"; }
    done
  fi
  hosts=()
  backends=$(prop "$props" backends)
  if [ -n "$backends" ]; then
    IFS=, read -r -a entries <<<"$backends"
    for entry in "${entries[@]}"; do hosts+=(--add-host "${entry%%:*}:127.0.0.1"); done
  fi

  output=$(docker run --rm --network none "${hosts[@]}" -v "$stage:/corpus:ro" "$image" bash /corpus/judge.sh 2>&1)
  phase=$(printf '%s\n' "$output" | sed -n 's/^PHASE //p' | tail -n 1)
  case $phase in
    test-ok|start-ok) verdict=ok ;;
    *) verdict=emerg ;;
  esac
  # nginx's lines, "nginx: [emerg] text in /path:line" or, with the error log on stderr,
  # "2026/01/02 03:04:05 [emerg] 7#7: text": reduced to "emerg<TAB>text in /path:line"
  lines=$(printf '%s\n' "$output" | sed -n -E 's/^(nginx: )?([0-9]{4}\/[0-9]{2}\/[0-9]{2} [0-9:]{8} )?\[([a-z]+)\] ([0-9]+#[0-9]+: )?(\*[0-9]+ )?/\3\t/p')
  # the first emerg decides; an ok tree keeps its warnings (the start repeats those of the test: once each)
  if [ "$verdict" = emerg ]; then
    line=$(printf '%s\n' "$lines" | grep -m1 -E '^(emerg|alert|crit)'$'\t' | cut -f2- || true)
    [ -n "$line" ] || line="nginx stopped without a message ($phase)"
  else
    line=$(printf '%s\n' "$lines" | grep -E '^warn'$'\t' | cut -f2- | awk '!seen[$0]++' | head -n 5 | paste -sd '\t' - || true)
  fi
  where=-; message=-
  if [ -n "$line" ]; then
    message=""
    IFS=$'\t' read -r -a items <<<"$line"
    for one in "${items[@]}"; do
      loc=$(printf '%s' "$one" | sed -n -E 's/.* in (\/[^ ]+:[0-9]+)$/\1/p')
      text=$(printf '%s' "$one" | sed -E 's/ in \/[^ ]+:[0-9]+$//')
      mapped=-
      if [ -n "$loc" ]; then
        file=${loc%:*}; num=${loc##*:}; best=""
        for m in "${maps[@]}"; do
          prefix=${m%%|*}
          if [ "$file" = "$prefix" ] || [[ $file == "$prefix"/* ]]; then
            [ ${#prefix} -gt ${#best} ] && { best=$prefix; mapped="${m#*|}${file#"$prefix"}:$num"; }
          fi
        done
        [ -n "$best" ] || mapped="$loc"   # a file of the image itself
      fi
      if [ "$verdict" = emerg ]; then
        where=$mapped
        [ "${phase%% *}" = start ] && text="at start: $text"
        message=$text
      else
        message="${message:+$message | }$text${loc:+ ($mapped)}"
      fi
    done
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$tree" "$version" "$verdict" "$where" "$message" >> "$results"
  log "$tree: $verdict $where $message"
done

out=$corpus/verdicts.tsv
if [ -n "${named:-}" ] && [ -f "$out" ]; then
  # some trees only: replace their rows, keep the others
  cut -f1 "$results" > "$work/names"
  awk -F'\t' 'NR==FNR { n[$1] = 1; next } /^#/ { next } !($1 in n)' "$work/names" "$out" >> "$results"
fi
{
  printf '# nginx -t, then the start as a stage runs it, in %s; written by scripts/corpus-verdicts.sh\n' "$image"
  printf '# tree\tnginx\tverdict\twhere\tmessage (for ok trees: its warnings)\n'
  LC_ALL=C sort "$results"
} > "$out"
log "wrote $(grep -c -v '^#' "$out") verdicts to cli/src/test/resources/corpus/verdicts.tsv"
