#!/usr/bin/env bash
# Benchmark of the archive inspection (issue 4), run on demand: the verdict latency after the
# last byte for a 50 MiB ZIP with 10,000 entries and a 50 MiB tar.gz, beside `bsdtar -tvf` on the
# same files, and the inspector process's peak memory on them and on every archive sample.
# Prints figures and ratios from one run; best of ROUNDS.
set -euo pipefail
source "$(dirname "$0")/prepare.sh" supportdrop inspect_latency
rounds=${ROUNDS:-5}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
best_bsdtar_ms() {
  local best=999999999 start end
  for ((i = 0; i < rounds; i++)); do
    start=$(date +%s%N)
    bsdtar -tvf "$1" >/dev/null
    end=$(date +%s%N)
    best=$(((end - start) / 1000000 < best ? (end - start) / 1000000 : best))
  done
  echo "$best"
}

# 10,000 entries: a Readme, a folder and 9,998 files of random data, 50 MiB in all (random data
# does not compress, so the archives are 50 MiB too).
mkdir -p "$work/case/files"
printf 'The nightly export stops with error 42 since Monday.\nE-Mail: erika@example.com\n' >"$work/case/Readme.txt"
head -c $((50 * 1024 * 1024)) /dev/urandom >"$work/random"
split -n 9998 -a 4 "$work/random" "$work/case/files/f"
rm "$work/random"
(cd "$work/case" && zip -q -r ../case.zip Readme.txt files && tar -czf ../case.tar.gz Readme.txt files)
ls -l "$work/case.zip" "$work/case.tar.gz" | awk '{print $5, $9}'

echo
printf '%-28s %12s %12s %8s %12s %s\n' file verdict_ms bsdtar_ms ratio inspector_MiB goal
for archive in case.zip case.tar.gz; do
  read -r ms rss what < <(build-bench/bench/inspect_latency "$supportdrop" "$work/$archive" "$rounds")
  bsdtar_ms=$(best_bsdtar_ms "$work/$archive")
  goal=$([[ $archive == *.zip ]] && echo "<= 50 ms" || echo "<= 250 ms")
  printf '%-28s %12s %12s %8s %12s %s (%s)\n' "$archive" "$ms" "$bsdtar_ms" "$(ratio "$ms" "$bsdtar_ms")" "$rss" "$goal" "$what"
done

echo
echo "== inspector peak RSS on every archive sample (goal <= 64 MiB)"
max=0
for sample in tests/data/archives/*; do
  case $sample in *.md | *SHA256SUMS) continue ;; esac
  line=$(build-bench/bench/inspect_latency "$supportdrop" "$sample" 1)
  rss=$(echo "$line" | awk '{print $2}')
  if awk -v a="$rss" -v b="$max" 'BEGIN { exit !(a > b) }'; then
    max=$rss
    largest="$(basename "$sample"): $line"
  fi
done
echo "largest: $max MiB ($largest)"
