# PyTorch + torch_npu (Ascend Extension for PyTorch) on a CANN image. torch_npu must match both
# torch and the CANN below it (S1, S2); numpy stays < 2 (S9, S12, S15). torch/torchvision are
# "+cpu" builds from the PyTorch CPU index on x86_64, plain PyPI wheels on aarch64; everything is
# pinned in /etc/adf/pip-constraints.txt for the layers above.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}

ARG TORCH_VERSION
ARG TORCH_NPU_VERSION
ARG TORCHVISION_VERSION=
ARG TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu/
ARG ASCEND_PYPI_X86=
ARG TORCH_EXTRA_PACKAGES=

RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/install-torch.sh,target=/tmp/adf/install-torch.sh \
    . /tmp/adf/net-env.sh && sh /tmp/adf/install-torch.sh
