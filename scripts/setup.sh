#!/usr/bin/env bash
# Installs the Debian packages listed in deps/debian-packages.txt (or in the list files given as
# arguments) that are missing. Idempotent and non-interactive; a no-op when all are installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

lists=("$@")
((${#lists[@]} > 0)) || lists=("$root/deps/debian-packages.txt")
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "${lists[@]}" | grep -v '^$')
missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
