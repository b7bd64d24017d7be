#!/usr/bin/env bash
# Sets up the machine, builds supportdrop and runs the receiver on its embedded defaults:
# http://127.0.0.1:8080, data in ./supportdrop-data (SQLite, sealed files), a generated demo
# staff identity there, admin endpoints on 127.0.0.1:9090. Ctrl-C stops it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh deps/debian-packages.txt
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSUPPORTDROP_TESTS=OFF -DSUPPORTDROP_BENCH=OFF >/dev/null
cmake --build build -j "$(nproc)" --target supportdrop >/dev/null

cat <<'HINT'
supportdrop is starting on http://127.0.0.1:8080 (upload page) and http://127.0.0.1:9090/metrics.
Try:   curl -F file=@some-archive.zip -H 'Accept: application/json' http://127.0.0.1:8080/upload
Open:  build/src/supportdrop open -i supportdrop-data/demo-identity.txt supportdrop-data/inbox/<id>.archive.age
HINT
exec build/src/supportdrop serve "$@"
