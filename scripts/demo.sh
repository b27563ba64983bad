#!/usr/bin/env bash
# The main job, end to end on this machine: start a local Docker engine if none runs, build adf,
# then check, plan and build the offline demo stack (demo/) twice (the second run finds every
# image fresh and builds nothing), verify it, push it to a local registry on 127.0.0.1 (twice:
# the second push finds every digest there already), then touch one layer and rebuild.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/engine.sh up
cargo build --release -q
adf=target/release/adf
export ADF_DOCKER=${ADF_DOCKER:-/usr/bin/docker}
run() { printf '\n$ adf %s\n' "$*"; "$adf" "$@"; }
run -f demo/dockerfile-compose.yaml check
run -f demo/dockerfile-compose.yaml graph --target yolo-910b
run -f demo/dockerfile-compose.yaml plan --target yolo-910b
run -f demo/dockerfile-compose.yaml build
run -f demo/dockerfile-compose.yaml build          # nothing changed: every image is fresh
run -f demo/dockerfile-compose.yaml verify --npu   # static checks; the NPU tier is SKIPPED here
REGISTRY_PORT=${ADF_DEMO_REGISTRY_PORT:-5000}
bash scripts/engine.sh registry "$REGISTRY_PORT" >/dev/null
run -f demo/dockerfile-compose.yaml push --to "127.0.0.1:$REGISTRY_PORT/demo" --manifest .adf-demo-pushed.json
run -f demo/dockerfile-compose.yaml push --to "127.0.0.1:$REGISTRY_PORT/demo"   # unchanged, but for the new ${TIMESTAMP} tag
rm -f .adf-demo-pushed.json
# Touch one layer: it and its descendants rebuild, nothing else. The file is restored from a
# copy afterwards (never from git, which would drop the user's own uncommitted edits).
touched=demo/dockerfiles/pytorch-npu.dockerfile
backup=$(mktemp)
cp -p "$touched" "$backup"
trap 'cp -p "$backup" "$touched"; rm -f "$backup"' EXIT
echo "# touch one layer: it and its descendants rebuild, nothing else" >> "$touched"
run -f demo/dockerfile-compose.yaml plan --explain
run -f demo/dockerfile-compose.yaml build
