#!/usr/bin/env bash
# Receiver benchmark (issue 3), run on demand. Three servers on loopback receive the same
# multipart body from curl clients:
#   nginx         WebDAV PUT of the body into a file (the floor: receive and write);
#   nginx+php-fpm a minimal move_uploaded_file handler;
#   supportdrop   checked, hashed, sealed and durable (fsync, rename, SQLite commit).
# Scenarios: 1 x 50 MiB, and 32 concurrent 5 MiB uploads, each with two bodies: a ZIP (what
# Windows and macOS make, the usual case: the inspection reads its directory) and a tar.gz (the
# costly case: the inspection decompresses all of it). Rounds are interleaved, each running the
# servers in a random order, one after the other on an emptied disk; each round's
# times are divided by nginx's in that round, and the median ratio is printed, with server CPU
# per MiB and supportdrop's peak RSS. Each supportdrop round also prints its CPU floor: its own
# CPU time plus its clients', divided by the cores. Client and server share this machine, so no
# schedule finishes faster than that; the floor's ratio to nginx's time shows which part of a
# time goal the CPU cost alone already takes. Beside it, how long the cores were idle or waiting
# for I/O during supportdrop's run and nginx's: the rest of a round's time.
# At the end: what an upload costs whatever its size, and from it and the crypto every byte needs
# what the CPU goal leaves on this machine (see there).
# SCENARIOS picks some of them, comma-separated as "count body MiB" (for example
# SCENARIOS="32 body5.zip 160" for an A/B run with BASELINE=); the sums then cover only those.
# With TLS=1 every server speaks HTTPS instead (TLS 1.2 and 1.3, the same ECDSA P-256
# certificate, made for the run), and every client makes a full handshake, as a customer does.
set -euo pipefail
source "$(dirname "$0")/prepare.sh" supportdrop
rounds=${ROUNDS:-5}
tls=${TLS:-}

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n ${KEEP_WORK:-} ]] || rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
  shuf -i 20000-60000 -n 1; }

# The same multipart body for everyone: a case as customers pack it, a Readme and random data
# (which no compressor can shrink), so that supportdrop inspects and accepts it, framed with a
# boundary as `curl -F` makes it (24 dashes and 16 hex digits; browsers' are as long). The
# parsers search the body for it, and a short one is slower to find: with "BenchBoundary" one
# 50 MiB upload took supportdrop 5-7% longer.
boundary=------------------------d74496d66958873e
make_body() { # size_bytes format(zip|tar.gz) output
  local case_dir="$3.case"
  mkdir -p "$case_dir"
  printf 'The nightly export stops with error 42 since Monday.\nE-Mail: erika@example.com\n' >"$case_dir/Readme.txt"
  head -c $(($1 - 20480)) /dev/urandom >"$case_dir/data.bin"
  case $2 in
    zip) (cd "$case_dir" && zip -q "$3.archive" Readme.txt data.bin) ;;
    tar.gz) tar -czf "$3.archive" -C "$case_dir" Readme.txt data.bin ;;
  esac
  {
    printf -- '--%s\r\nContent-Disposition: form-data; name="file"; filename="case.%s"\r\n' "$boundary" "$2"
    printf 'Content-Type: application/octet-stream\r\n\r\n'
    cat "$3.archive"
    printf '\r\n--%s--\r\n' "$boundary"
  } >"$3"
  rm -rf "$case_dir" "$3.archive"
}
for format in zip tar.gz; do
  make_body $((50 * 1024 * 1024)) "$format" "$work/body50.$format"
  make_body $((5 * 1024 * 1024)) "$format" "$work/body5.$format"
done
# 10 KiB of data beside the Readme: what an upload costs whatever its size.
make_body $((30 * 1024)) zip "$work/body_small.zip"

# --- TLS=1: a certificate for 127.0.0.1 that the clients trust ---------------------------------
scheme=http nginx_tls='' supportdrop_tls='' curl_tls=()
if [[ -n $tls ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
  scheme=https
  nginx_tls="ssl; ssl_certificate $work/tls.crt; ssl_certificate_key $work/tls.key; ssl_protocols TLSv1.2 TLSv1.3"
  supportdrop_tls=$(printf '[tls]\ncertificate_file = "%s"\nprivate_key_file = "%s"' "$work/tls.crt" "$work/tls.key")
  curl_tls=(--cacert "$work/tls.crt")
fi

# --- nginx (DAV) and nginx + php-fpm -------------------------------------------------------
nginx_port=$(free_port)
php_port=$(free_port)
mkdir -p "$work/nginx/logs" "$work/nginx/put" "$work/nginx/tmp" "$work/php/up" "$work/php/tmp"
cat >"$work/php/upload.php" <<'PHP'
<?php
$target = __DIR__ . '/up/' . bin2hex(random_bytes(16));
if (!isset($_FILES['file']) || !move_uploaded_file($_FILES['file']['tmp_name'], $target)) {
    http_response_code(400);
    exit;
}
http_response_code(201);
echo hash_file('sha256', $target), "\n";
PHP
cat >"$work/php/pool.conf" <<CONF
[global]
error_log = $work/php/fpm.log
daemonize = no
[bench]
listen = $work/php/fpm.sock
pm = static
pm.max_children = 32
php_admin_value[upload_max_filesize] = 64M
php_admin_value[post_max_size] = 64M
php_admin_value[upload_tmp_dir] = $work/php/tmp
php_admin_value[memory_limit] = 128M
CONF
cat >"$work/nginx/nginx.conf" <<CONF
user root;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_max_body_size 64m;
  client_body_temp_path $work/nginx/tmp;
  server {
    listen 127.0.0.1:$nginx_port $nginx_tls;
    location /put/ { root $work/nginx; dav_methods PUT; create_full_put_path on; }
  }
  server {
    listen 127.0.0.1:$php_port $nginx_tls;
    location = /upload {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $work/php/upload.php;
      fastcgi_pass unix:$work/php/fpm.sock;
    }
  }
}
CONF
php-fpm8.2 -R -F -y "$work/php/pool.conf" & pids+=($!)
php_pid=$!
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" & pids+=($!)
nginx_pid=$!

# --- supportdrop, and with BASELINE=path/to/supportdrop another build of it -------------------
# (for example last commit's, built in a worktree), interleaved like the others, so that a
# change is measured against its predecessor in the same rounds rather than across runs.
recipient=$("$supportdrop" keygen -o "$work/staff.key")
start_supportdrop() { # binary name: sets started_pid and started_url
  cat >"$work/$2.toml" <<CONF
[server]
listen = "127.0.0.1:0"
[admin]
listen = "127.0.0.1:0"
[storage]
data_dir = "$2-data"
[sealing]
recipients = ["$recipient"]
[limits]
max_concurrent_uploads_per_client = 64
max_uploads_per_client_per_hour = 100000
max_connections_per_client = 64
min_free_disk_bytes = 0
$supportdrop_tls
CONF
  "$1" serve --config "$work/$2.toml" 2>"$work/$2.log" & pids+=($!)
  started_pid=$!
  for _ in $(seq 100); do grep -q serve.started "$work/$2.log" 2>/dev/null && break; sleep 0.1; done
  started_url=$(grep -o 'kind=site url=[^ ]*' "$work/$2.log" | cut -d= -f3 || true)
  if [[ -z $started_url ]]; then
    echo "$2 ($1) did not start:" >&2
    tail -5 "$work/$2.log" >&2
    exit 1
  fi
}
start_supportdrop "$supportdrop" supportdrop
supportdrop_pid=$started_pid supportdrop_url=$started_url
servers=(nginx php supportdrop)
if [[ -n ${BASELINE:-} ]]; then
  start_supportdrop "$BASELINE" baseline
  baseline_pid=$started_pid baseline_url=$started_url
  servers+=(baseline)
fi
sleep 0.5

# CPU ticks (user + system) of a process, the children it reaped (the inspector processes) and
# the children it still has (nginx workers).
cpu_ticks() { # pid...
  local total=0 pid
  for pid in "$@" $(pgrep -P "$1" 2>/dev/null || true); do
    [[ -r /proc/$pid/stat ]] || continue
    total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat")))
  done
  echo "$total"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Ticks all cores spent idle or waiting for I/O (the first line of /proc/stat): what a round
# leaves unused. A round's time is its CPU floor (below) plus this over the cores, plus the CPU
# of everything else on the machine (the kernel's writeback threads, say).
idle_ticks() { awk '$1 == "cpu" { print $5 + $6; exit }' /proc/stat; }

# upload <server> <body> <count>: runs <count> concurrent uploads, prints wall milliseconds and
# the CPU milliseconds the curl clients took.
# Every client streams the body from its file with -T (the multipart ones as a POST): with
# --data-binary @file, curl reads the whole file into memory before it sends a byte, which
# added 30-40 ms of client time to each 50 MiB upload that nginx's PUT did not pay.
upload() {
  local server=$1 body=$2 count=$3 i start
  start=$(now_ms)
  for ((i = 0; i < count; i++)); do
    case $server in
      nginx) curl "${curl_tls[@]}" -sS -o /dev/null -f -T "$body" "$scheme://127.0.0.1:$nginx_port/put/$RANDOM$i-$(date +%N)" & ;;
      php) curl "${curl_tls[@]}" -sS -o /dev/null -f -X POST -H "Content-Type: multipart/form-data; boundary=$boundary" \
        -T "$body" "$scheme://127.0.0.1:$php_port/upload" & ;;
      supportdrop | baseline)
        url_var=${server}_url
        curl "${curl_tls[@]}" -sS -o /dev/null -f -X POST -H "Content-Type: multipart/form-data; boundary=$boundary" \
          -T "$body" "${!url_var}/upload" &
        ;;
    esac
  done
  wait_clients
  local wall=$(($(now_ms) - start))
  # The CPU of the children this shell reaped: the second line of `times` ("1m2.345s 0m0.500s"),
  # written by this shell itself (in a pipe or a $(...) a forked shell would report its own).
  times >"$work/times.$server"
  echo "$wall $(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); total += t[1] * 60 + t[2] }
    printf "%d", total * 1000 }' "$work/times.$server")"
}
wait_clients() { for job in $(jobs -p); do [[ " ${pids[*]} " == *" $job "* ]] || wait "$job"; done; }

declare -A ticks_total mib_total # by "server format"
hz=$(getconf CLK_TCK)
cores=$(nproc)
# append_ratio a b file: a / b, to be taken the median of.
append_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a / b }' >>"$3"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

scenarios=("1 body50.zip 50" "32 body5.zip 160" "1 body50.tar.gz 50" "32 body5.tar.gz 160")
[[ -z ${SCENARIOS:-} ]] || IFS=, read -ra scenarios <<<"$SCENARIOS"
for scenario in "${scenarios[@]}"; do
  read -r count body mib <<<"$scenario"
  : >"$work/ratios_supportdrop"
  : >"$work/ratios_php"
  : >"$work/floor_supportdrop"
  : >"$work/ratios_baseline"
  echo "== $count x $( [[ $body == body50* ]] && echo 50 || echo 5 ) MiB ${body#*.} over ${scheme^^}, $rounds interleaved rounds (ms)"
  for ((round = 1; round <= rounds; round++)); do
    declare -A ms client_ms server_ms idle_ms
    # The servers in a new random order each round: in a fixed order, supportdrop always ran
    # right after php, and the same build took 3-23% longer there than in the place after it.
    mapfile -t order < <(printf '%s\n' "${servers[@]}" | shuf)
    for server in "${order[@]}"; do
      pid_var=${server}_pid
      pid=${!pid_var}
      before=$(cpu_ticks "$pid") idle_before=$(idle_ticks)
      read -r "ms[$server]" "client_ms[$server]" <<<"$(upload "$server" "$work/$body" "$count")"
      after=$(cpu_ticks "$pid")
      server_ms[$server]=$(((after - before) * 1000 / hz))
      idle_ms[$server]=$((($(idle_ticks) - idle_before) * 1000 / hz))
      for key in "$server ${body#*.}" "$server $count ${body#*.}"; do
        ticks_total[$key]=$((${ticks_total[$key]:-0} + after - before))
        mib_total[$key]=$((${mib_total[$key]:-0} + mib))
      done
      # Every server starts on an equally empty disk with nothing left to write back: what the
      # last one received is removed (supportdrop's sealed files too; its database rows stay and
      # do not matter here) and the rest synced. Otherwise the page cache that nginx and php
      # leave dirty is written back while the next server runs: with the same build in both
      # places, the one that ran after php took 2-23% longer than the one after it.
      rm -rf "$work/nginx/put"/* "$work/php/up"/* "$work"/*-data/inbox/*
      sync
    done
    # No schedule can finish supportdrop's and its clients' CPU work on $cores cores faster than
    # this: the floor that the time goals meet at supportdrop's present CPU cost.
    floor=$(((server_ms[supportdrop] + client_ms[supportdrop]) / cores))
    echo "round $round: nginx ${ms[nginx]}  php ${ms[php]}  supportdrop ${ms[supportdrop]}" \
      "(CPU: server ${server_ms[supportdrop]}, clients ${client_ms[supportdrop]}; floor on $cores cores $floor;" \
      "cores idle ${idle_ms[supportdrop]}, nginx's ${idle_ms[nginx]})" \
      "${ms[baseline]:+ baseline ${ms[baseline]} (CPU: server ${server_ms[baseline]})}"
    append_ratio "${ms[supportdrop]}" "${ms[nginx]}" "$work/ratios_supportdrop"
    append_ratio "${ms[php]}" "${ms[nginx]}" "$work/ratios_php"
    append_ratio "$floor" "${ms[nginx]}" "$work/floor_supportdrop"
    if [[ -n ${ms[baseline]:-} ]]; then
      append_ratio "${ms[supportdrop]}" "${ms[baseline]}" "$work/ratios_baseline"
    fi
  done
  echo "median time ratio to nginx: supportdrop $(median <"$work/ratios_supportdrop")  nginx+php-fpm $(median <"$work/ratios_php")" \
    " (supportdrop's CPU floor: $(median <"$work/floor_supportdrop"))"
  if [[ -s $work/ratios_baseline ]]; then
    echo "median time ratio of supportdrop to the baseline build: $(median <"$work/ratios_baseline")"
  fi
  echo
done

echo "== server CPU per MiB received: each scenario, then all rounds of both scenarios per format"
cpu_per_mib() { # key label
  [[ -n ${ticks_total[$1]:-} ]] || return 0 # a scenario SCENARIOS left out
  awk -v t="${ticks_total[$1]}" -v hz="$hz" -v m="${mib_total[$1]}" -v l="$2" \
    'BEGIN { printf "  %-26s %.2f ms/MiB\n", l, t * 1000 / hz / m }'
}
for format in zip tar.gz; do
  for server in "${servers[@]}"; do
    cpu_per_mib "$server 1 $format" "$server 1 x 50 MiB $format"
    cpu_per_mib "$server 32 $format" "$server 32 x 5 MiB $format"
    cpu_per_mib "$server $format" "$server $format, both"
  done
done
echo "(goal for supportdrop: at most 2.5 ms/MiB; tick resolution is 1/$hz s)"
echo
# --- what an upload costs whatever its size, and what the CPU goal leaves ------------------------
# Per MiB, an upload of S MiB costs its server (cost per upload) / S on top of the cost per
# byte. 100 small uploads one after the other give the first; nginx's CPU per MiB in a scenario
# (which holds nginx's own cost per upload) plus the crypto that every byte needs (SHA-256 of what
# the customer sent, ChaCha20-Poly1305 to seal it: `openssl speed` in 64 KiB blocks, age's chunk
# size) plus supportdrop's cost per upload beyond nginx's is what supportdrop would spend if
# everything else it did were as cheap as nginx's receiving and writing. Machines differ by tens
# of percent in all three; this line tells on the machine at hand how much of the CPU goal
# is left for everything else.
small_uploads=100
declare -A small_ms
for server in nginx supportdrop; do
  pid_var=${server}_pid
  before=$(cpu_ticks "${!pid_var}")
  for ((i = 0; i < small_uploads; i++)); do upload "$server" "$work/body_small.zip" 1 >/dev/null; done
  after=$(cpu_ticks "${!pid_var}")
  small_ms[$server]=$(((after - before) * 1000 / hz))
  rm -rf "$work/nginx/put"/* "$work"/*-data/inbox/*
done
ms_per_mib() { # algorithm: `openssl speed` of 64 KiB blocks, in ms per MiB
  awk -v k="$(openssl_speed_kbs "$1" 65536 1)" 'BEGIN { printf "%.3f", 1048576 / k }'
}
sha_ms=$(ms_per_mib sha256)
aead_ms=$(ms_per_mib chacha20-poly1305)
crypto_ms=$(awk -v a="$sha_ms" -v b="$aead_ms" 'BEGIN { print a + b }')
echo "== cost per upload: $small_uploads uploads of a 30 KiB ZIP one after the other, server CPU per upload"
awk -v n="${small_ms[nginx]}" -v s="${small_ms[supportdrop]}" -v k="$small_uploads" \
  'BEGIN { printf "  nginx %.2f ms, supportdrop %.2f ms (its inspector processes included)\n", n / k, s / k }'
echo "  crypto per MiB (openssl speed, 64 KiB blocks): SHA-256 $sha_ms ms, ChaCha20-Poly1305 $aead_ms ms"
echo "  supportdrop's CPU per MiB were all else as cheap as nginx's (nginx's CPU per MiB + crypto + cost per upload beyond nginx's):"
for key in "1 zip 50" "32 zip 5" "1 tar.gz 50" "32 tar.gz 5"; do
  read -r count format upload_mib <<<"$key"
  [[ -n ${ticks_total[nginx $count $format]:-} ]] || continue
  awk -v t="${ticks_total[nginx $count $format]}" -v m="${mib_total[nginx $count $format]}" -v hz="$hz" \
    -v crypto="$crypto_ms" -v upload="$upload_mib" -v extra="$((small_ms[supportdrop] - small_ms[nginx]))" \
    -v k="$small_uploads" -v label="$count x $upload_mib MiB $format" \
    'BEGIN { printf "    %-20s %.2f ms/MiB\n", label, t * 1000 / hz / m + crypto + extra / k / upload }'
done
echo

echo "== supportdrop peak RSS (VmHWM over all runs): $(awk '/VmHWM/ {printf "%.1f MiB (%d kB)", $2 / 1024, $2}' \
  /proc/$supportdrop_pid/status) (goal: at most 32 MiB)"
echo "accepted uploads: $(grep -c upload.accepted "$work/supportdrop.log"), rejected: $(grep -c upload.rejected "$work/supportdrop.log" || true)"
