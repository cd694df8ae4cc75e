# shellcheck shell=bash
# Sourced, not run. What the test commands need on a machine that may have no Docker engine and no
# images, each step skipped when its result is already there:
#   provision    a Docker engine (docker-engine.sh), then the offline images (build-offline-images.sh),
#                then Debian's chromium (chromium.sh), which the report's IT opens the report in
# It also exports the Testcontainers variables a machine without a registry needs: no Ryuk (its
# image can't be pulled; a shutdown hook cleans up instead), and no gateway detection (it would pull
# alpine).

export TESTCONTAINERS_RYUK_DISABLED="${TESTCONTAINERS_RYUK_DISABLED:-true}"
export TESTCONTAINERS_HOST_OVERRIDE="${TESTCONTAINERS_HOST_OVERRIDE:-localhost}"

_provision_scripts=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

provision() {
  local start=$SECONDS
  bash "$_provision_scripts/docker-engine.sh"
  bash "$_provision_scripts/build-offline-images.sh"
  PROXYSTAGE_CHROMIUM=$(bash "$_provision_scripts/chromium.sh")
  export PROXYSTAGE_CHROMIUM
  printf '[provision] engine, offline images and chromium ready in %d s\n' $((SECONDS - start))
}
