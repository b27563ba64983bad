# MindSpeed-RL's verl_npu plugin stack (MindSpeed-RL branch 2.3.0 verl_npu/README.MD), on the
# image that already holds vLLM + vllm-ascend at the commits that README pins:
#   transformers @ commit (editable: verl_npu patches its sources), MindSpeed @ commit (editable),
#   Megatron-LM core_v0.12.1 (package), verl @ commit (editable, without requirements-npu.txt:
#   that file pins an older torchvision/transformers), the verl_npu plugin from branch 2.3.0,
#   jemalloc via LD_PRELOAD and EXPANDABLE_SEGMENTS=True (the plugin's dynamic virtual memory).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

ARG VLLM_RELEASE
ARG TRANSFORMERS_REPO=https://github.com/huggingface/transformers.git
ARG TRANSFORMERS_REF
ARG MINDSPEED_REPO=https://gitcode.com/Ascend/MindSpeed.git
ARG MINDSPEED_REF
ARG MEGATRON_REPO=https://github.com/NVIDIA/Megatron-LM.git
ARG MEGATRON_REF=core_v0.12.1
ARG VERL_REPO=https://github.com/volcengine/verl.git
ARG VERL_REF
ARG MINDSPEED_RL_REPO=https://gitcode.com/Ascend/MindSpeed-RL.git
ARG MINDSPEED_RL_REF=2.3.0

# vLLM built from a commit: tell vllm-ascend which release it is (vllm-ascend's VLLM_VERSION)
ENV VLLM_VERSION=${VLLM_RELEASE}

# jemalloc, at the path the guide uses (/usr/local/lib/libjemalloc.so.2), for any architecture
RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/pkg-install.sh,target=/tmp/adf/pkg-install.sh \
    . /tmp/adf/net-env.sh && \
    sh /tmp/adf/pkg-install.sh --apt "libjemalloc2" --rpm "jemalloc" && \
    lib="" && \
    for p in "/usr/lib/$(uname -m)-linux-gnu/libjemalloc.so.2" /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2; do \
        if [ -f "$p" ]; then lib=$p; break; fi; \
    done && \
    if [ -z "$lib" ]; then echo "libjemalloc.so.2 not found after installing jemalloc" >&2; exit 1; fi && \
    mkdir -p /usr/local/lib && ln -sf "$lib" /usr/local/lib/libjemalloc.so.2

# transformers from source at the pinned commit (editable)
RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/git-fetch.sh,target=/tmp/adf/git-fetch.sh \
    . /tmp/adf/net-env.sh && \
    sh /tmp/adf/git-fetch.sh "$TRANSFORMERS_REPO" "$TRANSFORMERS_REF" /workspace/transformers && \
    python3 -m pip install --no-cache-dir -c /etc/adf/pip-constraints.txt -e /workspace/transformers

# MindSpeed at the pinned commit (editable)
RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/git-fetch.sh,target=/tmp/adf/git-fetch.sh \
    . /tmp/adf/net-env.sh && \
    sh /tmp/adf/git-fetch.sh "$MINDSPEED_REPO" "$MINDSPEED_REF" /workspace/MindSpeed && \
    python3 -m pip install --no-cache-dir -c /etc/adf/pip-constraints.txt -e /workspace/MindSpeed

# Megatron-LM core_v0.12.1 as a package (the guide: pip install git+...@core_v0.12.1)
RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/git-fetch.sh,target=/tmp/adf/git-fetch.sh \
    . /tmp/adf/net-env.sh && \
    sh /tmp/adf/git-fetch.sh "$MEGATRON_REPO" "$MEGATRON_REF" /tmp/Megatron-LM && \
    python3 -m pip install --no-cache-dir -c /etc/adf/pip-constraints.txt /tmp/Megatron-LM && \
    rm -rf /tmp/Megatron-LM

# verl at the pinned commit (editable; the plugin patches it and recipes run from it)
RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/git-fetch.sh,target=/tmp/adf/git-fetch.sh \
    . /tmp/adf/net-env.sh && \
    sh /tmp/adf/git-fetch.sh "$VERL_REPO" "$VERL_REF" /workspace/verl && \
    python3 -m pip install --no-cache-dir -c /etc/adf/pip-constraints.txt -e /workspace/verl

# verl_npu plugin (needs verl installed from source first; may import verl -> torch_npu, hence
# the CANN environment and devlib stubs for this step)
RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/git-fetch.sh,target=/tmp/adf/git-fetch.sh \
    --mount=type=bind,source=scripts/cann-build-env.sh,target=/tmp/adf/cann-build-env.sh \
    . /tmp/adf/net-env.sh && \
    sh /tmp/adf/git-fetch.sh "$MINDSPEED_RL_REPO" "$MINDSPEED_RL_REF" /workspace/MindSpeed-RL && \
    . /tmp/adf/cann-build-env.sh && \
    cd /workspace/MindSpeed-RL/verl_npu && \
    VERL_PATH=/workspace/verl python3 -m pip install --no-cache-dir -c /etc/adf/pip-constraints.txt -v -e .

ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2 \
    EXPANDABLE_SEGMENTS=True
WORKDIR /workspace/verl
