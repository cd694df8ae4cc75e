#!/usr/bin/env bash
# Regenerates nginx's directive, variable and parameter tables that `check` judges with
# (extension/src/main/resources/dev/proxystage/internal/nginx/*.tsv) from nginx's own sources:
# Debian's nginx source packages of the suites below, fetched with apt into a temporary directory.
#
#   scripts/nginx-directives/generate.sh [SUITE...]      default: bookworm trixie sid
#
# apt runs with a private state: a deb-src entry of its own with the URIs and Signed-By of this
# machine's Debian archive (read from /etc/apt/sources.list.d/*.sources at run time), its own lists
# and cache. The host's apt state is not touched. Versions the archive lists but cannot deliver are
# skipped with a note; each upstream version is read once.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/../../extension/src/main/resources/dev/proxystage/internal/nginx"
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie sid)

log() { printf '[nginx-directives] %s\n' "$*" >&2; }

work=$(mktemp -d /tmp/proxystage-nginx-src.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/parts" "$work/state/lists/partial" "$work/cache/archives/partial" "$work/src"

# The first deb822 paragraph of the main Debian archive (not security, component main).
read -r uris signed_by < <(python3 - <<'EOF'
import glob
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for para in open(path).read().split("\n\n"):
        fields = {}
        for line in para.splitlines():
            if line.startswith("#") or ":" not in line or line[0].isspace():
                continue
            key, value = line.split(":", 1)
            fields[key.strip().lower()] = value.strip()
        if "deb" in fields.get("types", "").split() and "main" in fields.get("components", "").split() \
                and "security" not in fields.get("uris", "") and fields.get("enabled", "yes").lower() != "no":
            print(fields["uris"].split()[0],
                  fields.get("signed-by", "/usr/share/keyrings/debian-archive-keyring.gpg"))
            raise SystemExit(0)
raise SystemExit("no Debian archive in /etc/apt/sources.list.d/*.sources")
EOF
)
cat >"$work/parts/nginx-src.sources" <<EOF
Types: deb-src
URIs: $uris
Suites: ${suites[*]}
Components: main
Signed-By: $signed_by
EOF

apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/parts"
          -o "Dir::State=$work/state" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)
log "apt-get update (private state in $work) for: ${suites[*]}"
apt-get "${apt_opts[@]}" -qq update >&2

trees=()
declare -A seen=()
for version in $(apt-cache "${apt_opts[@]}" showsrc nginx | sed -n 's/^Version: //p' | sort -uV); do
  upstream=${version#*:}
  upstream=${upstream%-*}
  [ -z "${seen[$upstream]:-}" ] || continue
  dir="$work/src/$upstream"
  mkdir -p "$dir"
  # The Debian revision's files are not needed, only nginx's own tarball; apt-helper checks its hash.
  uri_line=$(apt-get "${apt_opts[@]}" -qq source --print-uris "nginx=$version" | grep "\.orig\.tar\." | head -n 1 || true)
  if [ -z "$uri_line" ]; then
    log "nginx $version: no upstream tarball listed; skipped"
    continue
  fi
  read -r uri file _size hash <<<"$uri_line"
  uri=${uri//\'/}
  if ! /usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file "$uri" "$dir/$file" "$hash" >/dev/null 2>&1; then
    log "nginx $version: $file not delivered by the archive; skipped"
    continue
  fi
  tar -xf "$dir/$file" -C "$dir"
  root=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name 'nginx-*' | head -n 1)
  [ -f "$root/src/core/nginx.h" ] || { log "nginx $version: unexpected tarball layout; skipped"; continue; }
  log "nginx $version: read from $file"
  seen[$upstream]=1
  trees+=("$upstream=$root")
done
[ ${#trees[@]} -gt 0 ] || { log "ERROR: no nginx source could be fetched"; exit 1; }

python3 "$here/nginx_tables.py" "$out" "${trees[@]}"
log "wrote $(cd "$out" && ls ./*.tsv | tr '\n' ' ')into ${out#"$here/../../"}"
