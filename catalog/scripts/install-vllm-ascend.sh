#!/bin/sh
# install-vllm-ascend.sh: vLLM (python only, VLLM_TARGET_DEVICE=empty) + vllm-ascend from source.
#
# Follows vllm-ascend's own Dockerfiles (S6): vLLM from its git ref with
# VLLM_TARGET_DEVICE=empty, `pip uninstall triton`, then vllm-ascend built with the toolkit and
# NNAL environments loaded and CANN's devlib stubs on LD_LIBRARY_PATH (cann-build-env.sh).
# Differences, both to keep the pinned torch/torch_npu: installs use "-c /etc/adf/pip-constraints.txt"
# and vLLM builds without build isolation (its pyproject asks for the CUDA-era torch to build,
# e.g. torch==2.7.0 at v0.9.1, which the empty target never uses).
#
# Env (Dockerfile ARGs): VLLM_REPO, VLLM_REF, VLLM_ASCEND_REPO, VLLM_ASCEND_REF (tags or commits),
# CHIP_TYPE (910b | a3 | 310p: picks SOC_VERSION for the custom kernels), SOC_VERSION (override),
# COMPILE_CUSTOM_KERNELS (default 1), VLLM_ASCEND_STRIP_TORCH_PINS (1: comment torch, torchvision
# and torch_npu out of vllm-ascend's requirements.txt / pyproject.toml, as MindSpeed-RL's guide
# says to when the image's torch_npu is not the one vllm-ascend pins).
# Run with bash (CANN's set_env scripts are bash); expects net-env.sh sourced by the caller.
set -eu

die() { echo "install-vllm-ascend: ERROR: $*" >&2; exit 1; }
here=$(dirname "$0")
: "${VLLM_REF:?VLLM_REF is not set}"
: "${VLLM_ASCEND_REF:?VLLM_ASCEND_REF is not set}"
VLLM_REPO=${VLLM_REPO:-https://github.com/vllm-project/vllm.git}
VLLM_ASCEND_REPO=${VLLM_ASCEND_REPO:-https://github.com/vllm-project/vllm-ascend.git}
C=/etc/adf/pip-constraints.txt
[ -f "$C" ] || die "$C is missing: build this image on top of the catalog's pytorch-npu images"
pip_install() { python3 -m pip install --no-cache-dir -c "$C" "$@"; }

soc=${SOC_VERSION:-}
if [ -z "$soc" ]; then
    case ${CHIP_TYPE:-} in
        910b) soc=ASCEND910B1 ;;
        a3) soc=ascend910_9391 ;;
        310p) soc=ASCEND310P3 ;;
        *) die "CHIP_TYPE='${CHIP_TYPE:-}': set CHIP_TYPE to 910b, a3 or 310p, or SOC_VERSION directly" ;;
    esac
fi

sh "$here/pkg-install.sh" --apt "libnuma-dev" --rpm "numactl-devel"

# ---- vLLM -----------------------------------------------------------------------------------
sh "$here/git-fetch.sh" "$VLLM_REPO" "$VLLM_REF" /workspace/vllm
pip_install "setuptools>=77.0.3,<80" "setuptools-scm>=8" "packaging>=24.2" wheel jinja2 cmake ninja
(cd /workspace/vllm && VLLM_TARGET_DEVICE=empty python3 -m pip install --no-cache-dir -c "$C" --no-build-isolation .)
python3 -m pip uninstall -y triton
rm -rf /workspace/vllm

# ---- vllm-ascend ------------------------------------------------------------------------------
sh "$here/git-fetch.sh" "$VLLM_ASCEND_REPO" "$VLLM_ASCEND_REF" /workspace/vllm-ascend
cd /workspace/vllm-ascend
if [ "${VLLM_ASCEND_STRIP_TORCH_PINS:-0}" = 1 ]; then
    sh "$here/strip-torch-pins.sh" requirements.txt pyproject.toml
fi
if [ -f requirements.txt ]; then pip_install -r requirements.txt; fi
# shellcheck disable=SC1091
. "$here/cann-build-env.sh"
export SOC_VERSION="$soc"
export COMPILE_CUSTOM_KERNELS="${COMPILE_CUSTOM_KERNELS:-1}"
echo "install-vllm-ascend: SOC_VERSION=$SOC_VERSION COMPILE_CUSTOM_KERNELS=$COMPILE_CUSTOM_KERNELS"
python3 -m pip install --no-cache-dir -c "$C" --no-build-isolation .
cd /
rm -rf /workspace/vllm-ascend

# ---- pin what was built, so later layers cannot swap it for a CUDA build from PyPI --------
for pkg in vllm vllm-ascend; do
    v=$(python3 -m pip show "$pkg" 2>/dev/null | sed -n 's/^Version: //p')
    [ -n "$v" ] || die "$pkg is not installed after the build"
    echo "$pkg==$v" >> "$C"
    echo "install-vllm-ascend: $pkg $v"
done
