#!/usr/bin/env bash
# adf build vs. the plain loop the public build.py runs (one `docker build` per image, in order),
# on a 12-image two-branch stack whose every step sleeps 2 s. Prints both times and the ratios.
# Targets: full build adf/loop <= 0.65; no-op rerun adf/loop <= 0.05.
#   bash bench/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/engine.sh up >/dev/null 2>&1
cargo build --release -q
adf=$PWD/target/release/adf
docker=${ADF_DOCKER:-/usr/bin/docker}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nonce=$(date +%s%N)

# root -> a1 -> a2 -> {a3,a4,a5} ; root -> b1 -> b2 -> {b3,b4,b5,b6}
parents=(root: a1:root a2:a1 a3:a2 a4:a2 a5:a2 b1:root b2:b1 b3:b2 b4:b2 b5:b2 b6:b2)
cat >"$work/Dockerfile" <<'DF'
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG NONCE
ARG NAME
RUN echo "${NONCE} ${NAME}" > /layer-${NAME} && sleep 2
DF
{
  echo "variables: {NONCE: \"0\", PREFIX: adf-bench/adf}"
  echo "build_flags: [--network, host]"
  echo "images:"
  for p in "${parents[@]}"; do
    name=${p%%:*}; parent=${p#*:}
    echo "  $name:"
    [ -n "$parent" ] && echo "    depends_on: [$parent]"
    if [ -n "$parent" ]; then
      echo "    build: {context: ., args: {NONCE: \"\${NONCE}\", NAME: $name}}"
    else
      echo "    build: {context: ., args: {NONCE: \"\${NONCE}\", NAME: $name, BASE_IMAGE: \"adf-fixture/busybox:1\"}}"
    fi
    echo "    tags: [\"\${PREFIX}/$name:1\"]"
  done
} >"$work/dockerfile-compose.yaml"

loop() {  # what build.py does: docker build each image in order, parent tag passed by hand
  for p in "${parents[@]}"; do
    name=${p%%:*}; parent=${p#*:}
    base=adf-fixture/busybox:1
    [ -n "$parent" ] && base=adf-bench/loop/$parent:1
    DOCKER_BUILDKIT=1 "$docker" build -q --network host --build-arg BASE_IMAGE="$base" \
      --build-arg NONCE="$1" --build-arg NAME="$name" -t "adf-bench/loop/$name:1" "$work" >/dev/null
  done
}

secs() { local s=$(date +%s.%N); "$@"; echo "$(date +%s.%N) - $s" | bc -l; }

loop_full=$(secs loop "$nonce")
loop_noop=$(secs loop "$nonce")
adf_build() { "$adf" -f "$work/dockerfile-compose.yaml" --set NONCE="$nonce" build -j 8 >"$work/adf.out" 2>&1 || { cat "$work/adf.out"; exit 1; }; }
adf_full=$(secs adf_build)
adf_noop=$(secs adf_build)

full_ratio=$(echo "$adf_full / $loop_full" | bc -l)
noop_ratio=$(echo "$adf_noop / $loop_noop" | bc -l)
printf 'full build: adf %.2f s, loop %.2f s, ratio %.3f (target <= 0.65)\n' "$adf_full" "$loop_full" "$full_ratio"
printf 'no-op rerun: adf %.3f s, loop %.2f s, ratio %.3f (target <= 0.05)\n' "$adf_noop" "$loop_noop" "$noop_ratio"
"$docker" image ls --format '{{.Repository}}:{{.Tag}}' | grep '^adf-bench/' | xargs -r "$docker" rmi -f >/dev/null 2>&1 || true
[ "$(echo "$full_ratio <= 0.65" | bc -l)" = 1 ] && [ "$(echo "$noop_ratio <= 0.05" | bc -l)" = 1 ] || { echo "FAIL: over target" >&2; exit 1; }
