# vLLM (VLLM_TARGET_DEVICE=empty) + vllm-ascend from source, on a pytorch-npu image.
# Refs may be tags (v0.9.1) or commits (MindSpeed-RL's verl_npu pins); the commits checked out
# are recorded in /etc/adf/sources.txt. vllm-ascend's custom kernels are compiled for the chip's
# SOC_VERSION with CANN's devlib stubs on LD_LIBRARY_PATH for the build only.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

ARG VLLM_REPO=https://github.com/vllm-project/vllm.git
ARG VLLM_REF
ARG VLLM_ASCEND_REPO=https://github.com/vllm-project/vllm-ascend.git
ARG VLLM_ASCEND_REF
ARG CHIP_TYPE
ARG SOC_VERSION=
ARG COMPILE_CUSTOM_KERNELS=1
ARG VLLM_ASCEND_STRIP_TORCH_PINS=0

RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/pkg-install.sh,target=/tmp/adf/pkg-install.sh \
    --mount=type=bind,source=scripts/git-fetch.sh,target=/tmp/adf/git-fetch.sh \
    --mount=type=bind,source=scripts/strip-torch-pins.sh,target=/tmp/adf/strip-torch-pins.sh \
    --mount=type=bind,source=scripts/cann-build-env.sh,target=/tmp/adf/cann-build-env.sh \
    --mount=type=bind,source=scripts/install-vllm-ascend.sh,target=/tmp/adf/install-vllm-ascend.sh \
    . /tmp/adf/net-env.sh && bash /tmp/adf/install-vllm-ascend.sh
