#!/usr/bin/env bash
# A CI-like run with everything published: the 12-image two-branch stack of bench/build.sh is
# built and pushed to a loopback registry from the Docker 26 engine (buildx), every local image
# is removed (an empty runner), then the time to "nothing to do" of `adf build --registry` is
# compared with pulling every image (8 at once) into a store that never held them (the 20.10
# engine: the Docker 26 one keeps the layers in its build cache), which is what a runner without
# registry-aware freshness needs before it can skip anything. Each image adds a layer of
# ADF_BENCH_LAYER_MB (default 4) MB: adf's time does not depend on it, the pulls' does.
#   bash bench/registry.sh            (registry on 127.0.0.1:5074)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/engine.sh up >/dev/null 2>&1
docker=$(bash scripts/engine.sh modern 2>/dev/null)
old=/usr/bin/docker
mb=${ADF_BENCH_LAYER_MB:-4}
bash scripts/engine.sh fixtures-multiarch "$docker" >/dev/null 2>&1
port=${ADF_BENCH_REGISTRY_PORT:-5074}
bash scripts/engine.sh registry-stop "$port" --purge >/dev/null 2>&1 || true
bash scripts/engine.sh registry "$port" >/dev/null 2>&1
cargo build --release -q
adf=$PWD/target/release/adf
work=$(mktemp -d)
reg=127.0.0.1:$port/bench
cleanup() {
    local d
    for d in "$docker" "$old"; do
        "$d" image ls --format '{{.Repository}}:{{.Tag}}' | grep -E "^(adf-bench/reg|$reg)/" |
            xargs -r "$d" image rm -f >/dev/null 2>&1 || true
    done
}
trap 'cleanup; rm -rf "$work"; bash scripts/engine.sh registry-stop "$port" --purge >/dev/null 2>&1 || true' EXIT
nonce=$(date +%s%N)

# root -> a1 -> a2 -> {a3,a4,a5} ; root -> b1 -> b2 -> {b3,b4,b5,b6}
parents=(root: a1:root a2:a1 a3:a2 a4:a2 a5:a2 b1:root b2:b1 b3:b2 b4:b2 b5:b2 b6:b2)
cat >"$work/Dockerfile" <<'DF'
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG NONCE
ARG NAME
ARG MB
RUN head -c $((MB * 1000000)) /dev/urandom > /blob-${NAME} && echo "${NONCE} ${NAME}" > /layer-${NAME}
DF
{
    echo "variables: {NONCE: \"0\", MB: \"4\"}"
    echo "build_flags: [--network, host]"
    echo "images:"
    for p in "${parents[@]}"; do
        name=${p%%:*}; parent=${p#*:}
        echo "  $name:"
        if [ -n "$parent" ]; then
            echo "    depends_on: [$parent]"
            echo "    build: {context: ., args: {NONCE: \"\${NONCE}\", MB: \"\${MB}\", NAME: $name}}"
        else
            echo "    build: {context: ., args: {NONCE: \"\${NONCE}\", MB: \"\${MB}\", NAME: $name, BASE_IMAGE: \"adf-fixture/busybox:1\"}}"
        fi
        echo "    tags: [\"adf-bench/reg/$name:1\"]"
    done
} >"$work/dockerfile-compose.yaml"

run() { ADF_DOCKER=$docker "$adf" -f "$work/dockerfile-compose.yaml" --set NONCE="$nonce" --set MB="$mb" "$@"; }
run build -j 8 >"$work/build.out" 2>&1 || { cat "$work/build.out"; exit 1; }
run push --no-verify -j 8 --to "$reg" >"$work/push.out" 2>&1 || { cat "$work/push.out"; exit 1; }

secs() { local s; s=$(date +%s.%N); "$@"; echo "$(date +%s.%N) - $s" | bc -l; }

empty_store() { cleanup; }
nothing_to_do() {
    run build -j 8 --registry "$reg" --format json >"$work/fresh.json" 2>"$work/fresh.err"
    local n
    n=$(grep -c '"status": "fresh (registry)"' "$work/fresh.json" || true)
    [ "$n" = 12 ] || { cat "$work/fresh.json" "$work/fresh.err"; echo "FAIL: $n of 12 fresh (registry)" >&2; exit 1; }
}
pull_all() {
    for p in "${parents[@]}"; do echo "$reg/${p%%:*}:1"; done |
        xargs -P 8 -I{} "$old" pull -q {} >/dev/null
}

empty_store
fresh=$(secs nothing_to_do)
empty_store
pull=$(secs pull_all)
printf 'empty store, 12 images published (%s MB layer each): adf build --registry %.2f s to nothing-to-do, pulling every image %.2f s, ratio %.3f\n' \
    "$mb" "$fresh" "$pull" "$(echo "$fresh / $pull" | bc -l)"
