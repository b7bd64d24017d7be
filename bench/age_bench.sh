#!/usr/bin/env bash
# Benchmarks of the age library and commands (issue 2), run on demand:
#   1. sealing 50 MiB held in memory, against `openssl speed -evp chacha20-poly1305` at 16 KiB:
#      the payload as the product gets it (through a receive buffer, in the caches, as
#      `openssl speed` has it), and streaming from one 50 MiB buffer in main memory, where the
#      bare AEAD is the fair floor;
#   2. `supportdrop seal` against `age -r` (the Go reference) on the same 50 MiB file;
#   3. peak memory of `seal` and `open` for 1 MiB and 50 MiB inputs, what of it is the process's
#      own (anonymous) memory rather than shared library pages, and the peak of programs that
#      only load the shared libcrypto (`openssl version`) or do the same job (`age`).
# Prints figures and ratios from one run. Rounds are interleaved and the best of each is kept.
set -euo pipefail
source "$(dirname "$0")/prepare.sh" supportdrop age_seal_throughput
rounds=${ROUNDS:-15}

work=$(mktemp -d /dev/shm/supportdrop-bench-XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c $((50 * 1024 * 1024)) /dev/urandom >"$work/p50"
head -c $((1024 * 1024)) /dev/urandom >"$work/p1"
recipient=$("$supportdrop" keygen -o "$work/staff.key")

now_ns() { date +%s%N; }

echo "== 1. sealing 50 MiB in memory (16 KiB writes) vs openssl speed -evp chacha20-poly1305 at 16 KiB"
openssl_mbs=$(awk -v k="$(openssl_speed_kbs chacha20-poly1305 16384 3)" 'BEGIN { printf "%.1f", k / 1000 }')
read -r _ _ received_mbs < <(build-bench/bench/age_seal_throughput $((50 * 1024 * 1024)) "$rounds" 16384 received)
read -r _ _ counted_mbs < <(build-bench/bench/age_seal_throughput $((50 * 1024 * 1024)) "$rounds" 16384 count)
read -r _ _ kept_mbs < <(build-bench/bench/age_seal_throughput $((50 * 1024 * 1024)) "$rounds" 16384 keep)
read -r _ _ aead_mbs < <(build-bench/bench/age_seal_throughput $((50 * 1024 * 1024)) "$rounds" 16384 aead)
echo "openssl speed (one 16 KiB buffer):       $openssl_mbs MB/s"
echo "supportdrop seal, through a 256 KiB receive buffer (as uploads and \`seal\` arrive):"
echo "                                         $received_mbs MB/s  ratio $(ratio "$received_mbs" "$openssl_mbs") (goal >= 0.90)"
echo "Streaming from one 50 MiB buffer in main memory (no cache holds it for the cipher):"
echo "  bare AEAD, 64 KiB messages:            $aead_mbs MB/s  ratio $(ratio "$aead_mbs" "$openssl_mbs") (the memory, not the code)"
echo "  supportdrop seal, ciphertext handed on: $counted_mbs MB/s  ratio $(ratio "$counted_mbs" "$openssl_mbs")," \
  "to the bare AEAD $(ratio "$counted_mbs" "$aead_mbs")"
echo "  supportdrop seal, ciphertext copied out: $kept_mbs MB/s  ratio $(ratio "$kept_mbs" "$openssl_mbs") (includes a 50 MiB memcpy)"

echo
echo "== 2. supportdrop seal vs age -r, same 50 MiB file, output to /dev/null, best of $rounds"
best_ours=999999999999
best_age=999999999999
for ((i = 0; i < rounds; i++)); do
  start=$(now_ns); "$supportdrop" seal -r "$recipient" "$work/p50" >/dev/null; t=$(($(now_ns) - start))
  ((t < best_ours)) && best_ours=$t
  start=$(now_ns); age -r "$recipient" "$work/p50" >/dev/null; t=$(($(now_ns) - start))
  ((t < best_age)) && best_age=$t
done
echo "supportdrop seal: $((best_ours / 1000000)) ms"
echo "age -r:           $((best_age / 1000000)) ms"
echo "age time / supportdrop time: $(ratio "$best_age" "$best_ours") (goal > 1)"

echo
echo "== 3. peak memory (maximum resident set, GNU time)"
peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }
baseline=$(peak_kb "$supportdrop" --version)
echo "supportdrop --version (libraries loaded, no work): $baseline KB"
echo "openssl version (only loads the shared libcrypto and libssl): $(peak_kb openssl version) KB"
echo "age -r, 50 MiB (Go, its own crypto; only libc shared): $(peak_kb age -r "$recipient" "$work/p50") KB"
for size in 1 50; do
  "$supportdrop" seal -r "$recipient" -o "$work/p$size.age" "$work/p$size"
  seal_kb=$(peak_kb "$supportdrop" seal -r "$recipient" "$work/p$size")
  open_kb=$(peak_kb "$supportdrop" open -i "$work/staff.key" "$work/p$size.age")
  echo "$size MiB: seal $seal_kb KB (+$((seal_kb - baseline)) KB over baseline), open $open_kb KB (+$((open_kb - baseline)) KB)"
done
# Halfway through 50 MiB fed from a pipe, the split of the resident set: anonymous memory (heap,
# stack, buffers: the process's own; goal below 4 MiB) against file pages (libraries, shared with
# every process that maps them).
resident_split() { # command...
  local fifo=$work/fifo pid
  rm -f "$fifo" && mkfifo "$fifo"
  "$@" <"$fifo" >/dev/null & pid=$!
  {
    head -c $((25 * 1024 * 1024)) "$work/p50.in"
    sleep 0.5
    awk '/^(RssAnon|RssFile|VmHWM)/ {printf "%s %s KB  ", $1, $2}' "/proc/$pid/status" >&3
    tail -c +$((25 * 1024 * 1024 + 1)) "$work/p50.in"
  } 3>&1 >"$fifo"
  wait "$pid"
  echo
}
cp "$work/p50" "$work/p50.in"
echo -n "seal, halfway: " && resident_split "$supportdrop" seal -r "$recipient"
cp "$work/p50.age" "$work/p50.in"
echo -n "open, halfway: " && resident_split "$supportdrop" open -i "$work/staff.key"
echo "Shared libraries in a running seal (resident KB):"
(sleep 1 | "$supportdrop" seal -r "$recipient" >/dev/null) &
sleep 0.5
pid=$(pgrep -n -f "supportdrop seal -r $recipient" || true)
if [[ -n $pid ]]; then
  awk '/^[0-9a-f]+-/ { name = $6 } /^Rss:/ { rss[name] += $2 } END { for (n in rss) if (rss[n] >= 100) printf "  %6d %s\n", rss[n], (n == "" ? "[anonymous]" : n) }' \
    "/proc/$pid/smaps" | sort -rn
fi
wait
