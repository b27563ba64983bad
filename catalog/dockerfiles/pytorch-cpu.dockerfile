# PyTorch for CPU on the python base: "+cpu" wheels from the PyTorch CPU index on x86_64 (PyPI's
# x86_64 wheels pull CUDA), plain PyPI wheels on aarch64. Versions pinned in
# /etc/adf/pip-constraints.txt for the layers above.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}

ARG TORCH_VERSION
ARG TORCHVISION_VERSION=
ARG TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu/
ARG TORCH_EXTRA_PACKAGES=

RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/install-torch.sh,target=/tmp/adf/install-torch.sh \
    . /tmp/adf/net-env.sh && sh /tmp/adf/install-torch.sh
