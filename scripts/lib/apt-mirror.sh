# shellcheck shell=bash
# Sourced, not run. apt_mirror prints the Debian mirror this machine's apt already uses: the first
# enabled `deb` source of the main Debian archive, in apt's order (sources.list, then
# sources.list.d/*.list and deb822 *.sources files by name). "Main archive" means: component main,
# a suite that is this machine's release (bookworm, not bookworm-updates or bookworm-security, nor a
# third-party repository's own suite), and not a security archive.
#
#   apt_mirror [DIR]     DIR: the apt configuration directory, default $APT_MIRROR_ETC or /etc/apt
#
# The release is VERSION_CODENAME from /etc/os-release; $APT_MIRROR_CODENAME overrides it. Prints the
# URI without a trailing slash and returns 0, or prints nothing and returns 1 when there is none.

# One-line format: "deb [ options ] URI SUITE COMPONENT..." -> "URI SUITE COMPONENT...".
_apt_mirror_list() {
  sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$1" | awk '$1 == "deb" && NF >= 4 { $1 = ""; print substr($0, 2) }'
}

# deb822 format: one "URI SUITE... | COMPONENT..." line per URI of each enabled deb paragraph.
_apt_mirror_sources() {
  awk '
    function flush(   n, u, i) {
      if (types ~ /(^| )deb( |$)/ && tolower(enabled) != "no" && uris != "" && suites != "") {
        n = split(uris, u, " ")
        for (i = 1; i <= n; i++) print u[i], suites, "|", components
      }
      types = ""; uris = ""; suites = ""; components = ""; enabled = ""; field = ""
    }
    /^#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]/ { value = $0; sub(/^[ \t]+/, "", value); append(value); next }
    {
      field = tolower($0); sub(/:.*/, "", field)
      value = $0; sub(/^[^:]*:[ \t]*/, "", value)
      append(value)
    }
    function append(v) {
      if (field == "types") types = types " " v
      else if (field == "uris") uris = uris " " v
      else if (field == "suites") suites = suites " " v
      else if (field == "components") components = components " " v
      else if (field == "enabled") enabled = v
      gsub(/^ +/, "", types); gsub(/^ +/, "", uris); gsub(/^ +/, "", suites); gsub(/^ +/, "", components)
    }
    END { flush() }
  ' "$1"
}

# Reads "URI SUITE COMPONENT..." (or "URI SUITE... | COMPONENT...") lines; prints the first main-archive URI.
_apt_mirror_pick() {
  local codename=$1 uri rest suites components bare=' [^-/ ]+ '
  while read -r uri rest; do
    if [[ $rest == *"|"* ]]; then
      suites=" ${rest%%|*} "; components=" ${rest#*|} "
    else
      suites=" ${rest%% *} "; components=" ${rest#* } "
    fi
    case $uri in http://* | https://* | file:/*) ;; *) continue ;; esac
    [[ $uri == *security* ]] && continue
    [[ $components == *" main "* ]] || continue
    if [ -n "$codename" ]; then
      [[ $suites == *" $codename "* ]] || continue
    else
      [[ $suites =~ $bare ]] || continue   # release unknown: a suite without -updates, /updates...
    fi
    printf '%s\n' "${uri%/}"
    return 0
  done
  return 1
}

apt_mirror() {
  local dir=${1:-${APT_MIRROR_ETC:-/etc/apt}} codename=${APT_MIRROR_CODENAME:-} file entries
  if [ -z "$codename" ] && [ -r /etc/os-release ]; then
    codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d "\"'")
  fi
  entries=$(
    if [ -f "$dir/sources.list" ]; then _apt_mirror_list "$dir/sources.list"; fi
    for file in "$dir"/sources.list.d/*; do
      case $file in
        *.list) _apt_mirror_list "$file" ;;
        *.sources) _apt_mirror_sources "$file" ;;
      esac
    done
  )
  _apt_mirror_pick "$codename" <<<"$entries"
}
