# verl + MindSpeed + Megatron-LM on a vllm-ascend image: the recipe of verl's Ascend Dockerfiles
# (docker/ascend/Dockerfile.ascend_8.2.rc1_{a2,a3}; the users' "verl + MindSpeed + Megatron" doc),
# with every source pinned to a ref and torch/torch_npu protected by the image's pip constraints.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}

ARG MEGATRON_REPO=https://github.com/NVIDIA/Megatron-LM.git
ARG MEGATRON_REF=core_v0.12.1
ARG MINDSPEED_REPO=https://gitcode.com/Ascend/MindSpeed.git
ARG MINDSPEED_REF
ARG VERL_REPO=https://github.com/volcengine/verl.git
ARG VERL_REF

# Megatron-LM from source, on PYTHONPATH (verl: ENV PYTHONPATH=/Megatron-LM)
RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/git-fetch.sh,target=/tmp/adf/git-fetch.sh \
    . /tmp/adf/net-env.sh && sh /tmp/adf/git-fetch.sh "$MEGATRON_REPO" "$MEGATRON_REF" /Megatron-LM
ENV PYTHONPATH=/Megatron-LM${PYTHONPATH:+:${PYTHONPATH}}

# MindSpeed (editable, as upstream installs it)
RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/git-fetch.sh,target=/tmp/adf/git-fetch.sh \
    . /tmp/adf/net-env.sh && \
    sh /tmp/adf/git-fetch.sh "$MINDSPEED_REPO" "$MINDSPEED_REF" /workspace/MindSpeed && \
    python3 -m pip install --no-cache-dir -c /etc/adf/pip-constraints.txt -e /workspace/MindSpeed

# verl (editable: recipes and examples run from /workspace/verl)
RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/git-fetch.sh,target=/tmp/adf/git-fetch.sh \
    --mount=type=bind,source=scripts/strip-torch-pins.sh,target=/tmp/adf/strip-torch-pins.sh \
    . /tmp/adf/net-env.sh && \
    sh /tmp/adf/git-fetch.sh "$VERL_REPO" "$VERL_REF" /workspace/verl && \
    cd /workspace/verl && \
    sh /tmp/adf/strip-torch-pins.sh requirements-npu.txt && \
    python3 -m pip install --no-cache-dir -c /etc/adf/pip-constraints.txt -r requirements-npu.txt && \
    python3 -m pip install --no-cache-dir -c /etc/adf/pip-constraints.txt -e .

WORKDIR /workspace/verl
