#!/usr/bin/env bash
# Installer hashing. A 2 GiB installer in the page cache:
#   - `cat FILE > /dev/null`: the read rate from the page cache (the limit);
#   - the first fingerprint hash (`adf plan`, empty .adf cache): target >= 0.7x that rate;
#   - an installer with a declared sha256 (`adf build --dry-run` checks it and fingerprints the
#     image): target one read of the file (the process's rchar, /proc/PID/io, ~ 2 GiB).
#   bash bench/hash.sh [SIZE_MIB]      (default 2048)
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-2048}
cargo build --release -q
adf=$PWD/target/release/adf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plain" "$work/declared"
head -c $((mib << 20)) /dev/urandom >"$work/big.run"
sum=$(sha256sum "$work/big.run" | cut -d' ' -f1)
printf 'FROM scratch\n' >"$work/Dockerfile"
for kind in plain declared; do
  cp "$work/Dockerfile" "$work/$kind/"
  ln "$work/big.run" "$work/$kind/big.run"
  {
    echo "images:"
    echo "  a:"
    echo "    build: ."
    echo "    tags: [\"adf-bench/hash:1\"]"
    echo "    installers:"
    echo "      - path: big.run"
    [ "$kind" = declared ] && echo "        sha256: $sum"
  } >"$work/$kind/dockerfile-compose.yaml"
done
now() { date +%s.%N; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
sleep 3   # the file is older than adf's 2 s racy window, so its hashes can be cached

cats=(); for _ in 1 2 3; do s=$(now); cat "$work/big.run" >/dev/null; cats+=("$(echo "$(now) - $s" | bc -l)"); done
cat_s=$(best "${cats[@]}")
cold=(); warm=()
for _ in 1 2 3; do
  rm -rf "$work/plain/.adf"
  s=$(now); "$adf" -q -f "$work/plain/dockerfile-compose.yaml" plan --no-engine >/dev/null; cold+=("$(echo "$(now) - $s" | bc -l)")
  s=$(now); "$adf" -q -f "$work/plain/dockerfile-compose.yaml" plan --no-engine >/dev/null; warm+=("$(echo "$(now) - $s" | bc -l)")
done
cold_s=$(best "${cold[@]}"); warm_s=$(best "${warm[@]}")
hash_s=$(echo "$cold_s - $warm_s" | bc -l)
gib=$(echo "$mib / 1024" | bc -l)
cat_rate=$(echo "$gib / $cat_s" | bc -l); hash_rate=$(echo "$gib / $hash_s" | bc -l)
ratio=$(echo "$hash_rate / $cat_rate" | bc -l)
printf 'page-cache read (cat):  %.2f GiB/s\n' "$cat_rate"
printf 'first fingerprint hash: %.2f GiB/s (plan %.3f s cold, %.3f s cached): %.2fx the read rate (target >= 0.7)\n' \
  "$hash_rate" "$cold_s" "$warm_s" "$ratio"

# declared sha256: one read for the check and the fingerprint, from an empty cache
rm -rf "$work/declared/.adf"
"$adf" -q -f "$work/declared/dockerfile-compose.yaml" build --dry-run --docker /nonexistent >/dev/null 2>&1 &
pid=$!
rchar=0
while kill -0 "$pid" 2>/dev/null; do
  r=$(awk '/^rchar/ {print $2}' "/proc/$pid/io" 2>/dev/null || true)
  [ -n "$r" ] && rchar=$r
  sleep 0.02
done
wait "$pid" || true
# the dry run stops at the engine (none here), after the installers were checked: read the cache
reads=$(echo "$rchar / ($mib * 1048576)" | bc -l)
printf 'declared sha256: %.2f reads of the file (rchar %d; target 1)\n' "$reads" "$rchar"
ok=1
[ "$(echo "$ratio >= 0.7" | bc -l)" = 1 ] || { echo "FAIL: first hash under 0.7x the read rate"; ok=0; }
[ "$(echo "$reads < 1.2" | bc -l)" = 1 ] || { echo "FAIL: the declared installer is read more than once"; ok=0; }
[ "$ok" = 1 ]
