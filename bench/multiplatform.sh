#!/usr/bin/env bash
# adf build of a two-platform (linux/amd64 + linux/arm64, arm64 RUN steps under qemu) three-image
# chain root -> mid -> leaf, vs. the loop one would write by hand: for each platform in turn,
# `docker buildx build --platform P --load` of root, mid, leaf in order, each FROM its parent's
# per-platform tag. Both on the Docker 26 engine (containerd image store, buildx 0.13) of
# scripts/engine.sh modern, through its wrapper client. 3 paired runs (alternating which side goes
# first), a fresh NONCE for every build so no RUN step is cached; prints every run and the medians.
# Target: adf/loop <= 1.0 (adf is not slower than the sequential loop; below 1 is what running
# the two platforms' chains side by side buys).
#   bash bench/multiplatform.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
if ! ADF_DOCKER=$(bash scripts/engine.sh modern 2>"$work/engine.log") ||
  ! bash scripts/engine.sh fixtures-multiarch "$ADF_DOCKER" 2>>"$work/engine.log"; then
  cat "$work/engine.log" >&2; rm -rf "$work"; exit 1
fi
export ADF_DOCKER
docker=$ADF_DOCKER
cargo build --release -q
adf=$PWD/target/release/adf
cleanup() {
  "$docker" image ls --format '{{.Repository}}:{{.Tag}}' | grep -E '^adf-bench/mp-' |
    xargs -r "$docker" rmi -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
nonce=$(date +%s%N)

chain=(root: mid:root leaf:mid)
platforms=(amd64 arm64)
mkdir -p "$work/files"
echo "tool for x86_64" >"$work/files/tool-x86_64.txt"
echo "tool for aarch64" >"$work/files/tool-aarch64.txt"
cat >"$work/Dockerfile" <<'DF'
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG NONCE
ARG NAME
ARG ARCH
COPY files/tool-${ARCH}.txt /tool-${NAME}
RUN echo "${NONCE} ${NAME}" > /layer-${NAME} && uname -m >> /layer-${NAME} && sleep 1
DF
{
  echo "build_flags: [--network, host]"
  echo "variables: {NONCE: \"0\"}"
  echo "images:"
  for c in "${chain[@]}"; do
    name=${c%%:*}; parent=${c#*:}
    echo "  $name:"
    if [ -n "$parent" ]; then
      echo "    depends_on: [$parent]"
      base=
    else
      base='BASE_IMAGE: "adf-fixture/busybox:1", '
    fi
    echo "    build: {context: ., dockerfile: Dockerfile, args: {${base}NAME: $name, ARCH: \"\${ARCH}\", NONCE: \"\${NONCE}\"}, platforms: [linux/amd64, linux/arm64]}"
    echo "    tags: [\"adf-bench/mp-$name:1\"]"
  done
} >"$work/dockerfile-compose.yaml"

adf_build() {  # NONCE
  "$adf" -f "$work/dockerfile-compose.yaml" --set NONCE="$1" build >"$work/adf.out" 2>&1 || {
    cat "$work/adf.out" >&2
    for l in "$work"/.adf/logs/*.log; do [ -f "$l" ] && { echo "--- $l" >&2; tail -n 40 "$l" >&2; }; done
    exit 1
  }
}
loop() {  # NONCE: one platform after the other, each chain in dependency order
  local p arch c name parent base
  for p in "${platforms[@]}"; do
    arch=x86_64; [ "$p" = arm64 ] && arch=aarch64
    for c in "${chain[@]}"; do
      name=${c%%:*}; parent=${c#*:}
      base=adf-fixture/busybox:1
      [ -n "$parent" ] && base=adf-bench/mp-loop-$parent:1-$p
      "$docker" buildx build --platform "linux/$p" --load --provenance=false --network host \
        --build-arg BASE_IMAGE="$base" --build-arg NAME="$name" --build-arg ARCH="$arch" \
        --build-arg NONCE="$1" -t "adf-bench/mp-loop-$name:1-$p" "$work" >"$work/loop.out" 2>&1 ||
        { cat "$work/loop.out" >&2; exit 1; }
    done
  done
}

secs() { local s=$(date +%s.%N); "$@"; echo "$(date +%s.%N) - $s" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }

adf_times=(); loop_times=()
for run in 1 2 3; do
  if [ $((run % 2)) = 1 ]; then
    a=$(secs adf_build "${nonce}a$run"); l=$(secs loop "${nonce}l$run"); order="adf first"
  else
    l=$(secs loop "${nonce}l$run"); a=$(secs adf_build "${nonce}a$run"); order="loop first"
  fi
  adf_times+=("$a"); loop_times+=("$l")
  printf 'run %d (%s): adf %.2f s, loop %.2f s, ratio %.3f\n' "$run" "$order" "$a" "$l" "$(echo "$a / $l" | bc -l)"
done

# both sides built what they should: the arm64 leaf ran its RUN steps as aarch64, down the chain
for t in adf-bench/mp-leaf:1-arm64 adf-bench/mp-loop-leaf:1-arm64; do
  got=$("$docker" run --rm --network none --platform linux/arm64 "$t" \
    sh -c 'cat /layer-root /layer-mid /layer-leaf | grep -c aarch64' 2>&1) || true
  [ "$got" = 3 ] || { echo "FAIL: $t does not hold three aarch64 layers: $got" >&2; exit 1; }
done

adf_med=$(median "${adf_times[@]}"); loop_med=$(median "${loop_times[@]}")
ratio=$(echo "$adf_med / $loop_med" | bc -l)
printf 'two-platform 3-image chain, medians of 3: adf %.2f s, sequential buildx loop %.2f s\n' "$adf_med" "$loop_med"
printf 'ratio %.3f (adf/loop; target <= 1.0: adf not slower than building one platform after the other)\n' "$ratio"
[ "$(echo "$ratio <= 1.0" | bc -l)" = 1 ] || { echo "FAIL: over target" >&2; exit 1; }
