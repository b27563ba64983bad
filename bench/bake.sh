#!/usr/bin/env bash
# adf build vs. `docker buildx bake` on the same engine (Docker 26 + buildx, containerd store)
# and the same Dockerfiles, in paired runs (order alternating), medians. Every layer is a 2 s
# `RUN --network=none` step; each full run uses a fresh nonce so neither tool hits a cache.
#   shape 1: a 12-image two-branch DAG, full build and nothing-changed rerun
#   shape 2: 1 root + 24 leaves, full build
# adf runs with its default backend (auto: one bake on this buildx 0.13 engine) and, for
# reference, with --backend cli (one docker build per image; the fan at -j default / 8 / 24).
# Prints every figure and the ratios; targets (issue 16): DAG full <= 1.03x bake, fan full <=
# 1.05x bake, no-op <= 1.2x the floor (one `docker image inspect` of every tag) and <= 0.1x bake.
#   bash bench/bake.sh [PAIRS]      (default 3 pairs per shape)
set -euo pipefail
unset ADF_BACKEND
cd "$(dirname "$0")/.."
pairs=${1:-3}
bash scripts/engine.sh up >/dev/null 2>&1
docker=$(bash scripts/engine.sh modern)
bash scripts/engine.sh fixtures-multiarch "$docker" >/dev/null 2>&1
cargo build --release -q
adf=$PWD/target/release/adf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/Dockerfile" <<'DF'
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG NONCE
ARG NAME
RUN --network=none echo "${NONCE} ${NAME}" > /layer-${NAME} && sleep 2
DF

# config NAME "child:parent ..." writes $work/NAME/dockerfile-compose.yaml
config() {
  local dir=$work/$1
  mkdir -p "$dir"
  cp "$work/Dockerfile" "$dir/"
  {
    echo "variables: {NONCE: \"0\"}"
    echo "images:"
    for p in $2; do
      local name=${p%%:*} parent=${p#*:}
      echo "  $name:"
      if [ -n "$parent" ]; then
        echo "    depends_on: [$parent]"
        echo "    build: {context: ., args: {NONCE: \"\${NONCE}\", NAME: $name}}"
      else
        echo "    build: {context: ., args: {NONCE: \"\${NONCE}\", NAME: $name, BASE_IMAGE: \"adf-fixture/busybox:1\"}}"
      fi
      echo "    tags: [\"adf-bench/$1/$name:1\"]"
    done
  } >"$dir/dockerfile-compose.yaml"
}
dag="root: a1:root a2:a1 a3:a2 a4:a2 a5:a2 b1:root b2:b1 b3:b2 b4:b2 b5:b2 b6:b2"
fan="root:"
for i in $(seq -w 1 24); do fan="$fan l$i:root"; done
config dag "$dag"
config fan "$fan"

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

run_adf() { # SHAPE NONCE [FLAGS...]
  local shape=$1 nonce=$2; shift 2
  local s; s=$(now)
  "$adf" -f "$work/$shape/dockerfile-compose.yaml" --set NONCE="$nonce" build --docker "$docker" "$@" \
    >"$work/adf.out" 2>&1 || { cat "$work/adf.out" >&2; exit 1; }
  elapsed "$s"
}
run_bake() { # SHAPE NONCE
  local shape=$1 nonce=$2
  "$adf" -f "$work/$shape/dockerfile-compose.yaml" --set NONCE="$nonce" export bake -o "$work/$shape/bake.json" 2>/dev/null
  local s; s=$(now)
  (cd "$work/$shape" && "$docker" buildx bake -f bake.json --progress quiet >"$work/bake.out" 2>&1) \
    || { cat "$work/bake.out" >&2; exit 1; }
  elapsed "$s"
}

paired() { # SHAPE LABEL [ADF FLAGS...]: full builds, paired; sets A and B (medians)
  local shape=$1 label=$2; shift 2
  local as=() bs=() i
  for i in $(seq 1 "$pairs"); do
    local n=$RANDOM$RANDOM
    if (( i % 2 )); then
      as+=("$(run_adf "$shape" "a$n" "$@")"); bs+=("$(run_bake "$shape" "b$n")")
    else
      bs+=("$(run_bake "$shape" "b$n")"); as+=("$(run_adf "$shape" "a$n" "$@")")
    fi
  done
  A=$(median "${as[@]}"); B=$(median "${bs[@]}")
  printf '%-28s adf %6.2f s  bake %6.2f s  adf/bake %.2f   (adf: %s; bake: %s)\n' \
    "$label" "$A" "$B" "$(echo "$A / $B" | bc -l)" "${as[*]}" "${bs[*]}"
}

paired dag "dag full (12 images)"
dag_ratio=$(echo "$A / $B" | bc -l)
paired dag "dag full, --backend cli" --backend cli

# nothing changed: the last nonce each tool built is fresh for it
nonce=noop$RANDOM
run_adf dag "$nonce" >/dev/null
run_bake dag "$nonce" >/dev/null
as=(); bs=(); fs=()
tags=$(sed -n 's/.*tags: \["\(.*\)"\]/\1/p' "$work/dag/dockerfile-compose.yaml")
for i in $(seq 1 $((pairs * 2 + 1))); do
  as+=("$(run_adf dag "$nonce")")
  bs+=("$(run_bake dag "$nonce")")
  s=$(now); "$docker" image inspect $tags >/dev/null; fs+=("$(elapsed "$s")")
done
A=$(median "${as[@]}"); B=$(median "${bs[@]}"); F=$(median "${fs[@]}")
printf '%-28s adf %6.3f s  bake %6.3f s  floor %.3f s  adf/floor %.2f  adf/bake %.3f\n' \
  "dag nothing changed" "$A" "$B" "$F" "$(echo "$A / $F" | bc -l)" "$(echo "$A / $B" | bc -l)"
noop_floor=$(echo "$A / $F" | bc -l); noop_bake=$(echo "$A / $B" | bc -l)

paired fan "fan full (1+24)"
fan_ratio=$(echo "$A / $B" | bc -l)
paired fan "fan full, --backend cli" --backend cli
paired fan "fan full, --backend cli -j 8" --backend cli -j 8
paired fan "fan full, --backend cli -j 24" --backend cli -j 24

ok=1
check() { if [ "$(echo "$2" | bc -l)" = 1 ]; then echo "ok:   $1"; else echo "FAIL: $1"; ok=0; fi; }
check "dag full <= 1.03x bake ($(printf %.2f "$dag_ratio"))" "$dag_ratio <= 1.03"
check "fan full <= 1.05x bake ($(printf %.2f "$fan_ratio"))" "$fan_ratio <= 1.05"
check "no-op <= 1.2x floor ($(printf %.2f "$noop_floor"))" "$noop_floor <= 1.2"
check "no-op <= 0.1x bake ($(printf %.3f "$noop_bake"))" "$noop_bake <= 0.1"
[ "$ok" = 1 ]
