#!/bin/sh
# install-torch.sh: PyTorch (+ torchvision, + torch_npu when TORCH_NPU_VERSION is set).
#
# x86_64: PyPI's torch wheels pull the CUDA stack, so torch/torchvision come as "+cpu" builds from
#   the PyTorch CPU index, which also becomes the image's pip extra index so later layers (and pip's
#   isolated build environments) resolve CPU torch too (Ascend/pytorch README and requirements.txt).
# aarch64: plain PyPI wheels, no extra index.
# The versions are pinned in /etc/adf/pip-constraints.txt (with numpy<2 under torch_npu: CANN 8.x
# stacks need numpy 1.x); the catalog's later layers install with "-c" on that file.
#
# Env (Dockerfile ARGs): TORCH_VERSION (required), TORCHVISION_VERSION, TORCH_NPU_VERSION,
# TORCH_CPU_INDEX, ASCEND_PYPI_X86, TORCH_EXTRA_PACKAGES. Expects net-env.sh sourced by the caller. POSIX sh.
set -eu

die() { echo "install-torch: ERROR: $*" >&2; exit 1; }
[ -n "${TORCH_VERSION:-}" ] || die "TORCH_VERSION is not set"

arch=$(uname -m)
suffix=""
case $arch in
    x86_64)
        index=${TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu/}
        # optional second index (the users' verl guide adds Ascend's pip mirror on x86_64; it is
        # only needed for torch_npu dev builds, which this catalog does not pin)
        if [ -n "${ASCEND_PYPI_X86:-}" ]; then index="$index $ASCEND_PYPI_X86"; fi
        python3 -m pip config --global set global.extra-index-url "$index"
        suffix="+cpu"
        ;;
    aarch64) ;;
    *) die "unsupported architecture $arch" ;;
esac

set -- "torch==$TORCH_VERSION$suffix"
if [ -n "${TORCHVISION_VERSION:-}" ]; then set -- "$@" "torchvision==$TORCHVISION_VERSION$suffix"; fi
if [ -n "${TORCH_NPU_VERSION:-}" ]; then set -- "$@" "torch-npu==$TORCH_NPU_VERSION" pyyaml; fi
if [ -n "${TORCH_NPU_VERSION:-}" ]; then set -- "$@" "numpy<2.0.0"; fi
# shellcheck disable=SC2086  # TORCH_EXTRA_PACKAGES is a word list
python3 -m pip install --no-cache-dir "$@" ${TORCH_EXTRA_PACKAGES:-}

mkdir -p /etc/adf
c=/etc/adf/pip-constraints.txt
tmp=$c.tmp
: > "$tmp"
if [ -f "$c" ]; then
    grep -v -i -E '^(torch|torch[-_]npu|torchvision|numpy)[[:space:]]*([=<>!~;]|$)' "$c" > "$tmp" || true
fi
{
    echo "torch==$TORCH_VERSION"
    if [ -n "${TORCHVISION_VERSION:-}" ]; then echo "torchvision==$TORCHVISION_VERSION"; fi
    if [ -n "${TORCH_NPU_VERSION:-}" ]; then
        echo "torch-npu==$TORCH_NPU_VERSION"
        echo "numpy<2.0.0"
    fi
} >> "$tmp"
mv "$tmp" "$c"
echo "install-torch: constraints now:"
cat "$c"
python3 -m pip show torch | sed -n 's/^Version: /torch /p'
