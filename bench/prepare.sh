# Sourced by the benchmark scripts: installs what they need and builds the given targets in
# build-bench/ (release, without the tests, so that the test build's options never change).
#   source "$(dirname "$0")/prepare.sh" TARGET...
# Leaves the working directory at the repository root and sets `root` and `supportdrop`.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/setup.sh deps/debian-packages.txt deps/debian-packages-bench.txt
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DSUPPORTDROP_TESTS=OFF -DSUPPORTDROP_BENCH=ON >/dev/null
cmake --build build-bench -j "$(nproc)" --target "$@" >/dev/null
supportdrop=$root/build-bench/src/supportdrop

# a / b with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# `openssl speed` of one EVP algorithm at one block size, in thousands of bytes per second
#   openssl_speed_kbs ALGORITHM BLOCK_BYTES SECONDS
openssl_speed_kbs() {
  openssl speed -seconds "$3" -bytes "$2" -evp "$1" 2>/dev/null | awk -v alg="$1" '
    tolower($1) == alg { sub(/k$/, "", $NF); print $NF }'
}
