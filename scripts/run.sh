#!/usr/bin/env bash
# Sets up the machine, builds supportdrop and runs it. The receiver (`supportdrop serve`) is
# not built yet; until then this shows --help and a keygen/seal/open round trip.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target supportdrop >/dev/null
supportdrop=$root/build/src/supportdrop

"$supportdrop" --help
echo
demo=$(mktemp -d)
trap 'rm -rf "$demo"' EXIT
cd "$demo"
echo "\$ supportdrop keygen -o staff.key"
recipient=$("$supportdrop" keygen -o staff.key)
echo "$recipient"
echo "\$ supportdrop seal -r $recipient -o README.md.age README.md"
cp "$root/README.md" README.md
"$supportdrop" seal -r "$recipient" -o README.md.age README.md
ls -l README.md README.md.age
echo "\$ supportdrop open -i staff.key -o README.opened README.md.age"
"$supportdrop" open -i staff.key -o README.opened README.md.age
cmp README.md README.opened && echo "round trip ok: README.opened equals README.md"
