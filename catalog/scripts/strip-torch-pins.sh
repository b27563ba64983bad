#!/bin/sh
# strip-torch-pins.sh FILE...
#
# Comments out torch, torchvision and torch_npu requirements in requirements*.txt and
# pyproject.toml files: the base image provides them (built for the image's CANN and pinned in
# /etc/adf/pip-constraints.txt). MindSpeed-RL's verl_npu guide asks for exactly this for
# vllm-ascend ("注释requirements.txt和pyproject.toml中torch、torchvision和torch_npu的安装").
# Prints what stays, so the build log shows the effect. POSIX sh.
set -eu
for f in "$@"; do
    [ -f "$f" ] || continue
    sed -i -E 's/^([[:space:]]*"?(torch|torch-npu|torch_npu|torchvision)([[:space:]]*[=<>!~;"[]|[[:space:]]*$))/# adf: provided by the base image: \1/' "$f"
    echo "strip-torch-pins: $f:"
    grep -n -E '(^|[^#]*[^[:alnum:]_-])(torch|torch-npu|torch_npu|torchvision)([^[:alnum:]_-]|$)' "$f" | grep -v '# adf: provided' || echo "  no torch pins left"
done
