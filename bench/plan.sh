#!/usr/bin/env bash
# Times `adf plan` on a generated N-image config (default 10,000) and reports peak memory.
# Targets (2-core machine), scaled by N: 12.5 ms + 23.75 µs per image and 20 KB per image, that
# is under 0.25 s and 200 MB for 10,000 images, under 1.2 s and 1,000 MB for 50,000.
#   bash bench/plan.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release -q
bin=target/release/adf
config=$(python3 bench/gen_config.py "$n" "$work")
"$bin" -f "$config" plan --format json >/dev/null   # warm the page cache
best=""
for run in 1 2 3 4 5; do
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$bin" -f "$config" plan --format json >"$work/plan.json"
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  rss_kb=$(tail -n 1 "$work/rss")
  printf 'run %d: %.3f s, peak %d MB\n' "$run" "$secs" $((rss_kb / 1024))
  if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc -l)" = 1 ]; then best=$secs; best_rss=$rss_kb; fi
done
images=$(python3 -c "import json,sys; d=json.load(open('$work/plan.json')); print(len(d['images']), max(i['wave'] for i in d['images'])+1)")
target_secs=$(echo "0.0125 + $n * 0.00002375" | bc -l)
target_kb=$((n * 20 * 1024 / 1000))
printf 'adf plan on %s images (%s waves): best %.3f s, peak %d MB (targets: < %.3f s, < %d MB)\n' \
  "${images% *}" "${images#* }" "$best" $((best_rss / 1024)) "$target_secs" $((target_kb / 1024))
ok=$(echo "$best < $target_secs" | bc -l)
[ "$ok" = 1 ] && [ "$best_rss" -lt "$target_kb" ] || { echo "FAIL: over target" >&2; exit 1; }
