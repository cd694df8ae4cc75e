#!/usr/bin/env bash
# Installs (if missing) Debian's chromium package, the headless browser the report's IT opens
# target/proxystage/index.html in. The packages come from the mirror this machine's apt already
# uses; no other source is named. Prints the browser's path; exits non-zero when it cannot be had.
set -euo pipefail

log() { printf '[chromium] %s\n' "$*" >&2; }

find_browser() { command -v chromium || command -v chromium-browser || true; }

browser=$(find_browser)
if [ -z "$browser" ]; then
  [ "$(id -u)" = 0 ] || { log "ERROR: chromium is missing and installing it needs root (apt-get install chromium)"; exit 1; }
  command -v apt-get >/dev/null 2>&1 || { log "ERROR: chromium is missing and there is no apt-get to install it"; exit 1; }
  log "installing chromium from Debian's packages"
  start=$SECONDS
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
    || { log "ERROR: apt-get install chromium failed"; exit 1; }
  log "installed in $((SECONDS - start)) s"
  browser=$(find_browser)
fi
[ -n "$browser" ] || { log "ERROR: chromium is not on the PATH after installing it"; exit 1; }
printf '%s\n' "$browser"
