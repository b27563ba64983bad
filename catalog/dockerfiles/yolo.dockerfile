# YOLO (Ultralytics) on a pytorch-cpu or pytorch-npu image. torch/torch_npu/numpy stay as the
# parent pinned them (/etc/adf/pip-constraints.txt). On NPU images run models with
# `import torch_npu; from torch_npu.contrib import transfer_to_npu` (CUDA calls go to the NPU).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}

ARG ULTRALYTICS_VERSION

RUN --mount=type=secret,id=proxy --mount=type=secret,id=ca \
    --mount=type=bind,source=scripts/net-env.sh,target=/tmp/adf/net-env.sh \
    --mount=type=bind,source=scripts/pkg-install.sh,target=/tmp/adf/pkg-install.sh \
    . /tmp/adf/net-env.sh && \
    sh /tmp/adf/pkg-install.sh --apt "libgl1 libglib2.0-0" --rpm "mesa-libGL glib2" && \
    python3 -m pip install --no-cache-dir -c /etc/adf/pip-constraints.txt "ultralytics==${ULTRALYTICS_VERSION}"

ENV YOLO_CONFIG_DIR=/tmp/Ultralytics
WORKDIR /workspace
